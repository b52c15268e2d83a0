"""Real traffic for the metrics tests: a ``trustmail run`` daemon with ``[metrics]`` on,
a customer's message in its store, a reply relayed through the proxy to a real SMTP
server, a hedging message held by the ``warn`` policy, a draft scored through the API.

Every text, subject and address used is in :data:`PRIVATE`, for the tests that grep what
was exported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from support.api_client import call_sync
from support.polling import wait_for
from support.ports import free_port
from support.smtp_proxy import (
    GOOD_BODY,
    HEDGING_BODY,
    DaemonProcess,
    daemon_process,
    message,
    send_message,
)
from support.smtp_upstream import SmtpUpstream

from daemon.store.database import MessageRecord, open_store

ME = "alice@example.com"
CUSTOMER = "maria@customer.example"
INBOUND_ID = "<q1@customer.example>"
INBOUND_SUBJECT = "Where is my signed contract?"
INBOUND_AT = datetime.fromisoformat("2026-11-25T09:00:00+01:00")   # the reply is 10:00
REPLY_SUBJECT = "Re: Where is my signed contract?"
HELD_SUBJECT = "Refund for order 4711"
API_DRAFT = ("Hi Maria, maybe we can probably refund the fee for order 4711, I think. "
             "Supposedly it has shipped, perhaps.")

# What must never leave the machine: texts, subjects, addresses, message ids.
PRIVATE = (
    ME, CUSTOMER, "alice@", "maria@", INBOUND_ID.strip("<>"), "m1@example.com",
    "m2@example.com", INBOUND_SUBJECT, REPLY_SUBJECT, HELD_SUBJECT, "order 4711",
    *(line.strip() for line in (GOOD_BODY + HEDGING_BODY).splitlines() if len(line) > 8),
    API_DRAFT, "signed contract", "refund the fee", "Friday 3 pm",
)


def metrics_config(store_path: Path, metrics: str) -> str:
    """Lines for the top of the daemon's ``--config`` file. Any finding at all makes a
    draft "warn" (``warn = 100``), so the hedging message is held whatever the rule packs'
    weights are, and the good reply (no finding) is relayed."""
    return (f'[thresholds]\nwarn = 100\n\n[store]\npath = "{store_path}"\n\n'
            f'[report]\nme = ["{ME}"]\n\n[metrics]\n{metrics}\n')


def seed_inbound(store_path: Path) -> None:
    """The customer's question, as IMAP sync would have stored it."""
    store = open_store(str(store_path))
    try:
        store.record_message(MessageRecord(
            source="imap", direction="in", message_id=INBOUND_ID, date=INBOUND_AT,
            from_addr=CUSTOMER, to_addrs=[ME], subject=INBOUND_SUBJECT))
    finally:
        store.close()


def api_port(daemon: DaemonProcess) -> int:
    found = re.search(r'\[api\]\nlisten = "127\.0\.0\.1:(\d+)"', daemon.config_file.read_text())
    assert found is not None
    return int(found.group(1))


def api_ready(port: int) -> bool:
    try:
        return bool(call_sync(port, "GET", "/v1/health").status == 200)
    except OSError:
        return False


def api_token(daemon: DaemonProcess) -> str:
    token_file = Path(daemon.env["XDG_DATA_HOME"]) / "trustmail" / "api-token"
    return str(wait_for(lambda: token_file.is_file() and token_file.read_text().strip(),
                        "the API token", 20.0))


@contextmanager
def metrics_daemon(upstream: SmtpUpstream, home: Path,
                   metrics: str) -> Iterator[tuple[DaemonProcess, int]]:
    """``trustmail run`` with ``[metrics]`` lines (``{port}`` is filled in with a free
    port for the scrape endpoint), the warn policy and a seeded store."""
    store_path = home / "store.sqlite3"
    seed_inbound(store_path)
    port = free_port()
    with daemon_process(upstream, home, extra='policy = "warn"',
                        top=metrics_config(store_path, metrics.format(port=port))) as daemon:
        yield daemon, port


def drive_traffic(daemon: DaemonProcess, upstream: SmtpUpstream) -> None:
    """A relayed reply with a promise, a held hedging message, a draft scored by the API."""
    reply = message(subject=REPLY_SUBJECT, message_id="<m1@example.com>",
                    extra_headers=f"In-Reply-To: {INBOUND_ID}\nReferences: {INBOUND_ID}\n")
    assert send_message(daemon.port, upstream, reply, (CUSTOMER,))[0] == 250
    held = message(body=HEDGING_BODY, subject=HELD_SUBJECT, message_id="<m2@example.com>")
    assert send_message(daemon.port, upstream, held, (CUSTOMER,))[0] == 550
    wait_for(lambda: api_ready(api_port(daemon)), "the API", 20.0)
    scored = call_sync(api_port(daemon), "POST", "/v1/score", {"text": API_DRAFT},
                       token=api_token(daemon))
    assert scored.status == 200, scored.body
