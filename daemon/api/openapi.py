"""The OpenAPI 3.1 description of the trustmail HTTP API, served at ``/v1/openapi.json``.

Request bodies are validated against these schemas (``daemon/api/schema.py``) and the
tests check every route and every response against them, so this document stays true.
"""

from __future__ import annotations

from typing import Any

API_VERSION = "1.0.0"
DIMENSIONS = ["honesty", "disclosure", "responsiveness", "promises", "tone"]
MAX_ADDRESSES = 500


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR_RESPONSES: dict[str, Any] = {
    "400": json_body(ref("Error"), "The request is malformed or fails validation"),
    "401": json_body(ref("Error"), "Missing or wrong bearer token"),
    "403": json_body(ref("Error"), "The Host or Origin header is not allowed"),
}
BODY_ERROR_RESPONSES: dict[str, Any] = {
    "413": json_body(ref("Error"), "The body is larger than [api] max_body_bytes"),
    "415": json_body(ref("Error"), "The body is not application/json"),
}

SCHEMAS: dict[str, Any] = {
    # daemon/pairing.py: a code from `trustmail pair`, or no code for `--auto`
    "PairRequest": {"type": "object", "additionalProperties": False, "properties": {
        "code": {"type": "string", "maxLength": 32}}},
    "PairResponse": {"type": "object", "required": ["token"],
                     "properties": {"token": {"type": "string"}}},
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }},
    },
    "ScoreRequest": {
        "type": "object",
        "description": "Exactly one of text, raw or raw_base64: the draft to score.",
        "additionalProperties": False,
        "properties": {
            "text": {"type": "string", "description": "The draft's plain text (new text "
                     "and any quoted original, as the compose window shows it)."},
            "raw": {"type": "string", "description": "The draft as an RFC 5322 message."},
            "raw_base64": {"type": "string", "description": "The RFC 5322 message, base64."},
            "original": ref("Original"),
            "lang": {"type": "string", "enum": ["auto", "en", "de"]},
            "now": {"type": "string", "format": "date-time",
                    "description": "Score as of this moment (default: the daemon's clock)."},
        },
    },
    "Original": {
        "type": "object",
        "description": "The customer message being answered: the whole message (raw or "
                       "raw_base64), or its headers and optionally its text.",
        "additionalProperties": False,
        "properties": {
            "raw": {"type": "string"},
            "raw_base64": {"type": "string"},
            "headers": {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "Header name -> value, e.g. Date, From, Subject."},
            "text": {"type": "string"},
        },
    },
    "Finding": {
        "type": "object",
        "required": ["rule", "dimension", "start", "end", "match", "message", "suggestion",
                     "penalty"],
        "properties": {
            "rule": {"type": "string"}, "dimension": {"type": "string", "enum": DIMENSIONS},
            "start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 0},
            "match": {"type": "string"}, "message": {"type": "string"},
            "suggestion": {"type": "string"}, "penalty": {"type": "number", "minimum": 0},
            "why": {"type": "string",
                    "description": "how the sentence was read, for rules that judge its kind"},
        },
    },
    "Promise": {
        "type": "object",
        "required": ["text", "owner", "due", "hedged"],
        "properties": {
            "text": {"type": "string"}, "start": {"type": "integer"}, "end": {"type": "integer"},
            "owner": {"type": "string", "enum": ["sender", "team", "unclear"]},
            "due": {"type": ["string", "null"], "format": "date-time"},
            "hedged": {"type": "boolean"},
        },
    },
    "Question": {
        "type": "object",
        "required": ["text", "answered"],
        "properties": {"text": {"type": "string"}, "answered": {"type": "boolean"}},
    },
    "DimensionScore": {
        "type": "object",
        "required": ["score", "verdict"],
        "properties": {"score": {"type": "integer", "minimum": 0, "maximum": 100},
                       "verdict": {"type": "string", "enum": ["pass", "warn", "hold"]}},
    },
    "Report": {
        "type": "object",
        "description": "The report of the scoring core, as `trustmail score --json` prints it.",
        "required": ["score", "verdict", "findings", "promises"],
        "properties": {
            "score": {"type": "integer", "minimum": 0, "maximum": 100},
            "verdict": {"type": "string", "enum": ["pass", "warn", "hold"]},
            "verdict_reason": {"type": "string",
                               "description": "One sentence from the verdict to the "
                                              "dimensions behind it."},
            "language": {"type": "string",
                         "description": "en or de; another code (es, pt, fr, it, nl) "
                                        "means not supported: no findings"},
            "dimensions": {"type": "object", "additionalProperties": ref("DimensionScore")},
            "findings": {"type": "array", "items": ref("Finding")},
            "promises": {"type": "array", "items": ref("Promise")},
            "questions": {"type": "array", "items": ref("Question")},
            "body": {"type": "string"},
            "error": {"type": ["string", "null"]},
        },
    },
    "SentRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["message"],
        "properties": {
            "message": ref("SentMessage"),
            "report": ref("Report"),
            "body": {"type": "string", "description": "Kept only with [store] keep_bodies."},
            "account": {"type": "string", "maxLength": 200},
        },
    },
    "SentMessage": {
        "type": "object",
        "additionalProperties": False,
        "required": ["message_id"],
        "properties": {
            "message_id": {"type": "string", "minLength": 1, "maxLength": 998},
            "in_reply_to": {"type": "string", "maxLength": 998},
            "references": {"type": "array", "items": {"type": "string"}, "maxItems": 1000},
            "date": {"type": "string", "format": "date-time"},
            "from": {"type": "string", "maxLength": 998},
            "to": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_ADDRESSES},
            "cc": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_ADDRESSES},
            "subject": {"type": "string", "maxLength": 998},
        },
    },
    "SentResponse": {
        "type": "object",
        "required": ["id", "duplicate"],
        "properties": {"id": {"type": "integer"}, "duplicate": {"type": "boolean"}},
    },
    "Health": {
        "type": "object",
        "required": ["status", "version", "token_valid"],
        "properties": {
            "status": {"type": "string", "enum": ["ok"]},
            "version": {"type": "string"},
            "token_valid": {"type": ["boolean", "null"],
                            "description": "Whether the bearer token sent is right; null "
                                           "when none was sent (used by the pairing page)."},
        },
    },
    "LedgerPromise": {
        "type": "object",
        "description": "One entry of `trustmail promises --format json`.",
        "required": ["text", "status", "owner", "hedged", "thread", "made_at", "due",
                     "kept_at"],
        "properties": {
            "text": {"type": "string"},
            "status": {"type": "string", "enum": ["open", "kept", "overdue"]},
            "owner": {"type": "string"}, "hedged": {"type": "boolean"},
            "thread": {"type": "string"},
            "made_at": {"type": ["string", "null"]}, "due": {"type": ["string", "null"]},
            "kept_at": {"type": ["string", "null"]},
        },
    },
    "PromiseList": {
        "type": "object",
        "required": ["promises"],
        "properties": {"promises": {"type": "array", "items": ref("LedgerPromise")}},
    },
    "WeeklyReport": {
        "type": "object",
        "description": "The JSON of `trustmail report --format json`: response times, "
                       "SLA, customers, trend, promises and trust scores of one period.",
        "required": ["format", "period", "me", "summary", "promises", "trust"],
        "properties": {
            "format": {"type": "integer"},
            "period": {"type": "object", "required": ["label", "start", "end"],
                       "properties": {"label": {"type": "string"},
                                      "start": {"type": "string"},
                                      "end": {"type": "string"}}},
            "me": {"type": "array", "items": {"type": "string"}},
            "summary": {"type": "object"},
            "promises": {"type": "object", "required": ["made", "kept", "overdue", "open"],
                         "properties": {name: {"type": "integer"} for name in
                                        ("made", "kept", "overdue", "open")}},
            "trust": {"type": "object", "required": ["average_score", "scored_messages"],
                      "properties": {"average_score": {"type": ["number", "null"]},
                                     "scored_messages": {"type": "integer"}}},
        },
    },
}

