"""The route table is the one list of routes: the server serves it, the document says it."""

from __future__ import annotations

from daemon.api import openapi
from daemon.api.models import REQUEST_BODIES, Error
from daemon.api.routes import ROUTES
from daemon.config.sections import ApiSettings


def test_each_route_is_listed_once() -> None:
    keys = [route.key for route in ROUTES]
    assert len(keys) == len(set(keys))


def test_the_bodies_validated_by_name_are_the_routes_request_models() -> None:
    requests = {r.request.__name__: r.request for r in ROUTES if r.request is not None}
    assert requests == REQUEST_BODIES


def test_a_route_that_reads_a_body_documents_its_requests_refusals() -> None:
    score = openapi.DOCUMENT["paths"]["/v1/score"]["post"]
    assert score["requestBody"]["content"]["application/json"]["schema"] == \
        openapi.ref("ScoreRequest")
    assert {"400", "401", "403", "413", "415", "200"} <= score["responses"].keys()
    too_large = score["responses"]["413"]["description"]
    assert "max_body_bytes" in too_large and "score_worker_memory_mb" in too_large
    health = openapi.DOCUMENT["paths"]["/v1/health"]["get"]
    assert "requestBody" not in health and "413" not in health["responses"]
    assert health["security"] == []


def test_every_answer_names_a_generated_schema() -> None:
    for route in ROUTES:
        for answer in route.answers.values():
            assert answer.model is None or answer.model.__name__ in openapi.SCHEMAS
    assert Error.__name__ in openapi.SCHEMAS


def test_the_documented_server_is_the_default_listen_address() -> None:
    listen = ApiSettings().listen
    assert openapi.DOCUMENT["servers"] == [{"url": f"http://{listen.host}:{listen.port}"}]
    assert openapi.with_server(openapi.DOCUMENT, "http://[::1]:9")["servers"] == [
        {"url": "http://[::1]:9"}]
