"""Where a report's messages come from: the store, or an mbox file with no server at all."""

from __future__ import annotations

import mailbox
from collections.abc import Sequence
from pathlib import Path

from daemon.config.load import LoadedConfig
from daemon.conversations.response_times import MINE, Parties
from daemon.mail.headers import parse_header_message
from daemon.reports.periods import Period
from daemon.scoring_service.scorer import Scorer
from daemon.store.database import Store
from daemon.store.kept_report import iso_due
from daemon.store.queries import (
    StoredMessage,
    StoredPromise,
    load_messages,
    load_promises,
    parse_iso,
)
from scoring.errors import InputError


def my_addresses(config: LoadedConfig, cli_me: Sequence[str] | None) -> tuple[str, ...]:
    """"me": ``--me``, else ``[report] me``, else the accounts' usernames that are addresses."""
    me = [a.lower() for a in cli_me or []] or list(config.daemon.report.me) or [
        a.username.lower() for a in config.daemon.accounts if "@" in a.username]
    if not me:
        raise InputError("who is \"me\"? pass --me ADDRESS, or set [report] me = [...] "
                         "or an [[accounts]] username that is an email address")
    return tuple(dict.fromkeys(me))


def parties_for(config: LoadedConfig, me: Sequence[str]) -> Parties:
    return Parties.of(me, config.scoring.business.internal_domains)


MBOX_SEPARATOR = b"From "
SNIFF_BYTES = 4096


def check_mbox(path: Path) -> None:
    """An mbox file starts with a ``From `` line (an empty file is an empty mbox)."""
    if not path.is_file():
        raise InputError(f"{path}: no such mbox file")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES).lstrip(b"\r\n")
    if head and not head.startswith(MBOX_SEPARATOR):
        raise InputError(
            f"{path}: not an mbox file (an mbox starts with a line \"From <sender> <date>\"; "
            "export the folder as mbox, or score one message with `trustmail score FILE`)")


def load_mbox(path: Path) -> list[StoredMessage]:
    """Every message of an mbox file as header-only records (bodies are not kept)."""
    check_mbox(path)
    messages: list[StoredMessage] = []
    box = mailbox.mbox(path, create=False)
    try:
        for index, message in enumerate(box):
            record = parse_header_message(message, source="mbox", direction="in")
            messages.append(StoredMessage(
                row_id=index, source="mbox", direction="in", message_id=record.message_id,
                in_reply_to=record.in_reply_to, references=list(record.references),
                date=record.date, from_addr=record.from_addr, to_addrs=list(record.to_addrs),
                cc_addrs=list(record.cc_addrs), subject=record.subject,
                automated=record.automated, score=None))
    finally:
        box.close()
    return messages


def score_my_mbox_mail(path: Path, messages: Sequence[StoredMessage], parties: Parties,
                       period: Period, scorer: Scorer) -> list[StoredPromise]:
    """Score my mail of the period in an mbox (``load_mbox`` order): sets each message's
    score and findings and returns its promises, as the store would have them."""
    wanted = {m.row_id: m for m in messages
              if m.date is not None and period.contains(m.date) and parties.role(m) == MINE}
    promises: list[StoredPromise] = []
    if not wanted:
        return promises
    box = mailbox.mbox(path, create=False)
    try:
        for index, key in enumerate(box.keys()):
            message = wanted.get(index)
            if message is None:
                continue
            report = scorer.score_message(box.get_bytes(key), now=message.date)
            message.score = report.score
            message.findings = [(f.rule, f.match) for f in report.findings]
            promises += [StoredPromise(
                promise_id=len(promises) + number + 1, message_row=index, text=p.text,
                owner=p.owner, due=parse_iso(iso_due(p.due)), hedged=p.hedged,
                status="open", made_at=message.date)
                for number, p in enumerate(report.promises)]
    finally:
        box.close()
    return promises


def store_inputs(store: Store) -> tuple[list[StoredMessage], list[StoredPromise]]:
    """The store's messages (with findings) and promises, as ``compute_report`` takes them."""
    return load_messages(store, with_findings=True), load_promises(store)
