"""Conversation threads: by Message-ID / In-Reply-To / References, then a fallback.

1. Every message is joined with every id its In-Reply-To and References name, so two
   replies to a message we never saw still share a thread (ids are graph nodes).
2. Fallback, for a reply that carries no threading headers at all (its subject starts
   with "Re:", "AW:", ...): it joins the latest earlier message with the same
   normalised subject that shares at least one participant (From/To/Cc address).

A thread's id is the Message-ID of its earliest message (or ``#<index>`` when that
message has none), so ids are stable for the same set of messages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

# "Re:", "RE[2]:", "Fwd:", German "AW:"/"WG:", Nordic "SV:", Dutch "Antw:"; list tags "[x]".
REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|sv|antw|fw|fwd|wg)\s*(?:\[\d+\])?\s*:|\[[^\]]*\])\s*",
                          re.IGNORECASE)
REPLY_MARKER = re.compile(r"^\s*(?:\[[^\]]*\]\s*)*(?:re|aw|sv|antw)\s*(?:\[\d+\])?\s*:",
                          re.IGNORECASE)
WHITESPACE = re.compile(r"\s+")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Threadable(Protocol):
    """What threading reads of a message (``MessageRecord`` has all of it)."""

    message_id: str
    in_reply_to: str
    references: Sequence[str]
    subject: str
    from_addr: str
    to_addrs: Sequence[str]
    cc_addrs: Sequence[str]
    date: datetime | None


def normalise_subject(subject: str) -> str:
    """Lower case, reply/forward prefixes and list tags removed, spaces collapsed."""
    if ":" not in subject and "[" not in subject:     # fast path: nothing to strip
        return " ".join(subject.split()).lower()
    text = subject
    while True:
        stripped = REPLY_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return WHITESPACE.sub(" ", text).strip().lower()


def is_reply_subject(subject: str) -> bool:
    return bool(REPLY_MARKER.match(subject))


def participants(message: Threadable) -> frozenset[str]:
    people = {message.from_addr, *message.to_addrs, *message.cc_addrs}
    return frozenset(a.lower() for a in people if a)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        root = self.parent.setdefault(node, node)
        while root != self.parent[root]:
            root = self.parent[root]
        while node != root:          # path compression
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[root_b] = root_a


def _node(message: Threadable, index: int) -> str:
    return message.message_id or f"#{index}"


def chronological_order(messages: Sequence[Threadable]) -> list[int]:
    """Indexes sorted by date (undated first), ties in input order."""
    return sorted(range(len(messages)), key=lambda i: (messages[i].date or EPOCH, i))


def assign_threads(messages: Sequence[Threadable]) -> list[str]:
    """The thread id of each message, aligned with ``messages``."""
    links = _UnionFind()
    for index, message in enumerate(messages):
        node = links.find(_node(message, index))
        for parent in (*message.references, message.in_reply_to):
            if parent:
                links.union(node, parent)
    if any(not (m.in_reply_to or m.references) and is_reply_subject(m.subject)
           for m in messages):
        _join_by_subject(messages, links)
    first_of_root: dict[str, int] = {}
    for index in chronological_order(messages):
        first_of_root.setdefault(links.find(_node(messages[index], index)), index)
    result: list[str] = []
    for index, message in enumerate(messages):
        first = first_of_root[links.find(_node(message, index))]
        result.append(_node(messages[first], first))
    return result


def _join_by_subject(messages: Sequence[Threadable], links: _UnionFind) -> None:
    """The fallback: a reply without threading headers joins the latest earlier message
    with the same normalised subject that shares a participant."""
    latest_by_subject: dict[str, list[int]] = {}
    for index in chronological_order(messages):
        message = messages[index]
        subject = normalise_subject(message.subject)
        earlier = latest_by_subject.setdefault(subject, [])
        has_headers = bool(message.in_reply_to or message.references)
        if subject and not has_headers and is_reply_subject(message.subject):
            people = participants(message)
            for candidate in reversed(earlier):
                if people & participants(messages[candidate]):
                    links.union(_node(messages[candidate], candidate), _node(message, index))
                    break
        earlier.append(index)
