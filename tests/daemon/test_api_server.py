"""The HTTP API over real sockets: auth, Host, Origin/CORS, limits, validation, endpoints."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import replace
from pathlib import Path

import pytest
from support.api_client import RunningApi, running_api

from daemon.api import handlers, security
from daemon.store.database import MessageRecord

DRAFT = {"text": "Hello Anna, maybe we can fix it by Friday."}


@pytest.fixture
async def api(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running_api(tmp_path) as running:
        yield running


# --- authentication -------------------------------------------------------------------

async def test_score_needs_the_bearer_token(api: RunningApi) -> None:
    reply = await api.call("POST", "/v1/score", DRAFT, authorized=False)
    assert reply.status == 401
    assert reply.json()["error"]["code"] == "missing_token"
    assert "trustmail token" in reply.json()["error"]["message"]
    assert reply.headers["www-authenticate"].startswith("Bearer")


async def test_a_wrong_token_is_refused(api: RunningApi) -> None:
    reply = await api.call("POST", "/v1/score", DRAFT, authorized=False, token="x" * 43)
    assert reply.status == 401
    assert reply.json()["error"]["code"] == "invalid_token"


async def test_health_is_open_and_tells_whether_the_token_is_right(api: RunningApi) -> None:
    anonymous = await api.call("GET", "/v1/health", authorized=False)
    paired = await api.call("GET", "/v1/health")
    wrong = await api.call("GET", "/v1/health", authorized=False, token="nope")
    assert anonymous.status == paired.status == wrong.status == 200
    assert anonymous.json()["token_valid"] is None
    assert paired.json()["token_valid"] is True
    assert wrong.json()["token_valid"] is False


# --- Host (DNS rebinding) and Origin (CORS) ---------------------------------------------

@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io",
                                  "127.0.0.1:1", "192.168.1.10:{port}"])
async def test_a_non_loopback_host_header_is_refused(api: RunningApi, host: str) -> None:
    reply = await api.call("GET", "/v1/health", headers={"Host": host.format(port=api.port)})
    assert reply.status == 403
    assert reply.json()["error"]["code"] == "forbidden_host"


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "localhost"])
async def test_loopback_host_names_are_accepted(api: RunningApi, host: str) -> None:
    reply = await api.call("GET", "/v1/health", headers={"Host": host.format(port=api.port)})
    assert reply.status == 200


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1:8080",
                                    "moz-extension://"])
async def test_web_origins_are_refused_without_cors_headers(api: RunningApi,
                                                            origin: str) -> None:
    reply = await api.call("POST", "/v1/score", DRAFT, headers={"Origin": origin})
    assert reply.status == 403
    assert reply.json()["error"]["code"] == "forbidden_origin"
    assert "access-control-allow-origin" not in reply.headers


async def test_the_addon_origin_gets_cors_headers(api: RunningApi) -> None:
    origin = "moz-extension://2b1c0f6e-6a4e-4e53-9a3e-0d1f5f3f9a11"
    reply = await api.call("POST", "/v1/score", DRAFT, headers={"Origin": origin})
    assert reply.status == 200
    assert reply.headers["access-control-allow-origin"] == origin
    assert reply.headers["vary"] == "Origin"


async def test_preflight_lists_methods_and_headers_without_a_token(api: RunningApi) -> None:
    origin = "moz-extension://2b1c0f6e-6a4e-4e53-9a3e-0d1f5f3f9a11"
    reply = await api.call("OPTIONS", "/v1/score", authorized=False, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert reply.status == 204
    assert reply.headers["access-control-allow-origin"] == origin
    assert "POST" in reply.headers["access-control-allow-methods"]
    assert "Authorization" in reply.headers["access-control-allow-headers"]


# --- limits and malformed requests -----------------------------------------------------

async def test_a_body_over_the_limit_is_refused_before_it_is_read(api: RunningApi) -> None:
    big = {"text": "a" * (api.service.settings.max_body_bytes + 1)}
    reply = await api.call("POST", "/v1/score", big)
    assert reply.status == 413
    assert "max_body_bytes" in reply.json()["error"]["message"]


async def test_oversized_headers_are_refused(api: RunningApi) -> None:
    reply = await api.call("GET", "/v1/health", headers={"X-Padding": "p" * 20000})
    assert reply.status == 431


async def test_chunked_bodies_are_refused(api: RunningApi) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    writer.write(f"POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1:{api.port}\r\n"
                 f"Authorization: Bearer {api.token}\r\nContent-Type: application/json\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".encode())
    status_line = await reader.readline()
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 411")


async def test_a_garbage_request_line_gets_a_json_400(api: RunningApi) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    writer.write(b"HELLO\r\n\r\n")
    response = await reader.read()
    writer.close()
    assert response.startswith(b"HTTP/1.1 400")
    assert b'"code":"bad_request"' in response


async def test_keep_alive_serves_several_requests_on_one_connection(api: RunningApi) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    request = f"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1:{api.port}\r\n\r\n".encode()
    for _ in range(3):
        writer.write(request)
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
    writer.close()


# --- validation ------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "fragment"), [
    ({}, "exactly one of text, raw or raw_base64"),
    ({"text": "a", "raw": "b"}, "exactly one of text, raw or raw_base64"),
    ({"text": 5}, "body.text: must be string"),
    ({"text": "a", "lang": "fr"}, "body.lang: must be one of"),
    ({"text": "a", "tone": "x"}, "body.tone: unknown field"),
    ({"text": "a", "now": "yesterday"}, "body.now: must be an ISO-8601"),
    ({"text": "a", "now": "2026-03-02T09:00:00"}, "time zone"),
    ({"raw_base64": "***"}, "body.raw_base64: is not valid base64"),
    ({"text": "a", "original": {}}, "body.original: give raw"),
    ({"text": "a", "original": {"raw": "x", "text": "y"}}, "not both"),
])
async def test_invalid_score_requests_get_a_clear_400(api: RunningApi, body: dict[str, object],
                                                      fragment: str) -> None:
    reply = await api.call("POST", "/v1/score", body)
    assert reply.status == 400, reply.body
    assert reply.json()["error"]["code"] == "invalid_request"
    assert fragment in reply.json()["error"]["message"]


async def test_a_body_that_is_not_json_is_refused(api: RunningApi) -> None:
    reply = await api.call("POST", "/v1/score", raw_body=b"{not json",
                           headers={"Content-Type": "application/json"})
    assert reply.status == 400
    assert reply.json()["error"]["code"] == "invalid_json"


async def test_a_body_that_is_not_declared_json_is_refused(api: RunningApi) -> None:
    reply = await api.call("POST", "/v1/score", raw_body=b"text=hi",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 415


async def test_unknown_paths_and_methods(api: RunningApi) -> None:
    missing = await api.call("GET", "/v1/nothing")
    wrong_method = await api.call("GET", "/v1/score")
    assert missing.status == 404
    assert wrong_method.status == 405
    assert wrong_method.headers["allow"] == "POST"


# --- scoring ----------------------------------------------------------------------------

async def test_score_returns_the_report_of_the_text(api: RunningApi) -> None:
    reply = await api.call("POST", "/v1/score", DRAFT)
    report = reply.json()
    assert reply.status == 200
    assert report["findings"][0]["match"] == "maybe"
    assert report["score"] == 90


async def test_score_passes_now_and_the_original_from_its_headers(api: RunningApi) -> None:
    reply = await api.call("POST", "/v1/score", {
        "text": "Yes, done.", "now": "2026-03-04T10:00:00+01:00",
        "original": {"headers": {"Date": "Mon, 02 Mar 2026 09:30:00 +0100",
                                 "From": "Anna <anna@customer.example>"},
                     "text": "Can you fix the invoice?"}})
    echo = reply.json()["echo"]
    assert echo == {"now": "2026-03-04T10:00:00+01:00",
                    "original_text": "Can you fix the invoice?",
                    "original_date": "2026-03-02T09:30:00+01:00"}


async def test_score_reads_the_text_and_date_of_a_raw_original(api: RunningApi) -> None:
    original = (b"From: Anna <anna@customer.example>\r\nDate: Mon, 02 Mar 2026 09:30:00 +0100\r\n"
                b"Subject: Invoice\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                b"<p>Can you <b>fix</b> the invoice?</p>")
    reply = await api.call("POST", "/v1/score", {
        "text": "Yes.", "original": {"raw_base64": base64.b64encode(original).decode()}})
    echo = reply.json()["echo"]
    assert echo["original_text"].strip() == "Can you fix the invoice?"
    assert echo["original_date"] == "2026-03-02T09:30:00+01:00"


async def test_score_takes_a_raw_draft(api: RunningApi) -> None:
    raw = "Subject: Re: Invoice\r\n\r\nmaybe tomorrow"
    reply = await api.call("POST", "/v1/score", {"raw": raw})
    assert reply.json()["body"] == "maybe tomorrow"
    assert api.scorer.calls == ["message"]


# --- sends, promises, report -------------------------------------------------------------

SENT = {
    "message": {"message_id": "abc@mail.example", "in_reply_to": "<q1@customer.example>",
                "references": ["q1@customer.example"], "date": "2026-03-04T10:00:00+01:00",
                "from": "Me <me@example.com>", "to": ["Anna <Anna@Customer.example>"],
                "subject": "Re: Invoice"},
    "report": {"score": 62, "verdict": "warn", "language": "en",
               "findings": [{"rule": "en.honesty.hedge", "dimension": "honesty", "start": 0,
                             "end": 5, "match": "maybe", "message": "m", "suggestion": "s",
                             "penalty": 8}],
               "promises": [{"text": "I will send the credit note by Friday", "owner": "sender",
                             "due": "2026-03-06T17:00:00+01:00", "hedged": False}]},
    "body": "secret body",
}


async def test_sent_records_the_message_findings_and_promises(api: RunningApi) -> None:
    reply = await api.call("POST", "/v1/sent", SENT)
    assert reply.status == 200
    assert reply.json()["duplicate"] is False
    row = api.store.query("SELECT * FROM messages WHERE id = ?", (reply.json()["id"],))[0]
    assert (row["source"], row["direction"], row["message_id"], row["in_reply_to"]) == (
        "addon", "out", "<abc@mail.example>", "<q1@customer.example>")
    assert row["to_addrs"] == "anna@customer.example"
    assert row["date_utc"] == "2026-03-04T09:00:00+00:00"
    assert row["score"] == 62
    assert row["body"] is None          # bodies are not kept unless configured
    assert api.store.query("SELECT rule FROM findings")[0]["rule"] == "en.honesty.hedge"


async def test_a_repeated_send_is_recorded_once(api: RunningApi) -> None:
    first = await api.call("POST", "/v1/sent", SENT)
    second = await api.call("POST", "/v1/sent", SENT)
    assert second.json() == {"id": first.json()["id"], "duplicate": True}


async def test_a_send_the_smtp_proxy_recorded_already_is_not_recorded_again(
        api: RunningApi) -> None:
    proxy_row = api.store.record_message(MessageRecord(source="smtp", direction="out",
                                                       message_id="<abc@mail.example>"))
    reply = await api.call("POST", "/v1/sent", SENT)
    assert reply.json() == {"id": proxy_row, "duplicate": True}
    assert len(api.store.query("SELECT id FROM messages")) == 1


async def test_sent_validates_the_report(api: RunningApi) -> None:
    broken = {"message": SENT["message"], "report": {"score": 62, "verdict": "warn",
                                                     "findings": [{"rule": "x"}],
                                                     "promises": []}}
    reply = await api.call("POST", "/v1/sent", broken)
    assert reply.status == 400
    assert "body.report.findings[0].dimension: is required" in reply.json()["error"]["message"]


@pytest.fixture
async def api_with_me(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The API with "me" configured, as the promise ledger and the report need."""
    config = tmp_path / "me.toml"
    config.write_text('[report]\nme = ["me@example.com"]\n', "utf-8")
    async with running_api(tmp_path, config_file=config) as running:
        yield running


