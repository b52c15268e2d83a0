"""Deliver the weekly report on the configured weekday and time (daemon service).

``[report] weekday``/``time`` are read in the business time zone. At that moment the
report of the last complete ISO week is built from the store and APPENDed into the
inbox of ``[report] account`` (default: the first account). The label of the last
delivered week is kept in the data dir, so a restart never delivers twice and a
daemon that was off at the scheduled time catches up when it starts.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from daemon.application.build_report import ReportRequest, build_report
from daemon.application.deliver_report import deliver_report
from daemon.config import paths
from daemon.config.load import LoadedConfig
from daemon.config.sections import ReportSettings
from daemon.reports.periods import previous_week
from daemon.store.database import Store
from scoring.business_time import BusinessClock
from scoring.settings import WEEKDAYS

STATE_FILE_NAME = "report-last-delivered"
RETRY_SECONDS = 15 * 60.0
log = logging.getLogger(__name__)


def scheduled_slot(now: datetime, settings: ReportSettings, zone: tzinfo) -> datetime:
    """This week's delivery moment (may be in the past)."""
    local = now.astimezone(zone)
    hours, minutes = (int(part) for part in settings.time.split(":"))
    monday = local.date() - timedelta(days=local.weekday())
    day = monday + timedelta(days=WEEKDAYS.index(settings.weekday))
    return datetime.combine(day, time(hours, minutes), zone)


def seconds_until_next(now: datetime, settings: ReportSettings, zone: tzinfo) -> float:
    slot = scheduled_slot(now, settings, zone)
    if slot <= now:
        slot = scheduled_slot(now + timedelta(days=7), settings, zone)
    return (slot - now).total_seconds()


def is_due(now: datetime, settings: ReportSettings, zone: tzinfo, week_label: str,
           last_delivered: str) -> bool:
    """Due when this week's slot has passed and last week's report was not delivered yet."""
    return now >= scheduled_slot(now, settings, zone) and last_delivered != week_label


class ReportScheduler:
    """Service: sleeps until the slot, then builds and delivers the report in a thread."""

    name = "report-scheduler"

    def __init__(self, config: LoadedConfig, state_path: Path | None = None) -> None:
        self.config = config
        self.state_path = state_path or paths.data_dir() / STATE_FILE_NAME
        self.last_error = ""
        self._task: asyncio.Task[None] | None = None

    def last_delivered(self) -> str:
        try:
            return self.state_path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""

    def deliver_if_due(self, now: datetime) -> str | None:
        """Build and deliver last week's report when due; returns the week delivered."""
        zone = BusinessClock(self.config.scoring.business).zone
        week = previous_week(now, zone)
        if not is_due(now, self.config.daemon.report, zone, week.label, self.last_delivered()):
            return None
        report = build_report(self.config, ReportRequest(week=week.label), now)
        account = deliver_report(self.config, report, now)
        paths.write_private_file(self.state_path, (week.label + "\n").encode("utf-8"))
        log.info("weekly report %s delivered to %s", week.label, account.name)
        return week.label

    async def _loop(self) -> None:
        zone = BusinessClock(self.config.scoring.business).zone
        while True:
            wait = seconds_until_next(datetime.now(UTC), self.config.daemon.report, zone)
            try:
                await asyncio.to_thread(self.deliver_if_due, datetime.now(UTC))
                self.last_error = ""
            except Exception as error:  # noqa: BLE001 - keep the daemon up; retry later
                self.last_error = f"{type(error).__name__}: {error}"
                log.warning("weekly report not delivered: %s", self.last_error)
                wait = min(wait, RETRY_SECONDS)
            await asyncio.sleep(wait)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def describe(self) -> str:
        settings = self.config.daemon.report
        state = f"; last error: {self.last_error}" if self.last_error else ""
        return (f"weekly report every {settings.weekday} {settings.time}, last delivered "
                f"{self.last_delivered() or 'never'}{state}")


def report_scheduler_service(config: LoadedConfig, store: Store,
                             scorer: Any) -> ReportScheduler | None:
    """Factory for the daemon: None unless ``[report] deliver = true``."""
    if not config.daemon.report.deliver:
        return None
    return ReportScheduler(config)
