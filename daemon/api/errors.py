"""The API's refusals and its JSON responses.

Every refused request, whatever refused it (the HTTP parser, a check, validation, an
endpoint), gets the same body: ``{"error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class HttpError(Exception):
    """A request we refuse; becomes a JSON error ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def encode_json(payload: Any) -> bytes:
    """Compact UTF-8 JSON, as every response body is sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_body(code: str, message: str) -> bytes:
    return encode_json({"error": {"code": code, "message": message}})


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """``payload`` as a JSON response."""
    return Response(encode_json(payload), status, headers, JSON_CONTENT_TYPE)


def error_response(error: HttpError) -> Response:
    """The JSON response a refused request gets."""
    return Response(error_body(error.code, error.message), error.status, error.headers,
                    JSON_CONTENT_TYPE)
