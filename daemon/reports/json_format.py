"""The report as JSON (the format is documented in the README, section imap-reports)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from daemon.reports.compute import PeriodReport, Stats
from daemon.reports.rows import PromiseRow
from daemon.reports.wording import business_hours_text
from scoring.settings import WEEKDAYS

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


def promise_dict(row: PromiseRow) -> dict[str, Any]:
    promise = row.entry.promise
    return {"text": promise.text, "status": row.entry.status, "customer": row.customer,
            "subject": row.subject, "thread": row.entry.thread,
            "made_at": _iso(promise.made_at) if promise.made_at else None,
            "due": _iso(promise.due) if promise.due else None}


def business_dict(report: PeriodReport) -> dict[str, Any]:
    hours = report.business
    return {"text": business_hours_text(hours), "timezone": hours.timezone,
            "days": [WEEKDAYS[d] for d in hours.days],
            "hours": [f"{hours.start:%H:%M}", f"{hours.end:%H:%M}"],
            "holidays": hours.holidays, "sla_hours": hours.sla_hours,
            "change_in": report.settings_hint.path,
            "change_in_exists": report.settings_hint.exists,
            "own_mail": {"sent": report.own_hours.sent, "outside": report.own_hours.outside,
                         "better_zone": report.own_hours.better_zone or None}}


def report_dict(report: PeriodReport) -> dict[str, Any]:
    """A JSON-able dict: summary figures, then one object per response and open block."""
    return {
        "format": FORMAT_VERSION,
        "period": {"label": report.period.label, "start": _iso(report.period.start),
                   "end": _iso(report.period.end), "cutoff": _iso(report.cutoff),
                   "timezone": report.timezone},
        "title": f"trustmail {report.period.title}",
        "me": list(report.me),
        "business": business_dict(report),
        "notices": [{"code": n.code, "message": n.message} for n in report.notices],
        "sla_hours": report.sla_hours,
        "summary": stats_dict(report.stats),
        "buckets": [{"label": label, "count": count} for label, count in report.buckets],
        "customers": [{"customer": row.customer, "unanswered": row.unanswered,
                       **stats_dict(row.stats)} for row in report.customers],
        "trend": [{"week": point.week, **stats_dict(point.stats)} for point in report.trend],
        "promises": {
            "made": report.promises_made, "kept": report.promises_kept,
            "overdue": report.promises_overdue, "open": report.promises_open,
            "overdue_list": [promise_dict(row) for row in report.overdue_promises],
            "open_list": [promise_dict(row) for row in report.open_promises],
        },
        "trust": {
            "average_score": report.average_score,
            "scored_messages": report.scored_messages,
            "top_findings": [{"rule": f.rule, "name": f.name, "message": f.message,
                              "count": f.count, "example": f.example,
                              "example_from": f.example_from or None}
                             for f in report.top_findings],
        },
        "responses": [{
            "thread": r.thread, "inbound_message_id": r.inbound_message_id,
            "reply_message_id": r.reply_message_id, "customer": r.customer,
            "inbound_at": _iso(r.inbound_at), "replied_at": _iso(r.replied_at),
            "wall_seconds": r.wall_seconds, "business_seconds": r.business_seconds,
        } for r in report.responses],
        "unanswered": [{
            "thread": w.item.thread, "inbound_message_id": w.item.inbound_message_id,
            "customer": w.item.customer, "subject": w.subject,
            "inbound_at": _iso(w.item.inbound_at), "age_seconds": w.item.age_seconds,
            "business_age_seconds": w.item.business_age_seconds, "over_sla": w.over_sla,
        } for w in report.unanswered],
    }


def render_json(report: PeriodReport) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False)
