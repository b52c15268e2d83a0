"""The trend chart: a PNG drawn with matplotlib, for the HTML report and the email.

Why a PNG from matplotlib rather than hand-drawn SVG: most mail clients (Gmail, Outlook
desktop and many webmails) do not show inline SVG, while every client shows a PNG sent
as a ``cid:`` part of the message; and matplotlib gives the log-scaled time axis, ticks
and labels that make sub-hour and multi-day weeks readable on one chart.

Per week, over the trend weeks:
- top: first-response time in business hours on a log axis, a dot at the median and a
  line up to the p90, with the SLA as a dashed line; a week without replies is a gap
  labelled "no replies", never a bar of height 0 that reads as an instant answer;
- bottom: the number of replies as bars, each labelled with its share within the SLA.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from daemon.reports.compute import HOUR, TrendPoint

MINUTE = 60.0
WIDTH_PX = 680                      # the width the HTML shows it at
DPI = 200                           # drawn at twice that for sharp text on HiDPI screens
FIGSIZE = (6.8, 3.6)                # inches at 100 px/in in the page
FLOOR_SECONDS = MINUTE              # 0 business minutes is drawn at the floor, as "<1 min"
MEDIAN_COLOUR = "#1f5a96"
P90_COLOUR = "#7fa7d1"
SLA_COLOUR = "#c0392b"
BAR_COLOUR = "#9bb7d4"
GAP_COLOUR = "#888888"
FONT = 8
# (seconds, label) candidates for the time axis
TIME_TICKS: tuple[tuple[float, str], ...] = (
    (MINUTE, "\u22641 min"), (10 * MINUTE, "10 min"), (HOUR, "1 h"), (4 * HOUR, "4 h"),
    (8 * HOUR, "8 h"), (24 * HOUR, "24 h"), (72 * HOUR, "72 h"), (240 * HOUR, "240 h"))


def chart_alt_text(points: Sequence[TrendPoint], sla_hours: float) -> str:
    """What the chart shows, in words (the ``alt`` of the image)."""
    weeks = [p for p in points if p.stats.count]
    return (f"First-response time per week in business hours (median and p90, SLA "
            f"{sla_hours:g} h) and replies per week; {len(weeks)} of {len(points)} weeks "
            "had replies")


def trend_png(points: Sequence[TrendPoint], sla_hours: float) -> bytes:
    """The chart as PNG bytes (matplotlib's Agg backend; no display, thread-safe)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, NullLocator

    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1.3))
    xs = list(range(len(points)))
    sla = sla_hours * HOUR
    highest = max([sla, *(p.stats.p90_business or 0.0 for p in points)]) * 2.0
    top.set_yscale("log")
    top.set_ylim(FLOOR_SECONDS / 1.5, highest)
    ticks = [(s, label) for s, label in TIME_TICKS if s <= highest]
    top.yaxis.set_major_locator(FixedLocator([s for s, _ in ticks]))
    top.yaxis.set_minor_locator(NullLocator())
    top.set_yticklabels([label for _, label in ticks], fontsize=FONT)
    top.axhline(sla, color=SLA_COLOUR, linestyle="--", linewidth=1)
    top.text(len(points) - 0.5, sla * 1.12, f"SLA {sla_hours:g} h", color=SLA_COLOUR,
             fontsize=FONT, ha="right", va="bottom")
    for x, point in zip(xs, points, strict=True):
        stats = point.stats
        if not stats.count or stats.median_business is None:
            top.text(x, (FLOOR_SECONDS * highest) ** 0.5, "no\nreplies", ha="center",
                     va="center", fontsize=FONT, color=GAP_COLOUR, style="italic")
            continue
        median = max(stats.median_business, FLOOR_SECONDS)
        p90 = max(stats.p90_business or median, FLOOR_SECONDS)
        top.vlines(x, median, p90, color=P90_COLOUR, linewidth=5)
        top.plot([x], [median], "o", color=MEDIAN_COLOUR, markersize=6)
        top.plot([x], [p90], "_", color=MEDIAN_COLOUR, markersize=10)
    top.plot([], [], "o", color=MEDIAN_COLOUR, label="median")
    top.plot([], [], color=P90_COLOUR, linewidth=5, label="median to p90")
    top.legend(loc="upper left", fontsize=FONT, frameon=False, ncols=2)
    top.set_ylabel("business time", fontsize=FONT)
    top.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    counts = [p.stats.count for p in points]
    bottom.bar(xs, counts, color=BAR_COLOUR, width=0.6)
    tallest = max([*counts, 1])
    bottom.set_ylim(0, tallest * 1.6)
    for x, point in zip(xs, points, strict=True):
        share = point.stats.within_sla_percent
        label = f"{point.stats.count}, {share:.0f}% in SLA" if share is not None else "0"
        bottom.text(x, point.stats.count + tallest * 0.08, label, ha="center",
                    va="bottom", fontsize=FONT - 1)
    bottom.set_ylabel("replies", fontsize=FONT)
    bottom.set_yticks([])
    bottom.set_xticks(xs, [p.week for p in points], fontsize=FONT)
    for axis in (top, bottom):
        axis.spines[["top", "right"]].set_visible(False)
        axis.tick_params(labelsize=FONT)
        axis.set_xlim(-0.5, len(points) - 0.5)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
