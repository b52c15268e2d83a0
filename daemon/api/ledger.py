"""Read-only store queries behind ``GET /v1/promises`` and ``GET /v1/report``.

Promise status: what the promise ledger last saved (``open``/``kept``/``overdue``),
with an ``open`` promise past its due date shown as ``overdue`` right away.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from daemon.store import Store, iso_utc

TOP_RULES = 10
STATUSES = ("open", "overdue", "kept")

PROMISES_SQL = """
SELECT p.id, p.text, p.owner, p.due_utc, p.hedged, p.status,
       m.message_id, m.subject, m.to_addrs, m.date_utc, m.source
FROM promises p JOIN messages m ON m.id = p.message
WHERE m.direction = 'out'
ORDER BY p.due_utc IS NULL, p.due_utc, p.id
"""


def promise_status(stored: str, due_utc: str | None, now: datetime) -> str:
    """The stored status, except that an open promise past its due date is overdue."""
    if stored == "open" and due_utc and datetime.fromisoformat(due_utc) < now:
        return "overdue"
    return stored if stored in STATUSES else "open"


def list_promises(store: Store, now: datetime, status: str = "all") -> list[dict[str, Any]]:
    """Promises from sent mail, earliest due first; ``status`` filters (or ``all``)."""
    result = []
    for row in store.query(PROMISES_SQL):
        current = promise_status(row["status"], row["due_utc"], now)
        if status not in ("all", current):
            continue
        result.append({
            "id": row["id"], "text": row["text"], "owner": row["owner"],
            "due": row["due_utc"], "hedged": bool(row["hedged"]), "status": current,
            "message": {"message_id": row["message_id"], "subject": row["subject"],
                        "to": [a for a in row["to_addrs"].split(",") if a],
                        "date": row["date_utc"], "source": row["source"]},
        })
    return result


def activity_report(store: Store, now: datetime, days: int) -> dict[str, Any]:
    """Sent messages of the last ``days`` days: count, mean score, verdicts, top rules."""
    since = iso_utc(now - timedelta(days=days))
    window = "direction = 'out' AND COALESCE(date_utc, recorded_at) >= ?"
    totals = store.query(f"SELECT COUNT(*) AS n, AVG(score) AS mean FROM messages "
                         f"WHERE {window}", (since,))[0]
    verdicts = {row["verdict"]: row["n"] for row in store.query(
        f"SELECT verdict, COUNT(*) AS n FROM messages WHERE {window} AND verdict IS NOT NULL "
        "GROUP BY verdict", (since,))}
    top_rules = [{"rule": row["rule"], "count": row["n"]} for row in store.query(
        "SELECT f.rule, COUNT(*) AS n FROM findings f JOIN messages m ON m.id = f.message "
        "WHERE m.direction = 'out' AND COALESCE(m.date_utc, m.recorded_at) >= ? GROUP BY f.rule "
        "ORDER BY n DESC, f.rule LIMIT ?", (since, TOP_RULES))]
    promises = {status: 0 for status in STATUSES}
    for promise in list_promises(store, now):
        promises[promise["status"]] += 1
    mean = totals["mean"]
    return {"since": since, "until": iso_utc(now), "sent": totals["n"],
            "average_score": round(mean, 1) if mean is not None else None,
            "verdicts": verdicts, "top_rules": top_rules, "promises": promises}


def utc_now() -> datetime:
    return datetime.now(UTC)
