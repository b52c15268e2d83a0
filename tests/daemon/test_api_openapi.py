"""The OpenAPI document is valid and true: same routes as the server, real responses fit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_spec
from support.api_client import RunningApi, running_api

from daemon.api import openapi
from daemon.api.routes import ROUTES

SENT = {"message": {"message_id": "x1@mail.example", "to": ["a@customer.example"]},
        "report": {"score": 80, "verdict": "pass", "findings": [],
                   "promises": [{"text": "I will call you", "owner": "sender", "due": None,
                                 "hedged": False}]}}

# One real call per documented operation and status: (method, path, body, token?, status).
CALLS: list[tuple[str, str, Any, bool, int]] = [
    ("POST", "/v1/score", {"text": "maybe later"}, True, 200),
    ("POST", "/v1/score", {"text": 1}, True, 400),
    ("POST", "/v1/score", {"text": "x"}, False, 401),
    ("POST", "/v1/sent", SENT, True, 200),
    ("POST", "/v1/sent", {"message": {}}, True, 400),
    ("GET", "/v1/health", None, False, 200),
    ("GET", "/v1/report?me=me@example.com", None, True, 200),
    ("GET", "/v1/report?week=nonsense&me=me@example.com", None, True, 400),
    ("GET", "/v1/report", None, False, 401),
    ("GET", "/v1/promises?me=me@example.com", None, True, 200),
    ("GET", "/v1/openapi.json", None, False, 200),
]


@pytest.fixture
async def api(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running_api(tmp_path) as running:
        yield running


def test_the_document_is_valid_openapi() -> None:
    validate_spec(openapi.DOCUMENT)


async def test_the_document_lists_exactly_the_served_routes(api: RunningApi) -> None:
    documented = {(method.upper(), path) for path, item in openapi.DOCUMENT["paths"].items()
                  for method in item}
    assert documented == set(api.service.routes)


async def test_the_document_says_which_routes_need_the_token(api: RunningApi) -> None:
    for (method, path), route in api.service.routes.items():
        operation = openapi.DOCUMENT["paths"][path][method.lower()]
        assert (operation.get("security") != []) == route.secured, (method, path)


@pytest.mark.parametrize(("method", "path", "body", "authorized", "status"), CALLS)
async def test_real_responses_fit_the_documented_schema(api: RunningApi, method: str, path: str,
                                                        body: Any, authorized: bool,
                                                        status: int) -> None:
    reply = await api.call(method, path, body, authorized=authorized)
    assert reply.status == status, reply.body
    responses = openapi.DOCUMENT["paths"][path.split("?")[0]][method.lower()]["responses"]
    assert str(status) in responses, f"{method} {path} answers {status}, undocumented"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    resolver_document = {"components": openapi.DOCUMENT["components"], **schema}
    jsonschema.validate(reply.json(), resolver_document)


async def test_the_served_document_names_the_real_address(api: RunningApi) -> None:
    reply = await api.call("GET", "/v1/openapi.json", authorized=False)
    assert reply.json()["servers"] == [{"url": f"http://127.0.0.1:{api.port}"}]
    assert reply.json()["paths"].keys() == openapi.DOCUMENT["paths"].keys()


async def test_the_served_document_describes_every_request_body_as_its_model(
        api: RunningApi) -> None:
    served = (await api.call("GET", "/v1/openapi.json", authorized=False)).json()
    schemas = served["components"]["schemas"]
    for route in ROUTES:
        operation = served["paths"][route.path][route.method.lower()]
        if route.request is None:
            assert "requestBody" not in operation, route.key
            continue
        name = route.request.__name__
        assert operation["requestBody"] == {"required": True, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}
        generated = openapi.tidy(route.request.model_json_schema(
            ref_template=openapi.REF_TEMPLATE))
        for nested, schema in generated.pop("$defs", {}).items():
            assert schemas[nested] == schema, (name, nested)
        assert schemas[name] == generated, name
