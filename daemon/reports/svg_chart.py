"""An inline SVG bar chart of the weekly trend (no scripts, no external resources)."""

from __future__ import annotations

from html import escape

from daemon.reports.compute import HOUR, TrendPoint

WIDTH = 560
HEIGHT = 200
MARGIN_LEFT = 44
MARGIN_BOTTOM = 28
MARGIN_TOP = 12
BAR_COLOUR = "#3b6ea5"
SLA_COLOUR = "#c0392b"


def trend_svg(points: list[TrendPoint], sla_hours: float) -> str:
    """Median business hours per week as bars, the SLA as a dashed line."""
    values = [(p.stats.median_business or 0.0) / HOUR for p in points]
    top = max([*values, sla_hours, 1.0]) * 1.1
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = (WIDTH - MARGIN_LEFT) / max(len(points), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="Median first-response time per week, business hours">',
             f'<text x="4" y="{MARGIN_TOP + 8}" font-size="10">{top:.0f} h</text>',
             f'<text x="4" y="{HEIGHT - MARGIN_BOTTOM}" font-size="10">0 h</text>']
    for index, (point, hours) in enumerate(zip(points, values, strict=True)):
        bar_h = plot_h * hours / top
        x = MARGIN_LEFT + index * slot + slot * 0.15
        y = MARGIN_TOP + plot_h - bar_h
        title = escape(f"{point.week}: {hours:.1f} h median, {point.stats.count} replies")
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
                     f'height="{bar_h:.1f}" fill="{BAR_COLOUR}"><title>{title}</title></rect>')
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - 10}" font-size="10" '
                     f'text-anchor="middle">{escape(point.week[-3:])}</text>')
    sla_y = MARGIN_TOP + plot_h - plot_h * sla_hours / top
    parts.append(f'<line x1="{MARGIN_LEFT}" y1="{sla_y:.1f}" x2="{WIDTH}" y2="{sla_y:.1f}" '
                 f'stroke="{SLA_COLOUR}" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{WIDTH - 4}" y="{sla_y - 3:.1f}" font-size="10" '
                 f'text-anchor="end" fill="{SLA_COLOUR}">SLA {sla_hours:g} h</text>')
    parts.append("</svg>")
    return "".join(parts)
