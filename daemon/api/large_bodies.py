"""Large request bodies are decoded and validated in a scoring worker, not on the loop.

``json.loads`` and pydantic are C calls that hold the GIL throughout: a body of millions
of tiny values (``{"text": "x", "pad": [0,0,0,...]}`` near ``[api] max_body_bytes``)
kept the event loop busy 0.3-0.7 s, and SMTP and the API with it (issue 13). A thread
would hold the same GIL, so a body of OFF_LOOP_BYTES or more is parsed by the job
:func:`parse_in_worker` in the daemon's scoring pool, with the same answers (415, the
400s of daemon/api/json_body.py and of the model); smaller ones cost the loop a few ms.

What comes back is the validated model, pickled, and unpickling (and later freeing) it
costs the loop per value: 5 MB of ``{}`` took 170 ms to unpickle and 330 ms to free. So
a valid body of more than MAX_VALUES JSON values (a string is one value, however many
commas it holds) is refused with a 413 in the worker; the value never reaches the
daemon. A valid request has far fewer: the largest reports (20 findings per rule) hold
~20,000, and an original's headers as JSON are capped at 50 (daemon/api/drafts.py).
"""

from __future__ import annotations

from typing import Any

from daemon.api.errors import HttpError
from daemon.api.json_body import check_media_type, decode_value, parse_body, to_model
from daemon.api.models import Body
from daemon.scoring_service.pool import JobTimedOut, WorkerError, WorkerOutOfMemory
from daemon.scoring_service.service import ScoringService

# Decoding 64 KiB costs the loop <= 4 ms whatever its values (and so holds <= 32 K
# values, fewer than MAX_VALUES); more goes to a worker, a round trip of ~1 ms.
OFF_LOOP_BYTES = 64 * 1024
# Unpickling 50,000 values costs the loop <= 10 ms for plain JSON, ~20 ms when they are
# findings (pydantic models, ~3.6 us each).
MAX_VALUES = 50_000

Answer = tuple[str, Any]        # ("ok", model) or ("refused", (status, code, message))


async def read_body(content_type: str, raw: bytes, schema_name: str,
                    service: ScoringService | None) -> Body:
    """``raw`` as the request model ``schema_name``: parsed on the loop when small (or
    without a ``service``), else in one of its workers. An HttpError when it is not."""
    check_media_type(content_type)
    if service is None or len(raw) < OFF_LOOP_BYTES:
        return parse_body(raw, schema_name)
    try:
        kind, value = await service.run(parse_in_worker, raw, schema_name)
    except (JobTimedOut, WorkerOutOfMemory):
        raise too_complex("needs more time or memory to decode than a scoring worker "
                          "may use") from None
    except WorkerError as error:
        raise HttpError(503, "scoring_unavailable",
                        f"the body could not be decoded ({type(error).__name__}); try again",
                        {"Retry-After": "1"}) from None
    if kind == "refused":
        raise HttpError(*value)
    assert isinstance(value, Body)
    return value


def parse_in_worker(scorer: object, raw: bytes, schema_name: str) -> Answer:
    """The scoring-pool job: ``raw`` parsed as ``parse_body`` does, and refused past
    MAX_VALUES. Refusals are answered, not raised: HttpError does not unpickle."""
    try:
        value = decode_value(raw)
        model = to_model(value, schema_name)
        if count_values(value, MAX_VALUES) > MAX_VALUES:
            raise too_complex(f"holds more than {MAX_VALUES:,} JSON values")
    except HttpError as error:
        return "refused", (error.status, error.code, error.message)
    return "ok", model


def too_complex(what: str) -> HttpError:
    return HttpError(413, "body_too_complex", f"the request body {what}; send fewer values")


def count_values(value: Any, limit: int) -> int:
    """The JSON values in a decoded ``value`` (each container, string, number, true,
    false and null is one), counted until past ``limit``."""
    count, stack = 0, [value]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count
