"""What the report tells the reader before the figures: why a figure may mislead.

Each notice has a stable ``code`` (for scripts reading the JSON) and a sentence that
says what was seen and what to change. None of them stops the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from daemon.conversations.response_times import INBOUND, MINE, Parties
from daemon.reports.own_hours import OwnHours
from daemon.reports.wording import business_hours_text, duration
from daemon.store.queries import StoredMessage
from scoring.settings import BusinessHours

STORE = "store"
MBOX = "mbox"
TOP_SENDERS = 3


@dataclass(frozen=True)
class SettingsFile:
    """Where a person changes a setting: the file, and whether it exists yet."""

    path: str = "your user config"
    exists: bool = True

    def __str__(self) -> str:
        return self.path if self.exists else f"{self.path} (`trustmail init` creates it)"


@dataclass(frozen=True)
class Notice:
    code: str
    message: str


def data_notices(messages: Sequence[StoredMessage], parties: Parties, source: str,
                 settings_hint: SettingsFile) -> list[Notice]:
    """No mail at all, none from me, or none from customers: the report would be empty."""
    roles = Counter(parties.role(m) for m in messages)
    notices: list[Notice] = []
    if not messages:
        where = ("the store is filled by IMAP sync (configure an [[accounts]] entry in "
                 f"{settings_hint} and run `trustmail sync`), the SMTP proxy and the add-on"
                 if source == STORE else "the mbox file holds no message")
        notices.append(Notice("no-mail", f"no mail at all to report on: {where}"))
    if messages and not roles[MINE]:
        senders = Counter(m.from_addr.lower() for m in messages if m.from_addr)
        top = ", ".join(f"{a} ({n})" for a, n in senders.most_common(TOP_SENDERS))
        notices.append(Notice("me-not-found", (
            f"none of the {len(messages)} messages is from {', '.join(sorted(parties.me))}; "
            f"the most frequent senders are {top or 'unknown'}: pass --me ADDRESS or set "
            f"[report] me in {settings_hint}")))
    if roles[MINE] and not roles[INBOUND]:
        where = ("inbound mail comes from IMAP sync: configure an [[accounts]] entry in "
                 f"{settings_hint} and run `trustmail sync`" if source == STORE else
                 "is the file only your Sent folder? export the inbox into it too")
        notices.append(Notice("no-inbound", (
            f"no customer mail at all (only your own {roles[MINE]} messages), so there are "
            f"no replies to time; {where}")))
    return notices


def hours_notices(hours: BusinessHours, own: OwnHours, median_business: float | None,
                  median_wall: float | None, settings_hint: SettingsFile) -> list[Notice]:
    """The business hours do not fit when my mail is sent, or the median reads 0."""
    calendar = business_hours_text(hours)
    notices: list[Notice] = []
    if own.mostly_outside:
        better = (f"; in {own.better_zone} the same hours would cover "
                  f"{own.better_inside} of them" if own.better_zone else "")
        notices.append(Notice("hours-mismatch", (
            f"{own.outside} of your {own.sent} messages were sent outside {calendar}"
            f"{better}. If those are not your working hours, set [business] timezone and "
            f"hours in {settings_hint}")))
    if median_business == 0 and median_wall:
        notices.append(Notice("median-zero", (
            f"the business-time median is 0 because most replies were sent outside "
            f"{calendar} (the wall-clock median is {duration(median_wall)}); "
            f"check [business] in {settings_hint}")))
    return notices
