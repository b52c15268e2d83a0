"""Decode a request body as JSON, refusing what Python's json would choke on later.

Hostile bodies get a 400 ``invalid_json`` rather than a 500 from deep inside: a lone
surrogate (a ``\\ud800`` escape that UTF-8 cannot encode), an integer past Python's
digit limit, nesting past the recursion limit.

The whole parse runs on the event loop, so each step must stay well under the loop's
50 ms budget for a body at ``[api] max_body_bytes`` (issue 13). The surrogate check
re-encodes the whole value (~15 ms for a 4 MB draft, ~350 ms for 5 MB of tiny values),
so it only runs when the body has a ``\\uD800``-``\\uDFFF`` style escape at all, which a
1.5 ms scan of the text finds: a lone surrogate can come from nowhere else, since the
body was decoded from UTF-8 strictly.

Bodies of ``daemon.api.large_bodies.OFF_LOOP_BYTES`` or more are parsed here too, but in
a scoring worker (daemon/api/large_bodies.py): each step above is linear, yet 5 MB of
tiny values take 0.3-0.7 s in ``json.loads`` alone.
"""

from __future__ import annotations

import json
import re
from typing import Any

from daemon.api.errors import HttpError
from daemon.api.models import Body
from daemon.api.validation import SchemaError, validate

# An escape that may stand for a surrogate. An escaped backslash before "ud800" (the
# text \ud800, no surrogate) matches too, which only costs the full check.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def parse_body(body: bytes, schema_name: str) -> Body:
    """The body (of a JSON media type) decoded and converted into its request model
    ``schema_name``; a 400 HttpError when it is not JSON or does not fit the model."""
    return to_model(decode_value(body), schema_name)


def check_media_type(content_type: str) -> None:
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise HttpError(415, "unsupported_media_type",
                        "send the body as JSON with Content-Type: application/json")


def to_model(value: Any, schema_name: str) -> Body:
    """A decoded body as its request model (which also gives the OpenAPI document its
    schema); a 400 naming the first place it breaks the model."""
    try:
        return validate(schema_name, value)
    except SchemaError as error:
        raise HttpError(400, "invalid_request", str(error)) from None


def decode_value(body: bytes) -> Any:
    """The body decoded as JSON; a 400 HttpError when it is not (usable) JSON."""
    try:
        text = body.decode("utf-8")
        value = json.loads(text)
    except UnicodeDecodeError:
        raise HttpError(400, "invalid_json", "the body is not UTF-8") from None
    except json.JSONDecodeError as error:
        raise HttpError(400, "invalid_json", f"the body is not valid JSON: {error}") from None
    except RecursionError:
        raise HttpError(400, "invalid_json", "the body nests too deeply") from None
    except ValueError as error:   # e.g. an integer beyond Python's digit limit
        raise HttpError(400, "invalid_json", f"the body is not usable JSON: {error}") from None
    if SURROGATE_ESCAPE.search(text):
        check_encodable(value)
    return value


def check_encodable(value: Any) -> None:
    """400 unless every string of a decoded body is valid Unicode (no lone surrogates,
    which JSON's \\ud800 escapes can smuggle in and UTF-8 cannot encode)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise HttpError(400, "invalid_json",
                        "the body contains a lone surrogate (\\ud800-\\udfff escape)") from None
    except RecursionError:
        raise HttpError(400, "invalid_json", "the body nests too deeply") from None