async def test_promises_lists_the_ledger_as_trustmail_promises_does(
        api_with_me: RunningApi) -> None:
    await api_with_me.call("POST", "/v1/sent", SENT)
    overdue = await api_with_me.call("GET", "/v1/promises?status=overdue")
    kept = await api_with_me.call("GET", "/v1/promises?status=kept")
    [promise] = overdue.json()["promises"]
    assert promise["text"] == "(text not stored; keep_bodies is off)"   # the default
    assert promise["status"] == "overdue"       # due 2026-03-06, nothing written since
    assert promise["due"] == "2026-03-06T16:00:00+00:00"
    assert kept.json() == {"promises": []}


async def test_promises_rejects_an_unknown_status(api: RunningApi) -> None:
    reply = await api.call("GET", "/v1/promises?status=late")
    assert reply.status == 400


async def test_without_me_the_ledger_says_how_to_set_it(api: RunningApi) -> None:
    reply = await api.call("GET", "/v1/promises")
    assert reply.status == 400
    assert "[report] me" in reply.json()["error"]["message"]
    given = await api.call("GET", "/v1/promises?me=me@example.com")
    assert given.status == 200


async def test_report_is_the_weekly_report_of_the_period(api_with_me: RunningApi) -> None:
    await api_with_me.call("POST", "/v1/sent", SENT)
    reply = await api_with_me.call("GET", "/v1/report?since=2026-03-01&until=2026-03-31")
    report = reply.json()
    assert reply.status == 200, report
    assert report["me"] == ["me@example.com"]
    assert report["promises"]["made"] == 1 and report["promises"]["overdue"] == 1
    assert report["trust"]["average_score"] == 62
    assert report["trust"]["top_findings"][0]["rule"] == "en.honesty.hedge"


