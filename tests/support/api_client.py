"""Test helpers for the HTTP API: a real HTTP client (stdlib http.client) and a server.

``http.client`` is an independent HTTP implementation, so the tests exercise the
daemon's own HTTP parser the way other clients will.

``EchoScorer`` is the only stand-in: a tiny scorer used while testing the API layer on
its own (auth, limits, validation). It derives its report from the text it gets (one
finding per "maybe"), so tests can check the request reached it unchanged. The tests
that go through the real scoring core use ``scoring.Scorer``.
"""

from __future__ import annotations

import asyncio
import http.client
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from daemon.api.server import ApiService
from daemon.config.load import load_config
from daemon.config.sections import ApiSettings, ListenAddress
from daemon.store.database import Store, open_store

HEDGE = "maybe"
PENALTY = 10


@dataclass
class EchoReport:
    text: str
    now: datetime | None
    original_text: str | None
    original_date: datetime | None

    def to_dict(self) -> dict[str, Any]:
        findings = []
        start = self.text.find(HEDGE)
        while start >= 0:
            findings.append({"rule": "en.honesty.hedge", "dimension": "honesty",
                             "start": start, "end": start + len(HEDGE), "match": HEDGE,
                             "message": "Hedging.", "suggestion": "Be firm.",
                             "penalty": PENALTY})
            start = self.text.find(HEDGE, start + 1)
        score = max(0, 100 - PENALTY * len(findings))
        verdict = "pass" if score >= 70 else "warn" if score >= 40 else "hold"
        return {"score": score, "verdict": verdict, "language": "en",
                "dimensions": {"honesty": {"score": score, "verdict": verdict}},
                "findings": findings, "promises": [], "questions": [], "body": self.text,
                "error": None,
                "echo": {"now": self.now.isoformat() if self.now else None,
                         "original_text": self.original_text,
                         "original_date": (self.original_date.isoformat()
                                           if self.original_date else None)}}


@dataclass
class EchoScorer:
    calls: list[str] = field(default_factory=list)

    def score_text(self, text: str, *, now: datetime | None = None, lang: str = "auto",
                   original_text: str | None = None,
                   original_date: datetime | None = None) -> EchoReport:
        self.calls.append("text")
        return EchoReport(text, now, original_text, original_date)

    def score_message(self, raw: bytes, *, now: datetime | None = None, lang: str = "auto",
                      original: bytes | None = None) -> EchoReport:
        self.calls.append("message")
        body = raw.split(b"\r\n\r\n", 1)[-1].split(b"\n\n", 1)[-1].decode("utf-8", "replace")
        return EchoReport(body, now, original.decode("utf-8", "replace") if original else None,
                          None)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call_sync(port: int, method: str, path: str, body: Any = None, *,
              token: str | None = None, headers: dict[str, str] | None = None,
              raw_body: bytes | None = None) -> Reply:
    """One HTTP request with http.client; JSON-encodes ``body`` unless ``raw_body``."""
    all_headers: dict[str, str] = {}
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    data = raw_body
    if data is None and body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()},
                     response.read())
    finally:
        connection.close()


async def call(port: int, method: str, path: str, body: Any = None, **kwargs: Any) -> Reply:
    """``call_sync`` in a thread, so the server on this loop can answer."""
    return await asyncio.to_thread(call_sync, port, method, path, body, **kwargs)


@dataclass
class RunningApi:
    service: ApiService
    store: Store
    scorer: Any

    @property
    def port(self) -> int:
        return self.service.port

    @property
    def token(self) -> str:
        return self.service.token

    async def call(self, method: str, path: str, body: Any = None, *,
                   authorized: bool = True, **kwargs: Any) -> Reply:
        token = self.token if authorized else kwargs.pop("token", None)
        return await call(self.port, method, path, body, token=token, **kwargs)


@asynccontextmanager
async def running_api(tmp_path: Path, scorer: Any = None, *, max_body_bytes: int = 64 * 1024,
                      config_file: Path | None = None,
                      in_processes: bool = False) -> AsyncIterator[RunningApi]:
    """An ApiService on a free loopback port with a fresh store (and ``--config`` file);
    ``in_processes`` scores in worker processes as the daemon does."""
    store = open_store(str(tmp_path / "store.sqlite3"))
    settings = ApiSettings(listen=ListenAddress("127.0.0.1", 0), max_body_bytes=max_body_bytes)
    scorer = scorer if scorer is not None else EchoScorer()
    config = load_config(config_file)
    service = ApiService(config, scorer, store, settings=settings, in_processes=in_processes)
    await service.start()
    try:
        yield RunningApi(service, store, scorer)
    finally:
        await service.stop()
        store.close()
