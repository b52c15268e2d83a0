"""The report's lists, each row with what a person needs to act on it.

- :class:`Waiting`: a customer still waiting for me, with the subject of their mail.
- :class:`PromiseRow`: a promise with the customer it was made to and the subject.
- :class:`FindingRow`: a rule that fired, with a name, what it means and a readable
  example (from my own mail when the store kept it, else the rule's own example).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from daemon.conversations.promise_status import LedgerEntry
from daemon.conversations.response_times import INBOUND, Parties, Unanswered
from daemon.conversations.threads import assign_threads
from daemon.reports.wording import shorten
from daemon.store.queries import StoredMessage

EXAMPLE_CHARS = 70
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)     # sorts undated messages first
NO_SUBJECT = "(no subject)"


@dataclass(frozen=True)
class Waiting:
    """An open block: ``item`` from the response times, and its first message's subject."""

    item: Unanswered
    subject: str
    over_sla: bool


@dataclass(frozen=True)
class PromiseRow:
    entry: LedgerEntry
    customer: str
    subject: str


@dataclass(frozen=True)
class RuleInfo:
    """What the report says about a rule: its name, meaning and a shipped example."""

    name: str
    message: str
    example: str = ""


@dataclass(frozen=True)
class FindingRow:
    rule: str
    count: int
    name: str
    message: str
    example: str
    example_from: str        # "your mail", "the rule's examples" or "" (no example)


def rule_name(rule_id: str) -> str:
    """``en.honesty.hedge`` -> "hedge (honesty)"; ``en.tone.over-familiar`` ->
    "over familiar (tone)"."""
    parts = rule_id.split(".")
    if len(parts) < 3:
        return rule_id
    return f"{' '.join(parts[-1].split('-'))} ({parts[1]})"


def _subjects(messages: Sequence[StoredMessage]) -> dict[str, str]:
    return {m.message_id: m.subject for m in messages if m.message_id and m.subject}


def waiting_rows(unanswered: Sequence[Unanswered], messages: Sequence[StoredMessage],
                 sla_seconds: float) -> list[Waiting]:
    """Every open block, newest first (the ones still worth answering lead)."""
    subjects = _subjects(messages)
    rows = [Waiting(u, subjects.get(u.inbound_message_id, NO_SUBJECT),
                    u.business_age_seconds > sla_seconds) for u in unanswered]
    rows.sort(key=lambda w: w.item.inbound_at, reverse=True)
    return rows


def promise_rows(entries: Sequence[LedgerEntry], messages: Sequence[StoredMessage],
                 parties: Parties, threads: Sequence[str] | None = None) -> list[PromiseRow]:
    """Each entry with the customer (the first recipient who is neither me nor a
    colleague, else the first customer who wrote in the thread) and the subject of the
    message that made it. ``threads`` (aligned with ``messages``) when already known."""
    by_row = {m.row_id: m for m in messages}
    thread_customer: dict[str, str] = {}
    if entries:
        pairs = zip(messages, threads or assign_threads(messages), strict=True)
        for message, thread in sorted(pairs, key=lambda pair: pair[0].date or EPOCH):
            if parties.role(message) == INBOUND:
                thread_customer.setdefault(thread, message.from_addr.lower())
    rows: list[PromiseRow] = []
    for entry in entries:
        made_in = by_row.get(entry.promise.message_row)
        recipients = [*made_in.to_addrs, *made_in.cc_addrs] if made_in else []
        outside = [a.lower() for a in recipients if _is_customer(a, parties)]
        customer = (outside or [thread_customer.get(entry.thread, "")])[0]
        rows.append(PromiseRow(entry, customer,
                               (made_in.subject if made_in else "") or NO_SUBJECT))
    return rows


def _is_customer(address: str, parties: Parties) -> bool:
    lowered = address.lower()
    domain = lowered.rpartition("@")[2]
    return lowered not in parties.me and not any(
        domain == d or domain.endswith("." + d) for d in parties.internal_domains)


def finding_rows(scored: Sequence[StoredMessage], rules: Mapping[str, RuleInfo],
                 limit: int) -> list[FindingRow]:
    """The ``limit`` most frequent rules in my scored mail, each with a readable example."""
    counts = Counter[str]()
    examples: dict[str, str] = {}
    for message in scored:
        for rule, match in message.findings:
            counts[rule] += 1
            if not examples.get(rule) and match.strip():
                examples[rule] = shorten(match, EXAMPLE_CHARS)
    rows: list[FindingRow] = []
    for rule, count in counts.most_common(limit):
        info = rules.get(rule, RuleInfo(rule_name(rule), ""))
        own = examples.get(rule, "")
        example = own or shorten(info.example, EXAMPLE_CHARS)
        source = "your mail" if own else ("the rule's examples" if example else "")
        rows.append(FindingRow(rule, count, info.name, info.message, example, source))
    return rows