async def test_report_refuses_a_bad_period(api_with_me: RunningApi) -> None:
    reply = await api_with_me.call("GET", "/v1/report?week=2026-W99")
    assert reply.status == 400
    assert reply.json()["error"]["message"].startswith("query: ")


async def test_a_reload_picks_up_a_rotated_token(api: RunningApi) -> None:
    old_token = api.token
    new_token = security.load_or_create_token(api.service.token_file, rotate=True)
    config = api.service.handlers.config
    same_api = replace(config, daemon=replace(config.daemon, api=api.service.settings))
    assert await api.service.reload(same_api, api.store, api.scorer)
    stale = await api.call("GET", "/v1/health", authorized=False, token=old_token)
    fresh = await api.call("GET", "/v1/health", authorized=False, token=new_token)
    assert (stale.json()["token_valid"], fresh.json()["token_valid"]) == (False, True)


class HeldRunner:
    """A scoring runner that answers only when released (a slow draft in flight)."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.closed = False

    async def start(self) -> None:
        return None

    async def run(self, draft: object) -> bytes:
        await self.release.wait()
        return b'{"score": 100}'

    def close(self) -> None:
        self.closed = True


async def test_a_reload_lets_the_requests_in_flight_finish(api: RunningApi) -> None:
    held = HeldRunner()
    api.service.handlers.runner = held
    in_flight = asyncio.create_task(api.call("POST", "/v1/score", DRAFT))
    while not api.service.handlers.in_flight:
        await asyncio.sleep(0.01)
    config = api.service.handlers.config
    same_api = replace(config, daemon=replace(config.daemon, api=api.service.settings))
    assert await api.service.reload(same_api, api.store, api.scorer)
    assert not held.closed                       # still answering its request
    fresh = await api.call("POST", "/v1/score", {"text": "Another draft."})
    assert fresh.status == 200                   # the new runner serves new requests
    held.release.set()
    reply = await in_flight
    assert (reply.status, reply.json()) == (200, {"score": 100})
    assert held.closed and held not in api.service.handlers.retired


class CrashingRunner(HeldRunner):
    async def run(self, draft: object) -> bytes:
        from daemon.scoring_service.pool import WorkerCrashed
        raise WorkerCrashed("scoring worker 4242 died")


async def test_a_crashed_scoring_worker_is_a_503_to_retry(api: RunningApi) -> None:
    api.service.handlers.runner = CrashingRunner()
    reply = await api.call("POST", "/v1/score", DRAFT)
    assert reply.status == 503
    assert reply.json()["error"]["code"] == "scoring_unavailable"
    assert reply.headers["retry-after"] == "1"


class FailingRunner(HeldRunner):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    async def run(self, draft: object) -> bytes:
        raise self.error


@pytest.mark.parametrize(("error", "status", "code"), [
    ("JobTimedOut", 422, "too_slow_to_score"),
    ("WorkerOutOfMemory", 413, "too_large_to_score"),
])
async def test_a_draft_too_slow_or_too_large_to_score_is_no_retry(
        api: RunningApi, error: str, status: int, code: str) -> None:
    from daemon.scoring_service import pool
    api.service.handlers.runner = FailingRunner(getattr(pool, error)("over the budget"))
    reply = await api.call("POST", "/v1/score", DRAFT)
    assert (reply.status, reply.json()["error"]["code"]) == (status, code)
    assert "retry-after" not in reply.headers


async def test_past_the_scoring_limit_a_draft_gets_503_with_retry_after(
        api: RunningApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handlers, "MAX_SCORING_IN_FLIGHT", 1)
    held = HeldRunner()
    api.service.handlers.runner = held
    in_flight = asyncio.create_task(api.call("POST", "/v1/score", DRAFT))
    while not api.service.handlers.in_flight:
        await asyncio.sleep(0.01)
    refused = await api.call("POST", "/v1/score", {"text": "Another draft."})
    repeated = asyncio.create_task(api.call("POST", "/v1/score", DRAFT))  # joins the first
    held.release.set()
    assert (refused.status, refused.json()["error"]["code"]) == (503, "busy")
    assert refused.headers["retry-after"] == "1"
    assert (await in_flight).status == (await repeated).status == 200


# --- issue 14's hostile inputs, over the wire: a 4xx with a JSON error, never a 500 ----

HOSTILE_BODIES = {
    "lone surrogate": ("/v1/score", b'{"text": "\\ud800"}'),
    "5,000-digit integer": ("/v1/score", b'{"text": "hi", "n": ' + b"9" * 5000 + b"}"),
    "100,000 nested [": ("/v1/score", b"[" * 100_000),
    "unparseable To": ("/v1/score", b'{"text": "hi", "original": {"headers": {"To": "\\""}, '
                                    b'"text": "x"}}'),
    "nested comments in /v1/sent": ("/v1/sent", b'{"message": {"message_id": "a@b", "from": "'
                                                + b"(" * 50_000 + b'"}}'),
}


@pytest.mark.parametrize("case", list(HOSTILE_BODIES))
async def test_hostile_bodies_get_a_json_4xx(tmp_path: Path, case: str) -> None:
    path, raw = HOSTILE_BODIES[case]
    async with running_api(tmp_path, max_body_bytes=1 << 20) as api:   # room for 100 KB
        reply = await api.call("POST", path, raw_body=raw,
                               headers={"Content-Type": "application/json"})
    assert 400 <= reply.status < 500, (reply.status, reply.body[:200])
    assert reply.json()["error"]["code"] in ("invalid_json", "invalid_request")


async def test_a_hostile_message_id_in_the_original_does_not_fail_the_score(
        api: RunningApi) -> None:
    reply = await api.call("POST", "/v1/score", {
        "text": "Yes.", "original": {"headers": {"Message-ID": "<<<<<<<<<<"}, "text": "x"}})
    assert reply.status == 200
