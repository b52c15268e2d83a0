"""The API's routes as one table: what the server serves and the OpenAPI document says.

Each route names its handler, whether it needs the token, the model its request body
must fit (``daemon/api/models.py``), its query parameters, and its answers: the model of
each status it gives besides the refusals every route shares (400, 401, 403, and 413,
415 for a body; ``daemon/api/openapi.py`` adds those). The server binds the handlers
(``daemon/api/server.py``), the document is generated from the same rows, so neither
can list a route, a status or a schema the other does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from daemon.api import models
from daemon.application.list_promises import ALL
from daemon.conversations.promise_status import KEPT, OPEN, OVERDUE


@dataclass(frozen=True)
class Answer:
    """One documented status: its body's model (None: any JSON object) and what it means."""

    model: type[BaseModel] | None
    description: str


@dataclass(frozen=True)
class Query:
    """An optional string query parameter (``choices``: the values it may take)."""

    name: str
    description: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    handler: str            # the name of its endpoint (server.ApiService.endpoints)
    summary: str
    answers: dict[int, Answer]
    secured: bool = True
    request: type[models.Body] | None = None
    query: tuple[Query, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


PAIR_PATH = "/v1/pair"
ME = Query("me", "my addresses, comma-separated (default: [report] me, else the "
           "IMAP accounts' usernames)")
PROMISE_STATUSES = (OPEN, OVERDUE, KEPT, ALL)

ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec("POST", "/v1/score", "score",
              "Score a draft (text or raw message), optionally with the original it answers",
              {200: Answer(models.Report, "The report"),
               413: Answer(models.Error, "The draft needs more memory than a scoring worker "
                           "may use ([smtp] score_worker_memory_mb); not scored"),
               422: Answer(models.Error, "The draft took longer than its time budget to "
                           "score; not scored, and a retry would fail the same way"),
               503: Answer(models.Error, "Too many drafts are being scored, or a scoring "
                           "worker stopped and is being restarted; try again (Retry-After)")},
              request=models.ScoreRequest),
    RouteSpec("POST", "/v1/sent", "sent",
              "Record a sent message and its final report for the store and promise ledger",
              {200: Answer(models.SentResponse, "Recorded (or already recorded)")},
              request=models.SentRequest),
    RouteSpec("GET", "/v1/health", "health",
              "Liveness, and whether the bearer token sent is right",
              {200: Answer(models.Health, "The daemon is up")}, secured=False),
    RouteSpec("GET", "/v1/report", "report",
              "The weekly report (last full week unless a period is given)",
              {200: Answer(models.WeeklyReport, "The report")},
              query=(Query("week", "ISO week, e.g. 2026-W47"),
                     Query("since", "first day, YYYY-MM-DD"),
                     Query("until", "last day, YYYY-MM-DD (with since; default today)"),
                     ME)),
    RouteSpec("GET", "/v1/promises", "promises",
              "The promise ledger: promises made in sent mail, open, kept or overdue",
              {200: Answer(models.PromiseList, "The promises")},
              query=(Query("status", "only this status", PROMISE_STATUSES), ME)),
    RouteSpec("POST", PAIR_PATH, "pair",
              "Redeem a one-time pairing window (`trustmail pair`): the answer is the token",
              {200: Answer(models.PairResponse, "Paired: keep this token")},
              secured=False, request=models.PairRequest),
    RouteSpec("GET", "/v1/openapi.json", "openapi", "This document",
              {200: Answer(None, "The OpenAPI document")}, secured=False),
)
