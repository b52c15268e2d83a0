"""The report as a proper email: multipart/alternative with a text and an HTML part.

Marked ``Auto-Submitted: auto-generated`` so the report itself never counts as
customer mail in response times.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from daemon.reports.chart import trend_png
from daemon.reports.compute import PeriodReport
from daemon.reports.html_format import render_html
from daemon.reports.text_format import render_text

SENDER_NAME = "trustmail"


def build_report_email(report: PeriodReport, recipient: str, now: datetime) -> bytes:
    """RFC 5322 bytes (CRLF line ends) ready for IMAP APPEND: text, and HTML with the
    trend chart as a related PNG part (``cid:``), which mail clients show inline."""
    message = EmailMessage()
    message["From"] = f"{SENDER_NAME} <{recipient}>"
    message["To"] = recipient
    message["Subject"] = f"Your trustmail {report.period.title}"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("trustmail-report", recipient.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_text(report))
    chart_id = make_msgid("trend")
    message.add_alternative(render_html(report, chart_src=f"cid:{chart_id[1:-1]}"),
                            subtype="html")
    html_part = message.get_body(preferencelist=("html",))
    if html_part is None:          # add_alternative just made it
        raise RuntimeError("the report email has no HTML part")
    html_part.add_related(trend_png(report.trend, report.sla_hours), "image", "png",
                          cid=chart_id, filename="trend.png")
    return message.as_bytes(policy=SMTP)
