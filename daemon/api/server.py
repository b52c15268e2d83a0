"""The API service: starlette routes served by uvicorn on the daemon's asyncio loop.

Order of checks for each request (first failure answers):
HTTP framing (uvicorn's h11, ``daemon/api/protocol.py``) -> the head's limits (header
count, repeated headers, the target, no chunked body, Content-Length within
``max_body_bytes``) -> Host is loopback -> Origin is absent or the paired add-on's -> CORS
preflight answered -> the route exists -> bearer token -> JSON body fits the OpenAPI
schema -> handler. Every refusal is a JSON error (``daemon/api/errors.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from daemon.api import openapi, peer, security
from daemon.api.cache import ReportCache
from daemon.api.errors import HttpError, error_response, json_response
from daemon.api.handlers import Handlers
from daemon.api.large_bodies import read_body
from daemon.api.models import Body, Document
from daemon.api.pairing import PairEndpoint
from daemon.api.protocol import MAX_HEADER_BYTES, protocol_options, raise_file_limit
from daemon.api.routes import PAIR_PATH, ROUTES
from daemon.api.scoring_pool import DraftScoring, Runner
from daemon.config.load import LoadedConfig
from daemon.config.sections import ApiSettings
from daemon.runtime.logs import log_event
from daemon.scoring_service.scorer import Scorer
from daemon.scoring_service.service import ScoringService
from daemon.store.database import Store

log = logging.getLogger("trustmail.api")

MAX_HEADER_COUNT = 64
ONCE_HEADERS = ("host", "content-length", "authorization", "origin")
BODY_TIMEOUT_SECONDS = 30.0         # a client must send its whole body within this
BACKLOG = 2048                      # a burst of connects waits in the kernel, not refused
STOP_GRACE_SECONDS = 1.0            # requests in flight get this long when the daemon stops
RESPONSE_HEADERS = [("server", "trustmail"), ("cache-control", "no-store"),
                    ("x-content-type-options", "nosniff")]

# an endpoint's answer: its route's response model, a ready Response, or (the OpenAPI
# document) a JSON object
Endpoint = Callable[[Request, Any], Awaitable[Document | Response | dict[str, Any]]]


@dataclass(frozen=True)
class Route:
    endpoint: Endpoint
    secured: bool
    body_schema: str | None = None


class DaemonServer(uvicorn.Server):
    """uvicorn's server, minus its signal handlers: the daemon owns SIGINT, SIGTERM and
    SIGHUP (``daemon/app.py``), and this server is only one of its services."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


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
        self.paired_origin = security.load_paired_origin(self.token_file)
        self.handlers = Handlers(config, self.make_runner(config, scorer), store, self.token)
        self.routes = self.build_routes()
        self.app = self.build_app()
        self.server: DaemonServer | None = None
        self.serving: asyncio.Task[None] | None = None
        self.socket: socket.socket | None = None

    def build_routes(self) -> dict[tuple[str, str], Route]:
        """The route table (daemon/api/routes.py) bound to this service's endpoints."""
        h = self.handlers
        endpoints: dict[str, Endpoint] = {
            "score": h.score, "sent": h.sent, "health": h.health, "report": h.report,
            "promises": h.promises, "openapi": self.openapi_document,
            "pair": PairEndpoint(lambda: self.token, paired=self.pair),
        }
        return {spec.key: Route(endpoints[spec.handler], spec.secured,
                                spec.request.__name__ if spec.request else None)
                for spec in ROUTES}

    def pair(self, origin: str) -> None:
        """An add-on paired: from now on only its origin is answered."""
        security.save_paired_origin(self.token_file, origin)
        self.paired_origin = origin

    def make_runner(self, config: LoadedConfig, scorer: Scorer) -> Runner:
        if isinstance(scorer, ScoringService):
            service = scorer
        elif self.in_processes:
            service = ScoringService.in_processes(
                config.scoring, workers=config.daemon.smtp.score_workers,
                memory_mb=config.daemon.smtp.score_worker_memory_mb)
        else:
            service = ScoringService.in_threads(scorer)
        return DraftScoring(service)

    @property
    def scoring_service(self) -> ScoringService | None:
        """The scoring service the API's runner uses (none for a stand-in runner)."""
        runner = self.handlers.runner
        return runner.service if isinstance(runner, DraftScoring) else None

    def build_app(self) -> Starlette:
        """One starlette route per path, answering its methods; the :class:`Guard`
        middleware runs the checks that come before routing."""
        paths: dict[str, dict[str, Route]] = {}
        for (method, path), route in self.routes.items():
            paths.setdefault(path, {})[method] = route
        routes = []
        for path, by_method in paths.items():
            starlette_route = StarletteRoute(path, self.endpoint(by_method),
                                             methods=list(by_method))
            starlette_route.methods = set(by_method)   # no implicit HEAD for GET routes
            routes.append(starlette_route)
        return Starlette(routes=routes, middleware=[Middleware(Guard, service=self)],
                         exception_handlers={HTTPException: not_routed})

    @property
    def port(self) -> int:
        """The bound port (differs from the setting when it asked for port 0)."""
        if self.socket is None:
            return self.settings.listen.port
        return int(self.socket.getsockname()[1])

    @property
    def url(self) -> str:
        return openapi.server_url(self.settings.listen.host, self.port)

    async def start(self) -> None:
        """Start the scoring runner, then listen on the configured loopback address."""
        await self.handlers.runner.start()
        raise_file_limit()
        host, port = self.settings.listen.host, self.settings.listen.port
        self.socket = listening_socket(host, port)
        config = uvicorn.Config(
            self.app, lifespan="off", log_config=None, log_level="warning",
            access_log=False, server_header=False, date_header=False,
            headers=RESPONSE_HEADERS, backlog=BACKLOG,
            timeout_graceful_shutdown=int(STOP_GRACE_SECONDS), **protocol_options())
        self.server = DaemonServer(config)
        self.serving = asyncio.create_task(self.server.serve(sockets=[self.socket]))
        while not self.server.started and not self.serving.done():
            await asyncio.sleep(0.005)
        if self.serving.done():
            self.serving.result()       # raises what stopped it
        runner = self.handlers.runner
        in_processes = isinstance(runner, DraftScoring) and runner.service.uses_processes
        log_event(log, logging.INFO, "api-listening", url=self.url,
                  scoring="processes" if in_processes else "threads")

    async def stop(self) -> None:
        """Stop listening, end open connections (requests in flight get
        STOP_GRACE_SECONDS) and the worker threads."""
        if self.server is not None and self.serving is not None:
            self.server.should_exit = True
            await asyncio.gather(self.serving, return_exceptions=True)
            for connection in list(self.server.server_state.connections):
                connection.transport.close()    # left over after the grace period
            self.server = self.serving = None
        if self.socket is not None:
            self.socket.close()
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
        self.paired_origin = security.load_paired_origin(self.token_file)
        runner = self.make_runner(config, scorer)
        await runner.start()
        old_runner, self.handlers.runner = self.handlers.runner, runner
        self.handlers.retire(old_runner)   # closed when its requests are answered
        self.handlers.token = self.token
        self.handlers.config = config
        self.handlers.store = store
        self.handlers.cache = ReportCache()      # reports of the old config are stale
        return True

    def endpoint(self, by_method: dict[str, Route]) -> Callable[[Request], Awaitable[Response]]:
        """The starlette endpoint of one path: token, body, then the handler; a refusal
        or a failure becomes a JSON error."""
        async def respond(request: Request) -> Response:
            route = by_method[request.method]
            try:
                if route.secured:
                    security.check_token(request.headers, self.token)
                body = None
                if route.body_schema is not None:
                    body = await read_json(request, route.body_schema, self.scoring_service)
                result = await route.endpoint(request, body)
            except HttpError as error:
                return error_response(error)
            except Exception:
                log.exception("api-failed: %s %s", request.method, request.url.path)
                return error_response(HttpError(500, "internal_error",
                                                "the daemon failed; see its log"))
            if isinstance(result, Response):
                return result
            return json_response(200, result.to_json() if isinstance(result, Document)
                                 else result)
        return respond

    async def openapi_document(self, request: Request, body: None) -> dict[str, Any]:
        return openapi.with_server(openapi.DOCUMENT, self.url)


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``, made here so that a failure to bind is an
    OSError at start (uvicorn would exit the process). Its protocol is named: asyncio
    sets TCP_NODELAY only on sockets that say IPPROTO_TCP, and without it an answer
    written as head then body waits for the client's delayed ACK (40 ms)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


