"""Decode a request body as JSON, refusing what Python's json would choke on later.

Hostile bodies get a 400 ``invalid_json`` rather than a 500 from deep inside: a lone
surrogate (a ``\\ud800`` escape that UTF-8 cannot encode), an integer past Python's
digit limit, nesting past the recursion limit.
"""

from __future__ import annotations

import json
from typing import Any

from daemon.api.errors import HttpError


def decode_json(content_type: str, body: bytes) -> Any:
    """The body decoded as JSON; a 400/415 HttpError when it is not."""
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise HttpError(415, "unsupported_media_type",
                        "send the body as JSON with Content-Type: application/json")
    try:
        value = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise HttpError(400, "invalid_json", "the body is not UTF-8") from None
    except json.JSONDecodeError as error:
        raise HttpError(400, "invalid_json", f"the body is not valid JSON: {error}") from None
    except RecursionError:
        raise HttpError(400, "invalid_json", "the body nests too deeply") from None
    except ValueError as error:   # e.g. an integer beyond Python's digit limit
        raise HttpError(400, "invalid_json", f"the body is not usable JSON: {error}") from None
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
