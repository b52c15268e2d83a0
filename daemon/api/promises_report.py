"""``GET /v1/promises`` and ``GET /v1/report``: the promise ledger and the weekly report.

Both are computed exactly as ``trustmail promises`` and ``trustmail report --format json``
compute them (same modules, same JSON), so the API, the CLI and the weekly email agree.
"Me" (whose replies and promises count) is the ``me`` query parameter (comma-separated
addresses), else ``[report] me``, else the IMAP accounts' usernames.
"""

from __future__ import annotations

from datetime import UTC, datetime

from daemon.api.models import LedgerPromise, WeeklyReport
from daemon.application.build_report import ReportRequest, build_report
from daemon.application.list_promises import entry_dict, list_promises
from daemon.config.load import LoadedConfig
from daemon.reports.json_format import report_dict
from daemon.store.database import Store

__all__ = ["promise_ledger", "utc_now", "weekly_report"]


def me_from_query(query: dict[str, str]) -> list[str] | None:
    """``?me=a@x,b@y`` -> addresses; None when not given (use the config)."""
    text = query.get("me", "").strip()
    return [a.strip() for a in text.split(",") if a.strip()] or None


def promise_ledger(config: LoadedConfig, store: Store, query: dict[str, str],
                   now: datetime, status: str) -> list[LedgerPromise]:
    """The ledger entries (``status`` filters, or ``all``); statuses are saved back."""
    return [LedgerPromise.model_validate(entry_dict(e))
            for e in list_promises(config, store, me_from_query(query), now, status)]


def weekly_report(config: LoadedConfig, store: Store, query: dict[str, str],
                  now: datetime) -> WeeklyReport:
    """The report of ``trustmail report --format json`` for the period the query names
    (``?week=2026-W47``, ``?since=2026-11-01[&until=...]``, else the last full week)."""
    me = me_from_query(query)
    request = ReportRequest(week=query.get("week"), since=query.get("since"),
                            until=query.get("until"), me=tuple(me) if me else None)
    return WeeklyReport.model_validate(report_dict(build_report(config, request, now, store)))


def utc_now() -> datetime:
    return datetime.now(UTC)
