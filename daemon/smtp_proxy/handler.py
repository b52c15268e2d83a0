"""aiosmtpd handler hooks that relay each client command to the upstream server.

The rule everything here follows: the client only ever hears a positive reply that
the upstream gave. MAIL, RCPT, AUTH and the final DATA reply are the upstream's own
words; when the upstream cannot be reached or fails mid-way the client gets a 4xx
and keeps its message. Scoring happens at DATA (see :mod:`policy`).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import ssl
import time
from collections.abc import Coroutine
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.smtp import MISSING, Envelope, Session

from daemon import metrics
from daemon.config.sections import SmtpSettings
from daemon.mail.headers import bounded_header_message, header_text
from daemon.runtime.logs import log_event
from daemon.smtp_proxy import replies
from daemon.smtp_proxy.pieces import join
from daemon.smtp_proxy.policy import (
    POLICY_OBSERVE,
    SCORE_FAILURE_TEMPFAIL,
    ResendMemory,
    decide,
    fingerprint,
)
from daemon.smtp_proxy.record import build_record
from daemon.smtp_proxy.scoring_call import ScoreOutcome, Scoring
from daemon.smtp_proxy.session import ProxySMTP, RelayState
from daemon.smtp_proxy.summary import refusal_reply
from daemon.smtp_proxy.upstream import Capabilities, Reply, UpstreamConnection, UpstreamError
from daemon.store.database import Store
from daemon.store.journal import RecordJournal

log = logging.getLogger("trustmail.smtp")

RELAYED_AUTH_MECHANISMS = ("LOGIN", "PLAIN")
SCORE_HEADER = b"X-Trustmail-Score"
SECONDS_PER_MINUTE = 60
# [smtp] score_failure = "tempfail": a message that could not be scored is sent again later
TEMPFAIL_REPLY = (b"451 4.7.0 trustmail: this email could not be scored in time; "
                  b"it was not sent, try again in a few minutes")


@dataclass
class ProxyContext:
    """Everything the hooks share across connections (swapped on reload)."""

    settings: SmtpSettings
    scoring: Scoring
    store: Store
    store_executor: Executor
    upstream_tls: ssl.SSLContext | None    # None for a loopback upstream with tls = "none"
    resend_memory: ResendMemory
    # the record is journalled (fsynced) before the client's 250, so a kill -9 between
    # the 250 and the store write loses nothing (daemon/store/journal.py); None: no journal
    journal: RecordJournal | None = None
    journal_executor: Executor | None = None
    last_capabilities: Capabilities | None = None
    background: set[asyncio.Task[None]] = field(default_factory=set)


class RelayHandler:
    """The hooks aiosmtpd calls; one instance serves every client connection."""

    def __init__(self, context: ProxyContext) -> None:
        self.context = context
        self.connections: set[ProxySMTP] = set()
        self.shutting_down = False

    # -- connection bookkeeping (called by ProxySMTP) ---------------------------------

    def connection_opened(self, server: ProxySMTP) -> None:
        self.connections.add(server)

    def connection_closed(self, server: ProxySMTP) -> None:
        self.connections.discard(server)
        relay = server.relay
        if relay.upstream is None:
            return
        if relay.in_transaction:
            # The client left before our reply: never finish its message upstream.
            relay.upstream.abort()
        else:
            self.spawn(relay.upstream.quit())
        relay.upstream = None
        relay.end_transaction()

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run work that outlives a reply; a shutdown waits for it."""
        task = asyncio.ensure_future(coroutine)
        self.context.background.add(task)
        task.add_done_callback(self.context.background.discard)

    # -- greeting and capabilities ----------------------------------------------------

    async def handle_HELO(self, server: ProxySMTP, session: Session, envelope: Envelope,
                          hostname: str) -> str:
        session.host_name = hostname
        await self._greet_upstream(server, hostname)
        return f"250 {server.hostname}"

    async def handle_EHLO(self, server: ProxySMTP, session: Session, envelope: Envelope,
                          hostname: str, responses: list[str]) -> list[str]:
        session.host_name = hostname
        await self._greet_upstream(server, hostname)
        return self._advertise(server, responses)

    async def _greet_upstream(self, server: ProxySMTP, hostname: str) -> None:
        """Open the upstream side early so EHLO can announce what the upstream offers."""
        relay = server.relay
        relay.helo_name = hostname
        if relay.in_transaction:         # EHLO resets a transaction (RFC 5321 4.1.4)
            await self.reset_upstream(relay)
            relay.end_transaction()
        try:
            await self._upstream(relay)
        except UpstreamError as error:
            log_event(log, logging.WARNING, "upstream-unreachable", stage="ehlo",
                      problem=str(error))

    def _advertise(self, server: ProxySMTP, responses: list[str]) -> list[str]:
        """aiosmtpd's EHLO lines, limited to what the upstream supports too."""
        relay = server.relay
        caps = relay.upstream.capabilities if relay.upstream else self.context.last_capabilities
        size = self.context.settings.max_message_bytes
        if caps is not None and caps.size_limit:
            size = min(size, caps.size_limit)
        server.data_size_limit = size
        lines = [responses[0]]
        for line in responses[1:-1]:
            keyword = line[4:].split(" ", 1)[0].upper()
            if keyword == "SIZE":
                lines.append(f"250-SIZE {size}")
            elif keyword in ("8BITMIME", "SMTPUTF8"):
                if caps is None or caps.has(keyword):
                    lines.append(line)
            elif keyword == "AUTH":
                mechanisms = self._auth_mechanisms(caps)
                if mechanisms:
                    lines.append("250-AUTH " + " ".join(mechanisms))
            else:
                lines.append(line)
        lines.append(responses[-1])
        return lines

    @staticmethod
    def _auth_mechanisms(caps: Capabilities | None) -> list[str]:
        """AUTH is offered only if the upstream wants it (unknown upstream: offer it)."""
        if caps is None:
            return list(RELAYED_AUTH_MECHANISMS)
        return [m for m in RELAYED_AUTH_MECHANISMS if m in caps.auth_mechanisms]

    # -- AUTH pass-through ------------------------------------------------------------

    async def handle_AUTH(self, server: ProxySMTP, session: Session, envelope: Envelope,
                          args: list[str]) -> bytes | None:
        """Relay the client's AUTH exchange to the upstream and return its verdict.

        Challenges and answers go through as they are; nothing is kept or logged.
        """
        relay = server.relay
        mechanism = args[0].upper()
        try:
            upstream = await self._upstream(relay)
        except UpstreamError as error:
            log_event(log, logging.WARNING, "upstream-unreachable", stage="auth",
                      problem=str(error))
            return replies.AUTH_UNAVAILABLE
        if mechanism not in upstream.capabilities.auth_mechanisms:
            return replies.AUTH_MECHANISM_UNSUPPORTED
        line = b"AUTH " + mechanism.encode("ascii")
        if len(args) > 1:
            line += b" " + args[1].encode("ascii", "replace")
        try:
            reply = await upstream.command(line)
            while reply.code == 334:
                challenge = reply.lines[-1][4:]
                answer = await server.challenge_auth(challenge, encode_to_b64=False)
                if answer is MISSING:      # client cancelled with "*" (aiosmtpd replied 501)
                    await upstream.command(b"*")
                    return None
                assert isinstance(answer, bytes)
                reply = await upstream.command(base64.b64encode(answer))
        except UpstreamError as error:
            relay.drop_upstream()
            log_event(log, logging.WARNING, "upstream-lost", stage="auth", problem=str(error))
            return replies.AUTH_UNAVAILABLE
        if reply.code == 235:
            relay.authenticated = True
            session.authenticated = True
        log_event(log, logging.INFO, "auth", mechanism=mechanism, upstream_code=reply.code)
        return reply.wire

    # -- the transaction --------------------------------------------------------------

    async def handle_MAIL(self, server: ProxySMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> bytes:
        relay = server.relay
        try:
            upstream = await self._upstream(relay)
        except UpstreamError as error:
            log_event(log, logging.WARNING, "upstream-unreachable", stage="mail",
                      problem=str(error))
            metrics.record_smtp("failed", "upstream_unreachable")
            return (replies.UPSTREAM_LOST_CLOSING if relay.close_after_reply
                    else replies.UPSTREAM_UNREACHABLE)
        path = "<>" if address in ("", "<>") else f"<{address}>"
        line = " ".join([f"MAIL FROM:{path}", *mail_options])
        reply = await self._relay_command(relay, upstream, line, "mail")
        if reply is None:
            return self._lost_reply(relay)
        if reply.ok:
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
            relay.begin_transaction()
        return reply.wire

    async def handle_RCPT(self, server: ProxySMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> bytes:
        relay = server.relay
        upstream = relay.upstream
        if upstream is None:
            return self._lost_reply(relay)
        line = " ".join([f"RCPT TO:<{address}>", *rcpt_options])
        reply = await self._relay_command(relay, upstream, line, "rcpt")
        if reply is None:
            return self._lost_reply(relay)
        if reply.ok:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
        return reply.wire

    async def handle_RSET(self, server: ProxySMTP, session: Session,
                          envelope: Envelope) -> object:
        await self.reset_upstream(server.relay)
        return MISSING

    async def handle_QUIT(self, server: ProxySMTP, session: Session,
                          envelope: Envelope) -> object:
        relay = server.relay
        if relay.upstream is not None:
            self.spawn(relay.upstream.quit())
            relay.upstream = None
        return MISSING

    async def handle_DATA(self, server: ProxySMTP, session: Session,
                          envelope: Envelope) -> bytes:
        """Score, apply the policy, relay the bytes, and return the upstream's reply."""
        started = time.perf_counter()
        relay = server.relay
        context = self.context
        settings = context.settings
        upstream = relay.upstream
        relay.data_relayed = True
        raw = envelope.original_content or b""
        mail_from = envelope.mail_from or ""
        rcpt_tos = list(envelope.rcpt_tos)
        if upstream is None or not upstream.connected:
            metrics.record_smtp("failed", "upstream_lost")
            return self._lost_reply(relay)
        scoring = asyncio.ensure_future(
            context.scoring.score(raw, settings.score_timeout_ms))
        scoring.add_done_callback(metrics.record_proxy_scored)
        outcome: ScoreOutcome | None = None
        content = raw
        if settings.policy != POLICY_OBSERVE or settings.add_header:
            outcome = await scoring
            refusal = self._apply_policy(outcome, raw, mail_from, rcpt_tos)
            if refusal is not None:
                await self.reset_upstream(relay)
                return refusal
            if settings.add_header:
                content = await join([score_header(outcome), raw])   # a copy of 50 MiB
        try:
            reply = await upstream.send_data(content)
        except UpstreamError as error:
            relay.drop_upstream()
            log_event(log, logging.WARNING, "upstream-lost", stage="data", problem=str(error),
                      size=len(raw))
            metrics.record_smtp("failed", "upstream_lost")
            return self._lost_reply(relay)
        if reply.ok:
            journal_id = await self._journal(scoring, raw, mail_from, rcpt_tos)
            self.spawn(self._record(scoring, raw, mail_from, rcpt_tos, journal_id))
        log_event(log, logging.INFO, "relayed" if reply.ok else "upstream-refused",
                  sender=mail_from, recipients=len(rcpt_tos), size=len(raw),
                  upstream_code=reply.code,
                  ms=round((time.perf_counter() - started) * 1000, 1))
        metrics.record_upstream_reply(reply.code)
        return reply.wire

    def _apply_policy(self, outcome: ScoreOutcome, raw: bytes, mail_from: str,
                      rcpt_tos: list[str]) -> bytes | None:
        """The 550 refusal (or 451 for a message that could not be scored) to send back,
        or None to relay."""
        context = self.context
        settings = context.settings
        tempfail = settings.score_failure == SCORE_FAILURE_TEMPFAIL
        if outcome.failure:
            log_event(log, logging.WARNING,
                      "score-failed-tempfail" if tempfail else "score-failed-open",
                      problem=outcome.failure, ms=round(outcome.elapsed_ms, 1))
        report = outcome.report
        body = report.body if report is not None else ""
        subject = header_text(bounded_header_message(raw), "Subject")
        key = fingerprint(mail_from, rcpt_tos, subject, body)
        decision = decide(settings.policy, None if outcome.failure else report, key,
                          context.resend_memory, settings.hold_override, settings.score_failure)
        if decision.relay:
            if decision.reason == "resend":
                log_event(log, logging.INFO, "policy-resend-passed", sender=mail_from)
            return None
        if decision.reason == "tempfail":
            metrics.record_smtp("held", "tempfail")
            return TEMPFAIL_REPLY
        assert report is not None
        log_event(log, logging.INFO, "policy-refused", reason=decision.reason,
                  sender=mail_from, score=report.score, verdict=report.verdict)
        metrics.record_smtp("held", decision.reason.replace("-", "_"))
        minutes = settings.warn_resend_minutes if decision.resend_allowed else None
        return refusal_reply(report, minutes)

    async def _journal(self, scoring: asyncio.Future[ScoreOutcome], raw: bytes,
                       mail_from: str, rcpt_tos: list[str]) -> str | None:
        """Write the record durably before the client hears 250; its journal id, or None
        (no journal, or it failed: relaying goes on, the record follows as before)."""
        context = self.context
        if context.journal is None or context.journal_executor is None:
            return None
        done = scoring.done() and not scoring.cancelled() and scoring.exception() is None
        outcome = scoring.result() if done else None
        report = outcome.report if outcome is not None and not outcome.failure else None
        try:
            record = build_record(raw, mail_from, rcpt_tos, None)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(context.journal_executor,
                                              context.journal.append, record, report)
        except Exception as error:  # noqa: BLE001 - the journal must not stop relaying
            log_event(log, logging.ERROR, "journal-failed", problem=type(error).__name__)
            return None

    async def _record(self, scoring: asyncio.Future[ScoreOutcome], raw: bytes,
                      mail_from: str, rcpt_tos: list[str],
                      journal_id: str | None = None) -> None:
        """Store the relayed message's metadata and report (after the client's reply)."""
        context = self.context
        outcome = await scoring
        if outcome.failure and context.settings.policy == POLICY_OBSERVE:
            log_event(log, logging.WARNING, "score-failed-open", problem=outcome.failure,
                      ms=round(outcome.elapsed_ms, 1))
        report = None if outcome.failure else outcome.report
        body = report.body if report is not None and context.store.keep_bodies else None
        try:
            record = build_record(raw, mail_from, rcpt_tos, body)
            loop = asyncio.get_running_loop()
            if journal_id is not None and context.journal is not None:
                await loop.run_in_executor(context.store_executor, context.journal.commit,
                                           journal_id, record, report)
            else:
                await loop.run_in_executor(context.store_executor,
                                           context.store.record_message, record, report)
        except Exception as error:  # noqa: BLE001 - a store failure must not stop relaying
            log_event(log, logging.ERROR, "record-failed", problem=type(error).__name__)

    # -- upstream helpers -------------------------------------------------------------

    async def _upstream(self, relay: RelayState) -> UpstreamConnection:
        """The session's upstream connection, opened on first use.

        A connection the upstream closed, or that holds bytes nobody asked for (a 421
        after its idle timeout, or an injection), is replaced rather than reused.
        """
        if relay.upstream is not None:
            if relay.upstream.reusable:
                return relay.upstream
            relay.upstream.abort()
            relay.upstream = None
        if relay.authenticated:
            # The client authenticated through a connection that is gone; we keep no
            # credentials, so the client must reconnect and authenticate again.
            relay.close_after_reply = True
            raise UpstreamError("the upstream connection closed after AUTH")
        upstream = UpstreamConnection(self.context.settings.upstream,
                                      self.context.upstream_tls)
        reply = await upstream.connect(relay.helo_name)
        if reply.code != 250:
            upstream.abort()
            raise UpstreamError(f"upstream refused the session: {reply.text()}")
        relay.upstream = upstream
        self.context.last_capabilities = upstream.capabilities
        return upstream

    async def _relay_command(self, relay: RelayState, upstream: UpstreamConnection,
                             line: str, stage: str) -> Reply | None:
        if "\r" in line or "\n" in line:
            # aiosmtpd lets a CR through inside an address; a lenient upstream would
            # split the line into two commands there.
            return Reply(501, (replies.LINE_BREAK_IN_COMMAND,))
        try:
            return await upstream.command(line.encode("utf-8", "surrogateescape"))
        except UpstreamError as error:
            relay.drop_upstream()
            log_event(log, logging.WARNING, "upstream-lost", stage=stage, problem=str(error))
            return None

    async def reset_upstream(self, relay: RelayState) -> None:
        if relay.upstream is None or not relay.upstream.connected:
            return
        try:
            await relay.upstream.command(b"RSET")
        except UpstreamError:
            relay.drop_upstream()

    @staticmethod
    def _lost_reply(relay: RelayState) -> bytes:
        return replies.UPSTREAM_LOST_CLOSING if relay.close_after_reply else replies.UPSTREAM_LOST


def score_header(outcome: ScoreOutcome) -> bytes:
    """The opt-in header for internal use (never added unless configured): ``72 (warn)``,
    or ``unscored (fail-open: timeout)`` for a message relayed without a score."""
    report = outcome.report
    if outcome.failure or report is None:
        problem = (outcome.failure or "error").split(":", 1)[0]
        return SCORE_HEADER + f": unscored (fail-open: {problem})\r\n".encode()
    return SCORE_HEADER + f": {report.score} ({report.verdict})\r\n".encode()
