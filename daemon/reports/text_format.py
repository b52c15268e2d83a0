"""The report as plain text (the CLI's default and the email's text part)."""

from __future__ import annotations

from collections.abc import Sequence

from daemon.reports.compute import PeriodReport, Stats
from daemon.reports.rows import PromiseRow, Waiting
from daemon.reports.wording import (
    age_words,
    business_hours_text,
    duration,
    percent,
    shorten,
)

MAX_LISTED = 15
SUBJECT_CHARS = 50
PROMISE_CHARS = 60
CUSTOMER_CHARS = 28
MORE_IN_JSON = "the JSON report (--format json) lists them all"


def stats_line(stats: Stats) -> str:
    return (f"{stats.count} replies; median {duration(stats.median_business)} business "
            f"({duration(stats.median_wall)} wall), p90 {duration(stats.p90_business)} "
            f"business ({duration(stats.p90_wall)} wall); "
            f"within SLA {percent(stats.within_sla_percent)}")


def headline(report: PeriodReport) -> list[str]:
    """Who, which period, and the calendar business time was counted in (and where to
    change it): the first lines of every form of the report."""
    return [f"trustmail {report.period.title} for {', '.join(report.me)}",
            f"Business hours assumed: {business_hours_text(report.business)}; "
            f"SLA {report.sla_hours:g} business hours.",
            f"Change them under [business] in {report.settings_hint}."]


def more_line(total: int, shown: int) -> list[str]:
    return [f"  ... and {total - shown} more ({MORE_IN_JSON})"] if total > shown else []


def waiting_lines(rows: Sequence[Waiting]) -> list[str]:
    lines = [f"  {'since':<10}  {'waiting':<10}  {'customer':<{CUSTOMER_CHARS}}  subject"]
    for row in rows[:MAX_LISTED]:
        late = "!" if row.over_sla else " "
        lines.append(f"{late} {row.item.inbound_at.date().isoformat():<10}  "
                     f"{age_words(row.item.age_seconds):<10}  "
                     f"{shorten(row.item.customer, CUSTOMER_CHARS):<{CUSTOMER_CHARS}}  "
                     f"{shorten(row.subject, SUBJECT_CHARS)}")
    return lines + more_line(len(rows), MAX_LISTED)


def promise_lines(title: str, rows: Sequence[PromiseRow]) -> list[str]:
    if not rows:
        return []
    lines = [f"  {title} ({len(rows)}):"]
    for row in rows[:MAX_LISTED]:
        due = row.entry.promise.due.date().isoformat() if row.entry.promise.due else "no date"
        lines.append(f"    due {due:<10}  {shorten(row.customer, CUSTOMER_CHARS)}: "
                     f"\u201c{shorten(row.entry.promise.text, PROMISE_CHARS)}\u201d "
                     f"({shorten(row.subject, SUBJECT_CHARS)})")
    return lines + ["  " + line for line in more_line(len(rows), MAX_LISTED)]


def render_text(report: PeriodReport) -> str:
    """A readable plain-text report, widest table about 100 columns."""
    lines = headline(report)
    lines += [f"Note: {n.message}." for n in report.notices]
    lines += ["", "First responses", "  " + stats_line(report.stats), "",
              "Distribution (wall time)"]
    lines += [f"  {label:<7} {count:>5}" for label, count in report.buckets]
    lines += ["", "Per customer",
              f"  {'customer':<34} {'replies':>7} {'median bus.':>11} {'SLA':>5} {'waiting':>7}"]
    for row in report.customers[:MAX_LISTED]:
        lines.append(f"  {shorten(row.customer, 34):<34} {row.stats.count:>7} "
                     f"{duration(row.stats.median_business):>11} "
                     f"{percent(row.stats.within_sla_percent):>5} {row.unanswered:>7}")
    lines += more_line(len(report.customers), MAX_LISTED)
    lines += ["", f"Waiting for your reply: {len(report.unanswered)} "
              f"({len(report.overdue_unanswered)} longer than the SLA, marked !)"]
    if report.unanswered:
        lines += waiting_lines(report.unanswered)
    lines += ["", "Trend (median business time, replies, SLA)"]
    lines += [f"  {p.week}  {duration(p.stats.median_business):>9}  {p.stats.count:>4}  "
              f"{percent(p.stats.within_sla_percent):>5}" if p.stats.count else
              f"  {p.week}  {'no replies':>9}" for p in report.trend]
    lines += ["", f"Promises made: {report.promises_made}, kept {report.promises_kept}, "
              f"overdue {report.promises_overdue}, open {report.promises_open}"]
    lines += promise_lines("overdue", report.overdue_promises)
    lines += promise_lines("open", report.open_promises)
    score = "-" if report.average_score is None else f"{report.average_score:.0f}"
    lines += ["", f"Average trust score: {score} over {report.scored_messages} sent messages"]
    for finding in report.top_findings:
        lines.append(f"  {finding.count:>3} x {finding.name}: {finding.message}")
        if finding.example:
            lines.append(f"        e.g. \u201c{finding.example}\u201d ({finding.example_from})")
    return "\n".join(lines) + "\n"
