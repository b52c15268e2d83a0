"""The OpenAPI 3.1 description of the trustmail HTTP API, served at ``/v1/openapi.json``.

Its schemas are generated from the models that validate request bodies
(``daemon/api/models.py``), and the tests check every route and every response against
them, so this document stays true.
"""

from __future__ import annotations

from typing import Any, Literal, cast

from pydantic.json_schema import models_json_schema

from daemon.api.models import REQUEST_BODIES, RESPONSE_BODIES

API_VERSION = "1.0.0"
REF_TEMPLATE = "#/components/schemas/{model}"
VALIDATION: Literal["validation"] = "validation"   # the schema of what is accepted


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF_TEMPLATE.format(model=name)}


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



def generated_schemas() -> dict[str, Any]:
    """The component schemas, generated from the models (pydantic's JSON Schema,
    without the titles and null defaults it adds: the names say it, and an absent
    field has no value)."""
    models = [(model, VALIDATION) for model in (*REQUEST_BODIES.values(), *RESPONSE_BODIES)]
    _, definitions = models_json_schema(models, ref_template=REF_TEMPLATE)
    return cast(dict[str, Any], tidy(definitions["$defs"]))


def tidy(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: tidy(value) for key, value in node.items()
                if not (key == "title" and isinstance(value, str))
                and not (key == "default" and value is None)}
    if isinstance(node, list):
        return [tidy(item) for item in node]
    return node


SCHEMAS: dict[str, Any] = generated_schemas()

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
             "413": json_body(ref("Error"), "The draft needs more memory than a scoring "
                              "worker may use ([smtp] score_worker_memory_mb); not scored"),
             "422": json_body(ref("Error"), "The draft took longer than its time budget to "
                              "score; not scored, and a retry would fail the same way"),
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
