"""The report as a proper email: multipart/alternative with a text and an HTML part.

Marked ``Auto-Submitted: auto-generated`` so the report itself never counts as
customer mail in response times.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from daemon.reports.compute import Report
from daemon.reports.html_format import render_html
from daemon.reports.text_format import render_text

SENDER_NAME = "trustmail"


def build_report_email(report: Report, recipient: str, now: datetime) -> bytes:
    """RFC 5322 bytes (CRLF line ends) ready for IMAP APPEND."""
    message = EmailMessage()
    message["From"] = f"{SENDER_NAME} <{recipient}>"
    message["To"] = recipient
    message["Subject"] = f"Your trustmail weekly report {report.period.label}"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("trustmail-report", recipient.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_text(report))
    message.add_alternative(render_html(report), subtype="html")
    return message.as_bytes(policy=SMTP)
