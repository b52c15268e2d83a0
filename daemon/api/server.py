"""The API service: routes, the checks every request passes, and the daemon hook.

Order of checks for each request (first failure answers):
Host is loopback -> Origin is absent or moz-extension -> CORS preflight answered ->
the route exists -> bearer token -> JSON body fits the OpenAPI schema -> handler.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daemon.api import openapi, peer, security
from daemon.api.cache import ReportCache
from daemon.api.handlers import Handlers
from daemon.api.http import (
    MAX_HEADER_BYTES,
    HttpError,
    Request,
    Response,
    error_response,
    json_response,
    serve_connection,
)
from daemon.api.pairing import PairEndpoint
from daemon.api.schema import SchemaError, validate
from daemon.api.scoring_pool import DraftScoring, Runner
from daemon.config.load import LoadedConfig
from daemon.config.sections import ApiSettings
from daemon.logging_setup import log_event
from daemon.scorer import Scorer
from daemon.scoring_service import ScoringService
from daemon.store.database import Store

log = logging.getLogger("trustmail.api")

MAX_CONNECTIONS = 64      # loopback clients: the add-on uses a handful at most

Endpoint = Callable[[Request, Any], Awaitable[Any]]


@dataclass(frozen=True)
class Route:
    endpoint: Endpoint
    secured: bool
    body_schema: str | None = None


class ApiService:
    """The HTTP API on ``[api] listen``, run on the daemon's asyncio loop.

    Implements the daemon's Service protocol: ``name``, ``start()``, ``stop()``,
    ``describe()``.
    """

    name = "api"

    def __init__(self, config: LoadedConfig, scorer: Scorer, store: Store, *,
                 settings: ApiSettings | None = None, token_file: Path | None = None,
                 in_processes: bool = False) -> None:
        """``scorer``: the daemon's :class:`ScoringService` (shared with the SMTP proxy),
        or a scorer for a service of its own: in worker processes built from
        ``config.scoring`` with ``in_processes``, else in threads (tests, embedding)."""
        self.settings = settings or config.daemon.api
        self.in_processes = in_processes
        self.token_file = token_file or security.token_path()
        self.token = security.load_or_create_token(self.token_file)
        self.handlers = Handlers(config, self.make_runner(config, scorer), store, self.token)
        self.routes = self.build_routes()
        self.server: asyncio.Server | None = None
        self.connections: set[asyncio.Task[None]] = set()

    def build_routes(self) -> dict[tuple[str, str], Route]:
        h = self.handlers
        return {
            ("POST", "/v1/score"): Route(h.score, True, "ScoreRequest"),
            ("POST", "/v1/sent"): Route(h.sent, True, "SentRequest"),
            ("GET", "/v1/health"): Route(h.health, False),
            ("GET", "/v1/report"): Route(h.report, True),
            ("GET", "/v1/promises"): Route(h.promises, True),
            ("GET", "/v1/openapi.json"): Route(self.openapi_document, False),
            ("POST", "/v1/pair"): Route(PairEndpoint(lambda: self.token), False, "PairRequest"),
        }

    def make_runner(self, config: LoadedConfig, scorer: Scorer) -> Runner:
        if isinstance(scorer, ScoringService):
            service = scorer
        elif self.in_processes:
            service = ScoringService.in_processes(config.scoring,
                                                  workers=config.daemon.smtp.score_workers)
        else:
            service = ScoringService.in_threads(scorer)
        return DraftScoring(service)

    @property
    def port(self) -> int:
        """The bound port (differs from the setting when it asked for port 0)."""
        if self.server is None or not self.server.sockets:
            return self.settings.listen.port
        return int(self.server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        host = self.settings.listen.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    async def start(self) -> None:
        """Start the scoring runner, then listen on the configured loopback address."""
        await self.handlers.runner.start()
        self.server = await asyncio.start_server(
            self.on_connection, self.settings.listen.host, self.settings.listen.port,
            limit=MAX_HEADER_BYTES)
        runner = self.handlers.runner
        in_processes = isinstance(runner, DraftScoring) and runner.service.uses_processes
        log_event(log, logging.INFO, "api-listening", url=self.url,
                  scoring="processes" if in_processes else "threads")

    async def stop(self) -> None:
        """Stop listening, end open connections and the worker threads."""
        if self.server is not None:
            self.server.close()
        for task in list(self.connections):
            task.cancel()
        if self.connections:
            await asyncio.gather(*self.connections, return_exceptions=True)
        if self.server is not None:
            await self.server.wait_closed()
            self.server = None
        self.handlers.close()
        log_event(log, logging.INFO, "api-stopped")

    def describe(self) -> str:
        return f"HTTP API on {self.url} (token in {self.token_file})"

    async def reload(self, config: LoadedConfig, store: Store, scorer: Scorer) -> bool:
        """Take the new config, scorer, store and token file (``trustmail token --rotate``)
        in place; a changed [api] section needs a restart (returns False)."""
        if config.daemon.api != self.settings:
            return False
        self.token = security.load_or_create_token(self.token_file)
        runner = self.make_runner(config, scorer)
        await runner.start()
        old_runner, self.handlers.runner = self.handlers.runner, runner
        self.handlers.retire(old_runner)   # closed when its requests are answered
        self.handlers.token = self.token
        self.handlers.config = config
        self.handlers.store = store
        self.handlers.cache = ReportCache()      # reports of the old config are stale
        return True

    async def on_connection(self, reader: asyncio.StreamReader,
                            writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        if len(self.connections) >= MAX_CONNECTIONS:
            writer.close()
            return
        self.connections.add(task)
        peer.remember(writer)         # who connected: pairing checks the socket's OS user
        try:
            await serve_connection(reader, writer, self.handle, self.settings.max_body_bytes)
        finally:
            self.connections.discard(task)

    async def handle(self, request: Request) -> Response:
        """Run every check, then the endpoint; any refusal becomes a JSON error."""
        started = time.perf_counter()
        origin: str | None = None
        try:
            security.check_host(request, self.port)
            origin = security.check_origin(request)
            response = await self.dispatch(request, origin)
        except HttpError as error:
            response = error_response(error)
        except Exception:
            log.exception("api-failed: %s %s", request.method, request.path)
            response = error_response(HttpError(500, "internal_error",
                                                "the daemon failed; see its log"))
        response.headers.update(security.cors_headers(origin))
        log_event(log, logging.DEBUG, "api-request", method=request.method, path=request.path,
                  status=response.status, ms=round((time.perf_counter() - started) * 1000, 1))
        return response

    async def dispatch(self, request: Request, origin: str | None) -> Response:
        if request.method == "OPTIONS":
            if not any(path == request.path for _, path in self.routes):
                raise HttpError(404, "not_found", f"no endpoint {request.path}")
            return Response(204, b"", security.cors_headers(origin, preflight=True))
        route = self.routes.get((request.method, request.path))
        if route is None:
            allowed = [m for m, path in self.routes if path == request.path]
            if allowed:
                raise HttpError(405, "method_not_allowed",
                                f"{request.path} accepts {', '.join(allowed)}",
                                {"Allow": ", ".join(allowed)})
            raise HttpError(404, "not_found", f"no endpoint {request.path}; see "
                            "/v1/openapi.json")
        if route.secured:
            security.check_token(request, self.token)
        body = None
        if route.body_schema is not None:
            body = request.json()
            try:
                validate(body, openapi.schema(route.body_schema), openapi.DOCUMENT)
            except SchemaError as error:
                raise HttpError(400, "invalid_request", str(error)) from None
        result = await route.endpoint(request, body)
        return result if isinstance(result, Response) else json_response(200, result)

    async def openapi_document(self, request: Request, body: None) -> dict[str, Any]:
        document = dict(openapi.DOCUMENT)
        document["servers"] = [{"url": self.url}]
        return document


def api_service(config: LoadedConfig, store: Store, scorer: Scorer) -> ApiService:
    """Service factory for the daemon (``daemon/app.py``): scoring through the daemon's
    scoring service (worker processes)."""
    return ApiService(config, scorer, store, in_processes=True)