async def read_json(request: Request, schema_name: str,
                    service: ScoringService | None) -> Body:
    """The request's body, decoded, checked against its model (which also gives the
    OpenAPI document its schema) and converted into it: what the handler receives. A
    large body is parsed in one of ``service``'s workers (daemon/api/large_bodies.py)."""
    try:
        raw = await asyncio.wait_for(request.body(), BODY_TIMEOUT_SECONDS)
    except (TimeoutError, ClientDisconnect):
        raise HttpError(400, "bad_request", "the body is shorter than its Content-Length",
                        {"Connection": "close"}) from None
    return await read_body(request.headers.get("content-type", ""), raw, schema_name,
                           service)


async def not_routed(request: Request, error: Exception) -> Response:
    """starlette's routing refusals (no such path, another method) as our JSON errors."""
    assert isinstance(error, HTTPException)
    path = request.url.path
    if error.status_code == 405:
        allowed = (error.headers or {}).get("Allow", "")
        return error_response(HttpError(405, "method_not_allowed",
                                        f"{path} accepts {allowed}", {"Allow": allowed}))
    return error_response(HttpError(404, "not_found",
                                    f"no endpoint {path}; see /v1/openapi.json"))


def check_head(scope: Scope, headers: Headers, max_body_bytes: int) -> None:
    """What the old parser refused and h11 lets through; each answer closes the
    connection, as the body (if any) is not read."""
    close = {"Connection": "close"}
    if not str(scope["path"]).startswith("/"):
        raise HttpError(400, "bad_request", "the request target must be a path like "
                        "/v1/score", close)
    size = len(scope["raw_path"]) + len(scope["query_string"]) + sum(
        len(name) + len(value) + 4 for name, value in scope["headers"])
    if size > MAX_HEADER_BYTES:      # h11's own bound only holds for a head still arriving
        raise HttpError(431, "headers_too_large",
                        f"request headers are limited to {MAX_HEADER_BYTES} bytes", close)
    if len(scope["headers"]) > MAX_HEADER_COUNT:
        raise HttpError(431, "headers_too_large",
                        f"at most {MAX_HEADER_COUNT} request headers are accepted", close)
    for name in ONCE_HEADERS:
        if len(headers.getlist(name)) > 1:
            raise HttpError(400, "bad_request", f"the {name} header appears twice", close)
    if "transfer-encoding" in headers:
        raise HttpError(411, "length_required",
                        "chunked request bodies are not accepted; send Content-Length", close)
    length = int(headers.get("content-length", "0"))     # h11 checked it is digits
    if length > max_body_bytes:
        raise HttpError(413, "body_too_large",
                        f"the request body is {length} bytes; the limit is {max_body_bytes} "
                        "bytes ([api] max_body_bytes)", close)


