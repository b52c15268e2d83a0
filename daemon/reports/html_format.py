"""The report as a self-contained HTML page (inline CSS and SVG, nothing external)."""

from __future__ import annotations

from html import escape

from daemon.reports.compute import Report, Stats
from daemon.reports.svg_chart import trend_svg
from daemon.reports.text_format import MAX_LISTED, duration, percent

STYLE = ("body{font-family:sans-serif;max-width:760px;margin:auto;color:#222}"
         "table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 8px;"
         "border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child"
         "{text-align:left}.big{font-size:1.4em;font-weight:bold}")


def _stats_cells(stats: Stats) -> str:
    return "".join(f"<td>{escape(v)}</td>" for v in (
        str(stats.count), duration(stats.median_business), duration(stats.p90_business),
        duration(stats.median_wall), duration(stats.p90_wall),
        percent(stats.within_sla_percent)))


def _table(head: list[str], rows: list[str]) -> str:
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    return f"<table><tr>{header}</tr>{''.join(rows)}</table>"


def render_html(report: Report) -> str:
    """The HTML report; every figure matches the text and JSON renderings."""
    title = f"trustmail weekly report {report.period.label}"
    stats_head = ["replies", "median bus.", "p90 bus.", "median wall", "p90 wall", "in SLA"]
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}"
             f"</title><style>{STYLE}</style></head><body><h1>{escape(title)}</h1>",
             f"<p>For {escape(', '.join(report.me))}. Business hours in "
             f"{escape(report.timezone)}; SLA {report.sla_hours:g} business hours.</p>",
             "<h2>First responses</h2>",
             f"<p class='big'>median {escape(duration(report.stats.median_business))} "
             f"business, {escape(percent(report.stats.within_sla_percent))} within SLA</p>",
             _table(stats_head, [f"<tr>{_stats_cells(report.stats)}</tr>"]),
             "<h2>Distribution (wall time)</h2>",
             _table([label for label, _ in report.buckets],
                    ["<tr>" + "".join(f"<td>{c}</td>" for _, c in report.buckets) + "</tr>"]),
             "<h2>Trend, last 8 weeks</h2>", trend_svg(report.trend, report.sla_hours),
             "<h2>Per customer</h2>",
             _table(["customer", *stats_head, "waiting"],
                    [f"<tr><td>{escape(r.customer)}</td>{_stats_cells(r.stats)}"
                     f"<td>{r.unanswered}</td></tr>" for r in report.customers[:MAX_LISTED]]),
             f"<h2>Unanswered longer than the SLA ({len(report.overdue_unanswered)})</h2>",
             _table(["customer", "since", "waiting", "business"],
                    [f"<tr><td>{escape(u.customer)}</td>"
                     f"<td>{u.inbound_at.date().isoformat()}</td>"
                     f"<td>{duration(u.age_seconds)}</td>"
                     f"<td>{duration(u.business_age_seconds)}</td></tr>"
                     for u in sorted(report.overdue_unanswered, key=lambda u: u.inbound_at,
                                     reverse=True)[:MAX_LISTED]]),
             "<h2>Promises</h2>",
             f"<p>Made {report.promises_made}, kept {report.promises_kept}, overdue "
             f"{report.promises_overdue}, open {report.promises_open}.</p>"]
    if report.overdue_promises:
        parts.append("<ul>" + "".join(
            f"<li>{escape(e.promise.text)} (due "
            f"{e.promise.due.date().isoformat() if e.promise.due else '-'})</li>"
            for e in report.overdue_promises[:MAX_LISTED]) + "</ul>")
    score = "-" if report.average_score is None else f"{report.average_score:.0f}"
    parts.append(f"<h2>Trust score</h2><p>Average {score} over {report.scored_messages} "
                 "sent messages.</p>")
    if report.top_findings:
        parts.append(_table(["finding", "count", "example"], [
            f"<tr><td>{escape(f.rule)}</td><td>{f.count}</td><td>{escape(f.example)}</td></tr>"
            for f in report.top_findings]))
    parts.append("</body></html>")
    return "\n".join(parts)
