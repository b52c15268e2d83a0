"""The OpenAPI 3.1 description of the trustmail HTTP API, served at ``/v1/openapi.json``.

Generated, not written: the paths from the route table the server serves
(``daemon/api/routes.py``), the component schemas from the models that validate the
bodies (``daemon/api/models.py``), the server's address from the ``[api] listen``
default (the daemon serves its real address). The tests check every route and every
response against it, so this document stays true.
"""

from __future__ import annotations

from typing import Any, Literal, cast

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from daemon.api.large_bodies import MAX_VALUES
from daemon.api.models import Error
from daemon.api.routes import ROUTES, Answer, Query, RouteSpec
from daemon.config.sections import ApiSettings

API_VERSION = "1.0.0"
REF_TEMPLATE = "#/components/schemas/{model}"
VALIDATION: Literal["validation"] = "validation"   # the schema of what is accepted

# The refusals every route may give, and those of a route that reads a body.
SHARED_ANSWERS: dict[int, Answer] = {
    400: Answer(Error, "The request is malformed or fails validation"),
    401: Answer(Error, "Missing or wrong bearer token"),
    403: Answer(Error, "The Host or Origin header is not allowed"),
}
BODY_ANSWERS: dict[int, Answer] = {
    413: Answer(Error, "The body is larger than [api] max_body_bytes, or holds more than "
                       f"{MAX_VALUES:,} JSON values"),
    415: Answer(Error, "The body is not application/json"),
    503: Answer(Error, "A large body could not be decoded: the scoring worker decoding it "
                       "stopped; try again (Retry-After)"),
}
SECURED: list[dict[str, list[str]]] = [{"bearer": []}]


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF_TEMPLATE.format(model=name)}


def documented_models() -> list[type[BaseModel]]:
    """Every model a route reads or answers with, each once."""
    found: dict[str, type[BaseModel]] = {}
    for route in ROUTES:
        answers = [*route.answers.values(), *SHARED_ANSWERS.values()]
        for model in [route.request, *(answer.model for answer in answers)]:
            if model is not None:
                found.setdefault(model.__name__, model)
    return list(found.values())


def generated_schemas() -> dict[str, Any]:
    """The component schemas, generated from the models (pydantic's JSON Schema,
    without what it adds that JSON Schema means anyway: titles the names say, null
    defaults of fields that are simply absent, ``additionalProperties: true`` of a
    response model open to fields added later)."""
    models = [(model, VALIDATION) for model in documented_models()]
    _, definitions = models_json_schema(models, ref_template=REF_TEMPLATE)
    return cast(dict[str, Any], tidy(definitions["$defs"]))


def tidy(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: tidy(value) for key, value in node.items()
                if not (key == "title" and isinstance(value, str))
                and not (key == "default" and value is None)
                and not (key == "additionalProperties" and value is True
                         and "properties" in node)}
    if isinstance(node, list):
        return [tidy(item) for item in node]
    return node


def json_body(answer: Answer) -> dict[str, Any]:
    schema = ref(answer.model.__name__) if answer.model is not None else {"type": "object"}
    return {"description": answer.description,
            "content": {"application/json": {"schema": schema}}}


def answers_of(route: RouteSpec) -> dict[str, Any]:
    """The shared refusals and the route's own answers; where a route gives a status of
    the body's for a reason of its own too (413: a draft too large to score), both."""
    merged = {**SHARED_ANSWERS, **route.answers}
    if route.request is not None:
        for status, answer in BODY_ANSWERS.items():
            own = route.answers.get(status)
            merged[status] = answer if own is None else Answer(
                answer.model, f"{answer.description}; or {own.description[:1].lower()}"
                              f"{own.description[1:]}")
    return {str(status): json_body(answer) for status, answer in merged.items()}


def parameter(query: Query) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if query.choices:
        schema["enum"] = list(query.choices)
    return {"name": query.name, "in": "query", "required": False,
            "description": query.description, "schema": schema}


def operation(route: RouteSpec) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": route.summary, "responses": answers_of(route)}
    if route.request is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": ref(route.request.__name__)}}}
    if not route.secured:
        op["security"] = []
    if route.query:
        op["parameters"] = [parameter(query) for query in route.query]
    return op


def generated_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = operation(route)
    return paths


def server_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def with_server(document: dict[str, Any], url: str) -> dict[str, Any]:
    """The document as a daemon serves it: naming the address it listens on."""
    return {**document, "servers": [{"url": url}]}


SCHEMAS: dict[str, Any] = generated_schemas()
DEFAULT_LISTEN = ApiSettings().listen

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "trustmail local API",
        "version": API_VERSION,
        "description": "Served by the trustmail daemon on a loopback address only. Every "
                       "request needs a loopback Host header; browser requests are accepted "
                       "only from moz-extension:// origins.",
    },
    "servers": [{"url": server_url(DEFAULT_LISTEN.host, DEFAULT_LISTEN.port)}],
    "security": SECURED,
    "components": {
        "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "The token in <data dir>/api-token; `trustmail token` prints it."}},
        "schemas": SCHEMAS,
    },
    "paths": generated_paths(),
}


def schema(name: str) -> dict[str, Any]:
    """A component schema by name, e.g. ``schema("ScoreRequest")``."""
    result: dict[str, Any] = SCHEMAS[name]
    return result
