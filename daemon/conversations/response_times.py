"""First-response times exactly as DESIGN.md defines them.

- Messages are grouped into threads (:mod:`daemon.conversations.threads`).
- A message is **mine** when its sender is one of my addresses, **inbound** when the
  sender is outside the internal domains, and automated mail (Auto-Submitted,
  Precedence bulk/list, List-Id, no-reply senders) is neither: it never starts or
  answers a block. Mail from colleagues (internal domains) is ignored too.
- Within a thread, in date order, a *block* of consecutive unanswered inbound messages
  starts at its first message and is answered by my first message after it. Inbound
  mail arriving while a block is open joins that block.
- Each answered block gives a :class:`Response` with wall-clock and business seconds
  (working hours in the configured zone, weekends and public holidays skipped); a
  block still open at the cut-off is :class:`Unanswered`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Protocol, TypeVar

from daemon.conversations.threads import Threadable, assign_threads
from scoring.business_time import BusinessClock

MINE = "mine"
INBOUND = "inbound"
IGNORED = "ignored"


class TimedMessage(Threadable, Protocol):
    """A threadable message that also says whether it was machine-sent."""

    automated: bool


M = TypeVar("M", bound=TimedMessage)


@dataclass(frozen=True)
class Response:
    """One answered block: the customer's first message and my first reply after it."""

    thread: str
    inbound_message_id: str
    reply_message_id: str
    customer: str
    inbound_at: datetime
    replied_at: datetime
    wall_seconds: float
    business_seconds: float


@dataclass(frozen=True)
class Unanswered:
    """A block still waiting for my reply at the cut-off."""

    thread: str
    inbound_message_id: str
    customer: str
    inbound_at: datetime
    age_seconds: float
    business_age_seconds: float


@dataclass(frozen=True)
class Parties:
    """Who "me" is and which domains are colleagues."""

    me: frozenset[str]
    internal_domains: frozenset[str]

    @classmethod
    def of(cls, me: Iterable[str], internal_domains: Iterable[str]) -> Parties:
        return cls(frozenset(a.lower() for a in me),
                   frozenset(d.lower().lstrip("@") for d in internal_domains))

    def role(self, message: TimedMessage) -> str:
        """MINE, INBOUND or IGNORED (automated, internal, or no sender)."""
        if message.automated:
            return IGNORED
        return _sender_role(self, message.from_addr)


@lru_cache(maxsize=65536)
def _sender_role(parties: Parties, address: str) -> str:
    sender = address.lower()
    if not sender:
        return IGNORED
    if sender in parties.me:
        return MINE
    domain = sender.rpartition("@")[2]
    if domain in parties.internal_domains or any(
            domain.endswith("." + d) for d in parties.internal_domains):
        return IGNORED
    return INBOUND


@dataclass(frozen=True)
class ResponseTimes:
    responses: list[Response]
    unanswered: list[Unanswered]


def unique_messages(messages: Iterable[M]) -> list[M]:
    """Drop later copies of a Message-ID (the same mail in INBOX and Sent, or proxy + sync)."""
    seen: set[str] = set()
    unique: list[M] = []
    for message in messages:
        if message.message_id:
            if message.message_id in seen:
                continue
            seen.add(message.message_id)
        unique.append(message)
    return unique


def compute_response_times(messages: Sequence[TimedMessage], parties: Parties,
                           clock: BusinessClock, cutoff: datetime,
                           threads: Sequence[str] | None = None,
                           replied_since: datetime | None = None) -> ResponseTimes:
    """Pair blocks of inbound mail with my replies, considering mail dated before ``cutoff``.

    ``threads`` (aligned with ``messages``) may be passed when already computed.
    With ``replied_since``, answered blocks whose reply is older are left out (a
    report does not need them; open blocks are always kept). Messages without a
    date cannot be timed and are skipped.
    """
    thread_ids = list(threads) if threads is not None else assign_threads(messages)
    by_thread: dict[str, list[int]] = {}
    for index, message in enumerate(messages):
        if message.date is not None and message.date < cutoff:
            by_thread.setdefault(thread_ids[index], []).append(index)
    responses: list[Response] = []
    unanswered: list[Unanswered] = []
    for thread, indexes in by_thread.items():
        indexes.sort(key=lambda i: (messages[i].date, i))
        block_start: TimedMessage | None = None
        for index in indexes:
            message = messages[index]
            role = parties.role(message)
            if role == INBOUND and block_start is None:
                block_start = message
            elif role == MINE and block_start is not None:
                if replied_since is None or (message.date or cutoff) >= replied_since:
                    responses.append(_response(thread, block_start, message, clock))
                block_start = None
        if block_start is not None:
            unanswered.append(_unanswered(thread, block_start, clock, cutoff))
    responses.sort(key=lambda r: (r.replied_at, r.thread))
    unanswered.sort(key=lambda u: (u.inbound_at, u.thread))
    return ResponseTimes(responses, unanswered)


def _response(thread: str, first: TimedMessage, reply: TimedMessage,
              clock: BusinessClock) -> Response:
    assert first.date is not None and reply.date is not None
    return Response(
        thread=thread, inbound_message_id=first.message_id,
        reply_message_id=reply.message_id, customer=first.from_addr.lower(),
        inbound_at=first.date, replied_at=reply.date,
        wall_seconds=(reply.date - first.date).total_seconds(),
        business_seconds=clock.seconds_between(first.date, reply.date))


def _unanswered(thread: str, first: TimedMessage, clock: BusinessClock,
                cutoff: datetime) -> Unanswered:
    assert first.date is not None
    return Unanswered(
        thread=thread, inbound_message_id=first.message_id,
        customer=first.from_addr.lower(), inbound_at=first.date,
        age_seconds=(cutoff - first.date).total_seconds(),
        business_age_seconds=clock.seconds_between(first.date, cutoff))