SECURED: list[dict[str, list[str]]] = [{"bearer": []}]


def query(name: str, description: str, choices: list[str] | None = None) -> dict[str, Any]:
    """An optional string query parameter."""
    schema: dict[str, Any] = {"type": "string"}
    if choices:
        schema["enum"] = choices
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


ME_PARAMETER = query("me", "my addresses, comma-separated (default: [report] me, else the "
                     "IMAP accounts' usernames)")


def operation(summary: str, responses: dict[str, Any], *, body: str | None = None,
              secured: bool = True, parameters: list[dict[str, Any]] | None = None
              ) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": dict(ERROR_RESPONSES)}
    op["responses"].update(responses)
    if body:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": ref(body)}}}
        op["responses"].update(BODY_ERROR_RESPONSES)
    if not secured:
        op["security"] = []
    if parameters:
        op["parameters"] = parameters
    return op


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "trustmail local API",
        "version": API_VERSION,
        "description": "Served by the trustmail daemon on a loopback address only. Every "
                       "request needs a loopback Host header; browser requests are accepted "
                       "only from moz-extension:// origins.",
    },
    "servers": [{"url": "http://127.0.0.1:8425"}],
    "security": SECURED,
    "components": {
        "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "The token in <data dir>/api-token; `trustmail token` prints it."}},
        "schemas": SCHEMAS,
    },
    "paths": {
        "/v1/score": {"post": operation(
            "Score a draft (text or raw message), optionally with the original it answers",
            {"200": json_body(ref("Report"), "The report"),
             "503": json_body(ref("Error"), "Too many drafts are being scored, or a "
                              "scoring worker stopped and is being restarted; try again "
                              "(Retry-After)")},
            body="ScoreRequest")},
        "/v1/sent": {"post": operation(
            "Record a sent message and its final report for the store and promise ledger",
            {"200": json_body(ref("SentResponse"), "Recorded (or already recorded)")},
            body="SentRequest")},
        "/v1/health": {"get": operation(
            "Liveness, and whether the bearer token sent is right",
            {"200": json_body(ref("Health"), "The daemon is up")}, secured=False)},
        "/v1/report": {"get": operation(
            "The weekly report (last full week unless a period is given)",
            {"200": json_body(ref("WeeklyReport"), "The report")},
            parameters=[query("week", "ISO week, e.g. 2026-W47"),
                        query("since", "first day, YYYY-MM-DD"),
                        query("until", "last day, YYYY-MM-DD (with since; default today)"),
                        ME_PARAMETER])},
        "/v1/promises": {"get": operation(
            "The promise ledger: promises made in sent mail, open, kept or overdue",
            {"200": json_body(ref("PromiseList"), "The promises")},
            parameters=[query("status", "only this status", ["open", "overdue", "kept", "all"]),
                        ME_PARAMETER])},
        "/v1/pair": {"post": operation(
            "Redeem a one-time pairing window (`trustmail pair`): the answer is the token",
            {"200": json_body(ref("PairResponse"), "Paired: keep this token")},
            body="PairRequest", secured=False)},
        "/v1/openapi.json": {"get": operation(
            "This document", {"200": {"description": "The OpenAPI document",
                                      "content": {"application/json": {"schema": {
                                          "type": "object"}}}}}, secured=False)},
    },
}


def schema(name: str) -> dict[str, Any]:
    """A component schema by name, e.g. ``schema("ScoreRequest")``."""
    result: dict[str, Any] = SCHEMAS[name]
    return result
