"""Turn a relayed message into the store's :class:`MessageRecord` (metadata only).

The headers are read by the daemon's one header reader (daemon/mail/headers.py), as
for every other path into the store; what the proxy adds is the envelope: it fills in
a From or To that the headers lack or that cannot be parsed (a message that was relayed
must also be recorded). The envelope recipients are not kept beyond that: nothing reads
them, and they hold the Bcc addresses the headers never show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from daemon.mail.headers import parse_headers
from daemon.store.database import MessageRecord

SOURCE_SMTP = "smtp"
DIRECTION_OUT = "out"


def build_record(raw: bytes, mail_from: str, rcpt_tos: Sequence[str],
                 body_text: str | None = None) -> MessageRecord:
    """Metadata of one relayed message; envelope addresses fill in missing headers.

    ``body_text`` is stored only when the store is configured to keep bodies.
    """
    record = parse_headers(raw, source=SOURCE_SMTP, direction=DIRECTION_OUT)
    return replace(
        record,
        from_addr=record.from_addr or mail_from.strip().lower(),
        to_addrs=record.to_addrs or [address.strip().lower() for address in rcpt_tos],
        body=body_text,
    )
