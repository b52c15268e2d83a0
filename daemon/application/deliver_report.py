"""Deliver a report: APPEND it as an email into the inbox of the report account.

Used by ``trustmail report --deliver`` and the weekly scheduler alike.
"""

from __future__ import annotations

from datetime import datetime

from daemon.config.load import LoadedConfig
from daemon.config.sections import AccountSettings
from daemon.reports.compute import PeriodReport
from daemon.reports.delivery import deliver_report as append_to_inbox
from daemon.reports.email_message import build_report_email
from scoring.errors import InputError


def report_account(config: LoadedConfig) -> AccountSettings:
    """The account the report is APPENDed to: ``[report] account``, else the first one."""
    accounts = config.daemon.accounts
    name = config.daemon.report.account
    chosen = [a for a in accounts if a.name == name] if name else list(accounts[:1])
    if not chosen:
        raise InputError(f"--deliver: no [[accounts]] named {name!r}" if name else
                         "--deliver needs an [[accounts]] entry (and [report] account)")
    return chosen[0]


def deliver_report(config: LoadedConfig, report: PeriodReport, now: datetime) -> AccountSettings:
    """Build the report email for the first "me" address and APPEND it; returns where."""
    account = report_account(config)
    append_to_inbox(account, build_report_email(report, report.me[0], now), now)
    return account
