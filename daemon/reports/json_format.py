"""The report as JSON (the format is documented in the README, section imap-reports)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from daemon.reports.compute import Report, Stats

FORMAT_VERSION = 1


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def stats_dict(stats: Stats) -> dict[str, Any]:
    return {
        "count": stats.count,
        "median_business_seconds": stats.median_business,
        "p90_business_seconds": stats.p90_business,
        "median_wall_seconds": stats.median_wall,
        "p90_wall_seconds": stats.p90_wall,
        "within_sla_percent": stats.within_sla_percent,
    }


def report_dict(report: Report) -> dict[str, Any]:
    """A JSON-able dict: summary figures, then one object per response and open block."""
    return {
        "format": FORMAT_VERSION,
        "period": {"label": report.period.label, "start": _iso(report.period.start),
                   "end": _iso(report.period.end), "cutoff": _iso(report.cutoff),
                   "timezone": report.timezone},
        "me": list(report.me),
        "sla_hours": report.sla_hours,
        "summary": stats_dict(report.stats),
        "buckets": [{"label": label, "count": count} for label, count in report.buckets],
        "customers": [{"customer": row.customer, "unanswered": row.unanswered,
                       **stats_dict(row.stats)} for row in report.customers],
        "trend": [{"week": point.week, **stats_dict(point.stats)} for point in report.trend],
        "promises": {
            "made": report.promises_made, "kept": report.promises_kept,
            "overdue": report.promises_overdue, "open": report.promises_open,
            "overdue_list": [{"text": e.promise.text, "thread": e.thread,
                              "due": _iso(e.promise.due) if e.promise.due else None}
                             for e in report.overdue_promises],
        },
        "trust": {
            "average_score": report.average_score,
            "scored_messages": report.scored_messages,
            "top_findings": [{"rule": f.rule, "count": f.count, "example": f.example}
                             for f in report.top_findings],
        },
        "responses": [{
            "thread": r.thread, "inbound_message_id": r.inbound_message_id,
            "reply_message_id": r.reply_message_id, "customer": r.customer,
            "inbound_at": _iso(r.inbound_at), "replied_at": _iso(r.replied_at),
            "wall_seconds": r.wall_seconds, "business_seconds": r.business_seconds,
        } for r in report.responses],
        "unanswered": [{
            "thread": u.thread, "inbound_message_id": u.inbound_message_id,
            "customer": u.customer, "inbound_at": _iso(u.inbound_at),
            "age_seconds": u.age_seconds, "business_age_seconds": u.business_age_seconds,
        } for u in report.unanswered],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False)
