"""The report as plain text (the CLI's default and the email's text part)."""

from __future__ import annotations

from daemon.reports.compute import HOUR, Report, Stats

MAX_LISTED = 15


def duration(seconds: float | None) -> str:
    """``None`` -> "-", else a short human duration: 45 min, 3.5 h, 2.1 d."""
    if seconds is None:
        return "-"
    if seconds < HOUR:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * HOUR:
        return f"{seconds / HOUR:.1f} h"
    return f"{seconds / (24 * HOUR):.1f} d"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def stats_line(stats: Stats) -> str:
    return (f"{stats.count} replies; median {duration(stats.median_business)} business "
            f"({duration(stats.median_wall)} wall), p90 {duration(stats.p90_business)} "
            f"business ({duration(stats.p90_wall)} wall); "
            f"within SLA {percent(stats.within_sla_percent)}")


def render_text(report: Report) -> str:
    """A readable plain-text report, widest table 78 columns."""
    lines = [f"trustmail weekly report {report.period.label} for {', '.join(report.me)}",
             f"Business hours in {report.timezone}; SLA {report.sla_hours:g} business hours.",
             "", "First responses", "  " + stats_line(report.stats), "",
             "Distribution (wall time)"]
    lines += [f"  {label:<7} {count:>5}" for label, count in report.buckets]
    lines += ["", "Per customer",
              f"  {'customer':<34} {'replies':>7} {'median bus.':>11} {'SLA':>5} {'waiting':>7}"]
    for row in report.customers[:MAX_LISTED]:
        lines.append(f"  {row.customer[:34]:<34} {row.stats.count:>7} "
                     f"{duration(row.stats.median_business):>11} "
                     f"{percent(row.stats.within_sla_percent):>5} {row.unanswered:>7}")
    lines += ["", f"Unanswered longer than the SLA: {len(report.overdue_unanswered)}"]
    for item in sorted(report.overdue_unanswered, key=lambda u: u.inbound_at,
                       reverse=True)[:MAX_LISTED]:
        lines.append(f"  {item.customer[:40]:<40} waiting {duration(item.age_seconds)} "
                     f"({duration(item.business_age_seconds)} business)")
    lines += ["", "Trend (median business time, replies, SLA)"]
    lines += [f"  {p.week}  {duration(p.stats.median_business):>9}  {p.stats.count:>4}  "
              f"{percent(p.stats.within_sla_percent):>5}" for p in report.trend]
    lines += ["", f"Promises made: {report.promises_made}, kept {report.promises_kept}, "
              f"overdue {report.promises_overdue}, open {report.promises_open}"]
    for entry in report.overdue_promises[:MAX_LISTED]:
        due = entry.promise.due.date().isoformat() if entry.promise.due else "-"
        lines.append(f"  overdue since {due}: {entry.promise.text[:60]}")
    score = "-" if report.average_score is None else f"{report.average_score:.0f}"
    lines += ["", f"Average trust score: {score} over {report.scored_messages} sent messages"]
    for finding in report.top_findings:
        example = f"  e.g. \"{finding.example[:40]}\"" if finding.example else ""
        lines.append(f"  {finding.count:>3} x {finding.rule}{example}")
    return "\n".join(lines) + "\n"
