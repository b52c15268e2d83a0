"""The instruments trustmail exports: names, kinds, help texts, label names, buckets.

One table of data shared by both exporters, so a Prometheus scrape of the loopback
endpoint and an OTLP push to the company's collector give the same series
(``trustmail_drafts_scored_total`` in Prometheus is ``trustmail_drafts_scored`` in OTLP;
a collector's Prometheus exporter adds the ``_total``).

Which labels are actually exported is the label policy's word (daemon/metrics/labels.py):
``customer_domain`` only when the admin turns it on, ``account`` only when set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from daemon.metrics.labels import CUSTOMER_DOMAIN

Kind = Literal["counter", "histogram"]
COUNTER: Final = "counter"
HISTOGRAM: Final = "histogram"
MINUTE = 60.0
HOUR = 60 * MINUTE
BUSINESS_DAY = 8 * HOUR       # the default [business] hours, 09:00-17:00


@dataclass(frozen=True)
class Instrument:
    name: str                                  # Prometheus base name (no _total suffix)
    kind: Kind
    description: str
    labels: tuple[str, ...]
    unit: str = "1"                            # UCUM, as OTLP wants it
    buckets: tuple[float, ...] = ()            # histogram upper bounds


DRAFTS_SCORED = Instrument(
    "trustmail_drafts_scored", COUNTER,
    "Drafts scored, by where they were scored (api: the add-on while typing, smtp: a "
    "message being sent, imap: a draft saved in the Drafts folder) and verdict (failed: "
    "no verdict in time).",
    ("source", "verdict"))

FINDINGS = Instrument(
    "trustmail_findings", COUNTER,
    "Findings in scored drafts, by rule id and where the draft was scored.",
    ("source", "rule"))

SMTP_MESSAGES = Instrument(
    "trustmail_smtp_messages", COUNTER,
    "Messages handed to the SMTP proxy, by outcome (relayed, failed, held by the policy) "
    "and reason class.",
    ("outcome", "reason"))

SMTP_CONNECTIONS_REFUSED = Instrument(
    "trustmail_smtp_connections_refused", COUNTER,
    "Client connections the SMTP proxy refused with 421 because [smtp] max_connections "
    "were open (the client sends again later).",
    ())

PROMISES = Instrument(
    "trustmail_promises", COUNTER,
    "Promises in sent mail: made, kept (written again in the thread by the due date) and "
    "overdue (due date passed unkept), counted when the daemon sees each happen.",
    ("event",))

FIRST_RESPONSE = Instrument(
    "trustmail_first_response_business_seconds", HISTOGRAM,
    "First-response time to a customer in business time (working hours only, weekends "
    "and holidays skipped), one observation per answered block of customer mail.",
    (CUSTOMER_DOMAIN,), unit="s",
    buckets=(15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, BUSINESS_DAY,
             2 * BUSINESS_DAY, 3 * BUSINESS_DAY, 5 * BUSINESS_DAY, 10 * BUSINESS_DAY))

INSTRUMENTS = (DRAFTS_SCORED, FINDINGS, SMTP_MESSAGES, SMTP_CONNECTIONS_REFUSED, PROMISES,
               FIRST_RESPONSE)
