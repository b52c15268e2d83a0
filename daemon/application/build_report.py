"""Build a report: the period, whose mail counts, and where the mail comes from.

The one use-case behind ``trustmail report``, ``GET /v1/report`` and the weekly
delivery: a :class:`ReportRequest` (typed, no command-line parsing) and the merged
config in, a :class:`~daemon.reports.compute.PeriodReport` out, with the context the report
needs to explain itself (which file sets ``[business]``, what each rule means).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from daemon.config import paths
from daemon.config.load import LoadedConfig
from daemon.reports.compute import PeriodReport, ReportContext, compute_report
from daemon.reports.notices import MBOX, STORE, SettingsFile
from daemon.reports.periods import Period, parse_range, parse_week, previous_week
from daemon.reports.rows import RuleInfo, rule_name
from daemon.reports.sources import (
    load_mbox,
    my_addresses,
    parties_for,
    score_my_mbox_mail,
    store_inputs,
)
from daemon.store.database import Store, open_store
from daemon.store.queries import StoredMessage, StoredPromise
from scoring import Scorer
from scoring.business_time import BusinessClock
from scoring.errors import InputError
from scoring.rules import build_rulebook

BUSINESS_KEY = "business.timezone"
USER_LAYERS = ("user", "--config")


@dataclass(frozen=True)
class ReportRequest:
    """Which report: an ISO ``week``, or ``since`` [``until``] (YYYY-MM-DD), else the
    last complete week; ``me`` overrides ``[report] me``; ``mbox`` reads a file instead
    of the store (``score_mbox`` scores my mail in it for trust and promises)."""

    week: str | None = None
    since: str | None = None
    until: str | None = None
    me: tuple[str, ...] | None = None
    mbox: Path | None = None
    score_mbox: bool = True


def report_period(request: ReportRequest, clock: BusinessClock, now: datetime) -> Period:
    if request.week and request.since:
        raise InputError("give either a week or --since, not both")
    if request.until and not request.since:
        raise InputError("--until needs --since")
    if request.week:
        return parse_week(request.week, clock.zone)
    if request.since:
        return parse_range(request.since, request.until, clock.zone, now)
    return previous_week(now, clock.zone)


def settings_hint(config: LoadedConfig) -> SettingsFile:
    """Where a person changes ``[business]``: the user layer that sets it, else the user
    config file (which ``trustmail init`` writes)."""
    origin = config.origins.get(BUSINESS_KEY, "")
    if any(origin.endswith(f"({layer})") for layer in USER_LAYERS):
        return SettingsFile(origin.rpartition(" (")[0])
    user_file = paths.user_config_file()
    return SettingsFile(str(user_file), user_file.exists())


def rule_infos(config: LoadedConfig) -> dict[str, RuleInfo]:
    """Each rule's name, message and first shipped example, for the trust section."""
    rulebook = build_rulebook(config.scoring.rule_packs, config.scoring.overrides)
    return {rule_id: RuleInfo(rule_name(rule_id), rule.message,
                              rule.examples.hit[0] if rule.examples.hit else "")
            for rule_id, rule in rulebook.by_id().items()}


def build_report(config: LoadedConfig, request: ReportRequest, now: datetime,
                 store: Store | None = None) -> PeriodReport:
    """The report ``request`` asks for, as known at ``now``. Reads ``store`` when given
    (the daemon's), else opens the configured one, unless ``request.mbox`` is set."""
    clock = BusinessClock(config.scoring.business)
    period = report_period(request, clock, now)
    parties = parties_for(config, my_addresses(config, request.me))
    messages: list[StoredMessage]
    promises: list[StoredPromise] = []
    if request.mbox is not None:
        messages = load_mbox(request.mbox)
        if request.score_mbox:
            promises = score_my_mbox_mail(request.mbox, messages, parties, period,
                                          Scorer(config.scoring))
    elif store is not None:
        messages, promises = store_inputs(store)
    else:
        settings = config.daemon.store
        opened = open_store(settings.path, keep_bodies=settings.keep_bodies,
                            hash_subjects=settings.hash_subjects)
        try:
            messages, promises = store_inputs(opened)
        finally:
            opened.close()
    context = ReportContext(source=MBOX if request.mbox is not None else STORE,
                            settings_hint=settings_hint(config), rules=rule_infos(config))
    return compute_report(messages, parties, clock, period, now, promises, context)
