"""The report as an HTML page for a browser or a mail client (inline CSS, no scripts).

The trend chart is a PNG (:mod:`.chart`): inline as a ``data:`` URI in a standalone
page, or a ``cid:`` reference to a part of the email (:mod:`.email_message`), which
clients that hide inline SVG and data URIs still show.
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Sequence
from html import escape

from daemon.reports.chart import WIDTH_PX, chart_alt_text, trend_png
from daemon.reports.compute import PeriodReport, Stats
from daemon.reports.rows import PromiseRow, Waiting
from daemon.reports.text_format import (
    MAX_LISTED,
    MORE_IN_JSON,
    PROMISE_CHARS,
    SUBJECT_CHARS,
    headline,
)
from daemon.reports.wording import age_words, duration, percent, shorten

STYLE = ("body{font-family:sans-serif;max-width:760px;margin:auto;color:#222;padding:0 8px}"
         "table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 8px;"
         "border-bottom:1px solid #ddd;text-align:right;vertical-align:top}"
         "td.l,th.l{text-align:left}.big{font-size:1.4em;font-weight:bold}"
         ".age{white-space:nowrap}td:first-child{white-space:nowrap}"
         ".note{background:#fff4d6;border-left:4px solid #e0a800;padding:6px 10px;"
         "margin:6px 0}.muted{color:#666}.late{color:#b03a2e;font-weight:bold}")
TEXT_COLUMNS = (0, 1, 2, 3)
STATS_HEAD = ["replies", "median bus.", "p90 bus.", "median wall", "p90 wall", "in SLA"]


def _stats_cells(stats: Stats) -> str:
    return "".join(f"<td>{escape(v)}</td>" for v in (
        str(stats.count), duration(stats.median_business), duration(stats.p90_business),
        duration(stats.median_wall), duration(stats.p90_wall),
        percent(stats.within_sla_percent)))


def _table(head: Sequence[str], rows: Sequence[str], left: Collection[int] = (0,)) -> str:
    """A table whose columns ``left`` (text) align left, the others (figures) right."""
    header = "".join(f"<th class='l'>{escape(h)}</th>" if i in left else f"<th>{escape(h)}</th>"
                     for i, h in enumerate(head))
    return f"<table><tr>{header}</tr>{''.join(rows)}</table>"


def _cells(values: Sequence[str], left: Collection[int]) -> str:
    return "".join(f"<td class='l'>{v}</td>" if i in left else f"<td>{v}</td>"
                   for i, v in enumerate(values))


def _more(total: int, shown: int) -> str:
    return (f"<p class='muted'>... and {total - shown} more ({escape(MORE_IN_JSON)})</p>"
            if total > shown else "")


def chart_data_uri(report: PeriodReport) -> str:
    png = trend_png(report.trend, report.sla_hours)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _due(row: PromiseRow) -> str:
    due = row.entry.promise.due
    return due.date().isoformat() if due else "no date"


def _promise_table(title: str, rows: Sequence[PromiseRow]) -> str:
    if not rows:
        return ""
    body = [f"<tr>{_cells(cells, TEXT_COLUMNS)}</tr>" for r in rows[:MAX_LISTED]
            for cells in [[_due(r), escape(r.customer),
                           escape(shorten(r.entry.promise.text, PROMISE_CHARS * 2)),
                           escape(shorten(r.subject, SUBJECT_CHARS))]]]
    return (f"<h3>{escape(title)} ({len(rows)})</h3>"
            + _table(["due", "customer", "promise", "subject"], body, TEXT_COLUMNS)
            + _more(len(rows), MAX_LISTED))


def _waiting_table(rows: Sequence[Waiting]) -> str:
    body = []
    for row in rows[:MAX_LISTED]:
        age = age_words(row.item.age_seconds)
        body.append("<tr>" + _cells([
            row.item.inbound_at.date().isoformat(),
            f"<span class='age late'>{age}</span>" if row.over_sla else
            f"<span class='age'>{age}</span>",
            escape(row.item.customer), escape(shorten(row.subject, SUBJECT_CHARS * 2))],
            TEXT_COLUMNS) + "</tr>")
    return (_table(["since", "waiting", "customer", "subject"], body,
                   TEXT_COLUMNS)
            + _more(len(rows), MAX_LISTED))


def render_html(report: PeriodReport, chart_src: str | None = None) -> str:
    """The HTML report; every figure matches the text and JSON renderings. ``chart_src``
    is where the chart image is (default: inline as a data URI)."""
    title, *assumed = headline(report)
    src = chart_src or chart_data_uri(report)
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}"
             f"</title><style>{STYLE}</style></head><body><h1>{escape(title)}</h1>",
             f"<p>{'<br>'.join(escape(line) for line in assumed)}</p>"]
    parts += [f"<div class='note'>{escape(n.message)}.</div>" for n in report.notices]
    parts += ["<h2>First responses</h2>",
              f"<p class='big'>median {escape(duration(report.stats.median_business))} "
              f"business, {escape(percent(report.stats.within_sla_percent))} within SLA</p>",
              _table(STATS_HEAD, [f"<tr>{_stats_cells(report.stats)}</tr>"], ()),
              "<h2>Trend, last 8 weeks</h2>",
              f"<img src='{escape(src)}' width='{WIDTH_PX}' style='max-width:100%;"
              f"height:auto' alt='{escape(chart_alt_text(report.trend, report.sla_hours))}'>",
              "<h2>Distribution (wall time)</h2>",
              _table([label for label, _ in report.buckets],
                     ["<tr>" + "".join(f"<td>{c}</td>" for _, c in report.buckets) + "</tr>"],
                     ()),
              "<h2>Per customer</h2>",
              _table(["customer", *STATS_HEAD, "waiting"],
                     [f"<tr><td class='l'>{escape(r.customer)}</td>{_stats_cells(r.stats)}"
                      f"<td>{r.unanswered}</td></tr>" for r in report.customers[:MAX_LISTED]]),
              _more(len(report.customers), MAX_LISTED),
              f"<h2>Waiting for your reply ({len(report.unanswered)}, "
              f"{len(report.overdue_unanswered)} longer than the SLA)</h2>"]
    if report.unanswered:
        parts.append(_waiting_table(report.unanswered))
    parts += ["<h2>Promises</h2>",
              f"<p>Made {report.promises_made}, kept {report.promises_kept}, overdue "
              f"{report.promises_overdue}, open {report.promises_open}.</p>",
              _promise_table("Overdue", report.overdue_promises),
              _promise_table("Open", report.open_promises)]
    score = "-" if report.average_score is None else f"{report.average_score:.0f}"
    parts.append(f"<h2>Trust score</h2><p>Average {score} over {report.scored_messages} "
                 "sent messages.</p>")
    if report.top_findings:
        parts.append(_table(["finding", "count", "what it means", "example"], [
            f"<tr><td class='l'>{escape(f.name)}</td><td>{f.count}</td>"
            f"<td class='l'>{escape(f.message)}</td><td class='l'>"
            + (f"\u201c{escape(f.example)}\u201d <span class='muted'>({escape(f.example_from)})"
               "</span>" if f.example else "")
            + "</td></tr>" for f in report.top_findings], (0, 2, 3)))
    parts.append("</body></html>")
    return "\n".join(part for part in parts if part)