class Guard:
    """ASGI middleware: the checks before routing, the CORS headers of the answer, the
    peer's addresses for pairing, and one debug line per request."""

    def __init__(self, app: ASGIApp, service: ApiService) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        peer.remember_addresses(scope.get("client"), scope.get("server"))
        headers = Headers(scope=scope)
        origin: str | None = None
        refusal: Response | None = None
        try:
            check_head(scope, headers, self.service.settings.max_body_bytes)
            security.check_host(headers, self.service.port)
            # Pairing is open to any add-on: a reinstalled one (a new origin) pairs again.
            paired = None if scope["path"] == PAIR_PATH else self.service.paired_origin
            origin = security.check_origin(headers, paired)
            if scope["method"] == "OPTIONS":
                refusal = self.preflight(str(scope["path"]), origin)
        except HttpError as error:
            refusal = error_response(error)
        status = 0

        async def send_with_cors(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = MutableHeaders(scope=message)
                for name, value in security.cors_headers(origin).items():
                    response_headers[name] = value
            await send(message)

        if refusal is not None:
            await refusal(scope, receive, send_with_cors)
        else:
            await self.app(scope, receive, send_with_cors)
        log_event(log, logging.DEBUG, "api-request", method=scope["method"],
                  path=scope["path"], status=status,
                  ms=round((time.perf_counter() - started) * 1000, 1))

    def preflight(self, path: str, origin: str | None) -> Response:
        if not any(path == known for _, known in self.service.routes):
            raise HttpError(404, "not_found", f"no endpoint {path}")
        return Response(b"", 204, security.cors_headers(origin, preflight=True))


def api_service(config: LoadedConfig, store: Store, scorer: Scorer) -> ApiService:
    """Service factory for the daemon (``daemon/app.py``): scoring through the daemon's
    scoring service (worker processes)."""
    return ApiService(config, scorer, store, in_processes=True)
