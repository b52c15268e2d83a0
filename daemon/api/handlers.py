"""The API's endpoints: score a draft, record a send, health, weekly report, promises.

Handlers receive an already authenticated request and its body as its route's request
model (validated and converted once, ``daemon/api/validation.py``); they answer with the
response model the route table names (``daemon/api/routes.py``), or a ready Response (a
report encoded once, cached). Scoring runs in the runner (worker processes in the
daemon); SQLite work in a small thread pool, so the daemon's event loop (SMTP proxy
included) never waits.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from importlib import metadata
from typing import ParamSpec, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from daemon import metrics
from daemon.api import promises_report
from daemon.api.cache import ReportCache, request_key
from daemon.api.disconnect import unless_disconnected
from daemon.api.drafts import DraftRequest, parse_draft, predecoded
from daemon.api.errors import JSON_CONTENT_TYPE, HttpError
from daemon.api.models import (
    Health,
    PromiseList,
    ScoreRequest,
    SentRequest,
    SentResponse,
    WeeklyReport,
)
from daemon.api.routes import PROMISE_STATUSES
from daemon.api.scoring_pool import Runner
from daemon.api.security import token_matches
from daemon.application.record_send import record_send, sent_record
from daemon.config.load import LoadedConfig
from daemon.scoring_service.pool import JobTimedOut, WorkerError, WorkerOutOfMemory
from daemon.store.database import Store
from scoring.errors import InputError

STORE_THREADS = 2
RETIRE_SECONDS = 60.0     # a replaced runner is closed by then, answered or not
# Drafts being scored at once, beyond which a new one gets 503 + Retry-After: a burst of
# distinct drafts would otherwise queue for seconds (a cached or identical draft skips
# the queue, see ReportCache).
MAX_SCORING_IN_FLIGHT = 64

P = ParamSpec("P")
R = TypeVar("R")


@functools.cache
def trustmail_version() -> str:
    """The installed trustmail version ("unknown" in a checkout that is not installed).
    Read once: importlib.metadata parses the package's METADATA file each time (~3 ms,
    the whole cost of a /v1/health answer)."""
    try:
        return metadata.version("trustmail")
    except metadata.PackageNotFoundError:
        return "unknown"


class Handlers:
    """Endpoint implementations bound to one scorer, one store and the API token."""

    def __init__(self, config: LoadedConfig, runner: Runner, store: Store,
                 token: str) -> None:
        self.config = config
        self.runner = runner
        self.store = store
        self.token = token
        self.executor = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="api-store")
        self.cache = ReportCache()
        self.in_flight: dict[Runner, int] = {}     # scoring requests running, per runner
        self.retired: set[Runner] = set()          # replaced runners still finishing some

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.runner.close()
        for runner in list(self.retired):
            runner.close()
        self.retired.clear()

    def retire(self, runner: Runner) -> None:
        """A reload replaced ``runner``: close it once its requests have their answers
        (at most RETIRE_SECONDS later), so a reload while somebody types fails nothing."""
        if not self.in_flight.get(runner):
            runner.close()
            return
        self.retired.add(runner)
        asyncio.get_running_loop().call_later(RETIRE_SECONDS, self._close_retired, runner)

    def _close_retired(self, runner: Runner) -> None:
        if runner in self.retired:
            self.retired.discard(runner)
            runner.close()

    async def run_scoring(self, draft: DraftRequest) -> bytes:
        if sum(self.in_flight.values()) >= MAX_SCORING_IN_FLIGHT:
            raise HttpError(503, "busy", f"{MAX_SCORING_IN_FLIGHT} drafts are being scored; "
                            "try again", {"Retry-After": "1"})
        runner = self.runner
        self.in_flight[runner] = self.in_flight.get(runner, 0) + 1
        try:
            return metrics.record_scored_json("api", await runner.run(draft))
        except JobTimedOut:   # a retry would run past the budget again, and cost a respawn
            raise HttpError(422, "too_slow_to_score",
                            "this draft took longer than its time budget to score; it is "
                            "not scored (sending it again will not help)") from None
        except WorkerOutOfMemory:
            raise HttpError(413, "too_large_to_score",
                            "this draft needs more memory than a scoring worker may use; it "
                            "is not scored (sending it again will not help)") from None
        except WorkerError as error:   # a worker died mid-draft or the pool is closing
            raise HttpError(503, "scoring_unavailable",
                            f"scoring stopped ({type(error).__name__}); the worker is being "
                            "restarted, try again", {"Retry-After": "1"}) from None
        finally:
            self.in_flight[runner] -= 1
            if not self.in_flight[runner]:
                del self.in_flight[runner]
                if runner in self.retired:
                    self._close_retired(runner)

    async def run_blocking(self, function: Callable[P, R], *args: P.args,
                           **kwargs: P.kwargs) -> R:
        """``function(*args)`` in the store's threads."""
        return await asyncio.get_running_loop().run_in_executor(
            self.executor, functools.partial(function, *args, **kwargs))

    async def score(self, request: Request, body: ScoreRequest) -> Response:
        """``POST /v1/score``: the report of a draft, as the CLI prints it."""
        now = promises_report.utc_now()
        draft = parse_draft(body, await predecoded(body))
        draft = replace(draft, now=draft.now or now)   # the scoring core never reads the clock
        # decoding a 5 MB draft and hashing its body are ~20 ms each: two loop turns, with
        # the I/O that came in meanwhile between them (the second yield puts this task
        # behind the callbacks of that I/O, which the first one does not)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        # a client that disconnects stops waiting: its draft leaves the scoring queue
        encoded = await unless_disconnected(request, self.cache.get_or_compute(
            request_key(body, now), lambda: self.run_scoring(draft)))
        return Response(encoded, 200, media_type=JSON_CONTENT_TYPE)

    async def sent(self, request: Request, body: SentRequest) -> SentResponse:
        """``POST /v1/sent``: store a send from the add-on (once per Message-ID)."""
        record = sent_record(body.message, account=body.account or "", body=body.body)
        recorded = await self.run_blocking(record_send, self.store, record, body.report)
        return SentResponse(id=recorded.id, duplicate=recorded.duplicate)

    async def health(self, request: Request, body: None) -> Health:
        """``GET /v1/health``: up, and whether the token sent (if any) is right."""
        token_valid = (token_matches(request.headers, self.token)
                       if "authorization" in request.headers else None)
        return Health(status="ok", version=trustmail_version(), token_valid=token_valid)

    async def report(self, request: Request, body: None) -> WeeklyReport:
        """``GET /v1/report?week=|since=&until=&me=``: the weekly report's JSON."""
        return await self.run_blocking(
            guarded, promises_report.weekly_report, self.config, self.store,
            dict(request.query_params), promises_report.utc_now())

    async def promises(self, request: Request, body: None) -> PromiseList:
        """``GET /v1/promises?status=open|overdue|kept|all&me=``: the promise ledger."""
        status = request.query_params.get("status", "all")
        if status not in PROMISE_STATUSES:
            raise HttpError(400, "invalid_request",
                            "query.status: must be one of open, overdue, kept, all")
        entries = await self.run_blocking(
            guarded, promises_report.promise_ledger, self.config, self.store,
            dict(request.query_params), promises_report.utc_now(), status)
        return PromiseList(promises=entries)


def guarded(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run ``function``; its InputError (a bad period, unknown "me") becomes a 400."""
    try:
        return function(*args, **kwargs)
    except InputError as error:
        raise HttpError(400, "invalid_request", f"query: {error}") from None
