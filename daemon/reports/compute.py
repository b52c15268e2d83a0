"""Compute the weekly report from messages (store or mbox) and the promise ledger.

What counts where:
- ``responses``: answered blocks whose reply was sent in the period (how long the
  customers I answered this week waited). SLA compliance uses business time.
- ``unanswered``: blocks still open at the period's end (or now, if earlier).
- Buckets use wall time (<1 h, 1-4 h, 4-24 h, 1-3 d, 3-7 d, >7 d).
- Percentiles are nearest-rank: the median of 1, 2, 3, 4 is 2 (a time someone
  really waited, never an average of two).
- Trust: my sent mail in the period that carries a score; findings by rule with the
  first matched text as the example (the rule's own example when none was stored).
- Promises: made in the period, and their status at the cut-off; every promise still
  open or overdue at the cut-off is listed with its customer and subject.
- Notices: what may make a figure mislead (no mail from me, no customer mail, business
  hours that do not fit when I send mail), see :mod:`.notices`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from daemon.conversations.promise_status import KEPT, OPEN, OVERDUE, promise_statuses
from daemon.conversations.response_times import (
    MINE,
    Parties,
    Response,
    Unanswered,
    compute_response_times,
)
from daemon.conversations.threads import assign_threads
from daemon.reports.notices import (
    STORE,
    Notice,
    SettingsFile,
    data_notices,
    hours_notices,
)
from daemon.reports.own_hours import OwnHours, own_hours
from daemon.reports.periods import Period, weeks_before
from daemon.reports.rows import (
    FindingRow,
    PromiseRow,
    RuleInfo,
    Waiting,
    finding_rows,
    promise_rows,
    waiting_rows,
)
from daemon.store.queries import StoredMessage, StoredPromise, gc_paused
from scoring.business_time import BusinessClock
from scoring.settings import BusinessHours

HOUR = 3600.0
DAY = 24 * HOUR
# (label, upper bound in wall seconds, exclusive)
BUCKETS: tuple[tuple[str, float], ...] = (
    ("<1 h", HOUR), ("1-4 h", 4 * HOUR), ("4-24 h", DAY), ("1-3 d", 3 * DAY),
    ("3-7 d", 7 * DAY), (">7 d", math.inf))
TREND_WEEKS = 8
TOP_FINDINGS = 5
OWN_HOURS_MAIL = 500        # my latest messages up to the period's end tell my working hours
# Mail providers whose domain says nothing about the customer: group by address there.
PUBLIC_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
    "icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net", "web.de", "t-online.de",
    "mail.ru", "yandex.ru", "proton.me", "protonmail.com"})


@dataclass(frozen=True)
class Stats:
    """Figures over a set of responses."""

    count: int
    median_business: float | None
    p90_business: float | None
    median_wall: float | None
    p90_wall: float | None
    within_sla_percent: float | None


@dataclass(frozen=True)
class CustomerRow:
    customer: str
    stats: Stats
    unanswered: int


@dataclass(frozen=True)
class TrendPoint:
    week: str
    stats: Stats


@dataclass(frozen=True)
class ReportContext:
    """What the report is told besides the mail: where it came from, where its settings
    can be changed, and what the rules mean (names, messages, shipped examples)."""

    source: str = STORE                  # "store" or "mbox"
    settings_hint: SettingsFile = field(default_factory=SettingsFile)
    rules: Mapping[str, RuleInfo] = field(default_factory=dict)


@dataclass
class PeriodReport:
    """The report of a period (a week by default; not ``scoring.Report``, one draft's
    scores): everything the renderers show; ``me`` and the period say what it is about."""

    period: Period
    me: tuple[str, ...]
    cutoff: datetime
    business: BusinessHours
    settings_hint: SettingsFile
    stats: Stats
    buckets: list[tuple[str, int]]
    customers: list[CustomerRow]
    responses: list[Response]
    unanswered: list[Waiting]            # newest first; ``over_sla`` marks the late ones
    trend: list[TrendPoint]
    promises_made: int
    promises_kept: int
    promises_overdue: int
    promises_open: int
    open_promises: list[PromiseRow] = field(default_factory=list)      # as of the cut-off
    overdue_promises: list[PromiseRow] = field(default_factory=list)
    average_score: float | None = None
    scored_messages: int = 0
    top_findings: list[FindingRow] = field(default_factory=list)
    own_hours: OwnHours = field(default_factory=lambda: OwnHours(0, 0))
    notices: list[Notice] = field(default_factory=list)

    @property
    def sla_hours(self) -> float:
        return self.business.sla_hours

    @property
    def timezone(self) -> str:
        return self.business.timezone

    @property
    def overdue_unanswered(self) -> list[Waiting]:
        return [w for w in self.unanswered if w.over_sla]


def nearest_rank(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile (``fraction`` 0.5 = median, 0.9 = p90)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def stats_of(responses: Sequence[Response], sla_seconds: float) -> Stats:
    business = [r.business_seconds for r in responses]
    wall = [r.wall_seconds for r in responses]
    within = sum(1 for b in business if b <= sla_seconds)
    return Stats(len(responses), nearest_rank(business, 0.5), nearest_rank(business, 0.9),
                 nearest_rank(wall, 0.5), nearest_rank(wall, 0.9),
                 100.0 * within / len(responses) if responses else None)


def bucket_counts(responses: Sequence[Response]) -> list[tuple[str, int]]:
    counts = Counter[str]()
    for response in responses:
        label = next(name for name, bound in BUCKETS if response.wall_seconds < bound)
        counts[label] += 1
    return [(name, counts[name]) for name, _ in BUCKETS]


def customer_of(address: str) -> str:
    """A customer is a company domain, or the address itself at a public mail provider."""
    domain = address.rpartition("@")[2]
    return address if not domain or domain in PUBLIC_MAIL_DOMAINS else domain


def compute_report(messages: Sequence[StoredMessage], parties: Parties, clock: BusinessClock,
                   period: Period, now: datetime, promises: Sequence[StoredPromise] = (),
                   context: ReportContext | None = None) -> PeriodReport:
    """The report for ``period`` as known at ``now`` (figures stop at the period's end).

    Threads are computed once and shared by response times and the promise ledger.
    """
    with gc_paused():
        return _compute_report(messages, parties, clock, period, now, promises,
                               context or ReportContext())


def _compute_report(messages: Sequence[StoredMessage], parties: Parties, clock: BusinessClock,
                    period: Period, now: datetime, promises: Sequence[StoredPromise],
                    context: ReportContext) -> PeriodReport:
    sla_seconds = clock.hours.sla_hours * HOUR
    cutoff = min(period.end, now)
    all_threads = assign_threads(messages)
    ledger = promise_statuses(promises, messages, [m.row_id for m in messages], parties,
                              cutoff, all_threads)
    kept = _first_copies(messages)
    mail = [messages[i] for i in kept]
    weeks = weeks_before(period, TREND_WEEKS, clock.zone)
    timed = compute_response_times(mail, parties, clock, cutoff, [all_threads[i] for i in kept],
                                   replied_since=min(weeks[0].start, period.start))
    responses = [r for r in timed.responses if period.contains(r.replied_at)]
    customers = _customer_rows(responses, timed.unanswered, sla_seconds, period)
    by_week: dict[str, list[Response]] = {week.label: [] for week in weeks}
    for response in timed.responses:
        if weeks[0].start <= response.replied_at < weeks[-1].end:
            year, number, _ = response.replied_at.astimezone(clock.zone).isocalendar()
            by_week[f"{year}-W{number:02d}"].append(response)
    trend = [TrendPoint(label, stats_of(items, sla_seconds)) for label, items in by_week.items()]
    made = [e for e in ledger if e.promise.made_at and period.contains(e.promise.made_at)]
    scored = [m for m in mail if m.score is not None and m.date is not None
              and period.contains(m.date) and parties.role(m) == MINE]
    stats = stats_of(responses, sla_seconds)
    own = own_hours(sorted(m.date for m in mail if m.date is not None
                           and m.date < period.end and parties.role(m) == MINE)[-OWN_HOURS_MAIL:],
                    clock)
    return PeriodReport(
        period=period, me=tuple(sorted(parties.me)), cutoff=cutoff, business=clock.hours,
        settings_hint=context.settings_hint,
        stats=stats, buckets=bucket_counts(responses),
        customers=customers, responses=responses,
        unanswered=waiting_rows(timed.unanswered, mail, sla_seconds),
        trend=trend,
        promises_made=len(made),
        promises_kept=sum(1 for e in made if e.status == KEPT),
        promises_overdue=sum(1 for e in made if e.status == OVERDUE),
        promises_open=sum(1 for e in made if e.status == OPEN),
        open_promises=promise_rows([e for e in ledger if e.status == OPEN], messages, parties,
                                   all_threads),
        overdue_promises=promise_rows([e for e in ledger if e.status == OVERDUE], messages,
                                      parties, all_threads),
        average_score=(sum(m.score for m in scored if m.score is not None) / len(scored)
                       if scored else None),
        scored_messages=len(scored),
        top_findings=finding_rows(scored, context.rules, TOP_FINDINGS),
        own_hours=own,
        notices=[*data_notices(mail, parties, context.source, context.settings_hint),
                 *hours_notices(clock.hours, own, stats.median_business, stats.median_wall,
                                context.settings_hint)],
    )


def _first_copies(messages: Sequence[StoredMessage]) -> list[int]:
    """One index per Message-ID (the same mail seen by the proxy and the Sent sync): the
    first scored copy, else the first copy. Messages without an id are all kept."""
    chosen: dict[str, int] = {}
    kept: list[int] = []
    for index, message in enumerate(messages):
        if not message.message_id:
            kept.append(index)
            continue
        earlier = chosen.get(message.message_id)
        if earlier is None or (messages[earlier].score is None and message.score is not None):
            chosen[message.message_id] = index
    return sorted(kept + list(chosen.values()))


def _customer_rows(responses: Sequence[Response], unanswered: Sequence[Unanswered],
                   sla_seconds: float, period: Period) -> list[CustomerRow]:
    """Customers answered in the period or who started waiting in it."""
    answered: dict[str, list[Response]] = {}
    for response in responses:
        answered.setdefault(customer_of(response.customer), []).append(response)
    waiting = Counter(customer_of(u.customer) for u in unanswered)
    rows = [CustomerRow(name, stats_of(answered.get(name, []), sla_seconds), waiting[name])
            for name in set(answered) | {customer_of(u.customer) for u in unanswered
                                         if period.contains(u.inbound_at)}]
    rows.sort(key=lambda row: (-row.stats.count, row.customer))
    return rows
