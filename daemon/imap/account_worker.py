"""One thread per IMAP account: header sync of INBOX and Sent, IDLE on Drafts.

The loop of a connection:
1. connect (verified TLS), ENABLE CONDSTORE, find folders by SPECIAL-USE;
2. sync INBOX and Sent headers, select Drafts and score drafts not seen yet;
3. IDLE on Drafts; on any change score the new drafts; every ``renew_seconds``
   (10 min, well before the 29-minute limit of RFC 2177) leave IDLE, sync INBOX/Sent
   again and re-enter IDLE. Each IDLE starts with a short one followed by a look at
   Drafts: Dovecot never announces a draft committed in the instant its IDLE starts
   (seen here: a draft saved 1 ms after the watcher's last search waited for renewal).

Any network failure (including imapclient's ``IMAP4.abort: unterminated line`` from
a half-read IDLE line, upstream bug #519) drops the connection and reconnects after
an exponential backoff (1 s doubling to 5 min, reset after a good connection).
"""

from __future__ import annotations

import imaplib
import logging
import threading
import time
from collections import deque

from imapclient import IMAPClient

from daemon.config.sections import AccountSettings
from daemon.imap import ImapError
from daemon.imap.connection import connect
from daemon.imap.drafts import Notifier, Scored, desktop_notify, score_new_drafts
from daemon.imap.folders import Folders, discover_folders
from daemon.imap.header_sync import Progress, enable_condstore, sync_folder
from daemon.imap.mail_scoring import MailScoring
from daemon.imap.sent_promises import score_sent
from daemon.scoring_service.pool import WorkersClosed
from daemon.scoring_service.scorer import Scorer
from daemon.store.database import Store

IDLE_RENEW_SECONDS = 10 * 60
IDLE_CHECK_SECONDS = 1.0          # how often the thread looks at its stop flag
IDLE_SETTLE_SECONDS = 2.0         # the short first IDLE, then a look at Drafts
DRAFT_PASSES = 10                 # passes over Drafts before IDLE while drafts keep coming
BACKOFF_START_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 5 * 60.0
RECENT_ERRORS = 10
MAILBOX_CHANGES = frozenset({b"EXISTS", b"EXPUNGE", b"FETCH", b"RECENT", b"VANISHED"})
# Everything that means "the connection is gone": socket and TLS errors, IMAP errors.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (OSError, imaplib.IMAP4.error, EOFError)
log = logging.getLogger(__name__)


def is_mailbox_change(response: object) -> bool:
    """``(3, b"EXISTS")``-style IDLE responses; not keep-alives like ``(b"OK", b"Still here")``."""
    return (isinstance(response, tuple) and len(response) > 1
            and response[1] in MAILBOX_CHANGES)


def sync_headers(client: IMAPClient, store: Store, account: AccountSettings, folders: Folders,
                 progress: Progress | None = None,
                 scorer: Scorer | MailScoring | None = None) -> int:
    """Incremental header sync of INBOX ("in") and Sent ("out"); returns messages fetched.

    With a scorer, recent sent mail that nobody scored yet is scored for its promises.
    """
    fetched = sync_folder(client, store, account.name, folders.inbox, "in", progress).fetched
    sent = sync_folder(client, store, account.name, folders.sent, "out", progress)
    if scorer is not None and sent.new_uids:
        score_sent(client, store, account.name, folders.sent, sent.new_uids, scorer)
    return fetched + sent.fetched


class AccountWorker(threading.Thread):
    """Keeps one account in sync until :meth:`stop`; safe to stop at any moment."""

    def __init__(self, account: AccountSettings, store: Store,
                 scorer: Scorer | MailScoring | None,
                 *, renew_seconds: float = IDLE_RENEW_SECONDS,
                 backoff_start: float = BACKOFF_START_SECONDS,
                 notify: Notifier = desktop_notify, on_scored: Scored | None = None) -> None:
        super().__init__(name=f"imap-{account.name}", daemon=True)
        self.account = account
        self.store = store
        self.scorer = scorer
        self.renew_seconds = renew_seconds
        self.backoff_start = backoff_start
        self.notify = notify
        self.on_scored = on_scored
        self.connections = 0          # successful connections (tests and describe())
        self.last_error = ""
        self.recent_errors: deque[str] = deque(maxlen=RECENT_ERRORS)
        self._stop_event = threading.Event()
        self._client: IMAPClient | None = None

    def stop(self, timeout: float = 10.0) -> None:
        self._stop_event.set()
        self.join(timeout)

    def run(self) -> None:
        backoff = self.backoff_start
        while not self._stop_event.is_set():
            connected_before = self.connections
            try:
                self._session()
            except WorkersClosed as error:     # stop() withdrew the job it waited for,
                self.last_error = f"scoring stopped: {error}"   # or the pool is gone
                log.info("%s: %s", self.account.name, self.last_error)
            except ImapError as error:
                self.last_error = str(error)
                self.recent_errors.append(self.last_error)
                log.error("%s", error)
                backoff = BACKOFF_MAX_SECONDS     # retrying soon will not fix a config
            except CONNECTION_ERRORS as error:
                self.last_error = f"{type(error).__name__}: {error}"
                self.recent_errors.append(self.last_error)
                if self.connections > connected_before:
                    backoff = self.backoff_start  # it worked until now: retry quickly
                log.warning("%s: connection lost (%s); reconnecting in %.0f s",
                            self.account.name, self.last_error, backoff)
            except Exception as error:  # noqa: BLE001 - a bug must not end the account's thread
                self.last_error = f"{type(error).__name__}: {error}"
                self.recent_errors.append(self.last_error)
                log.exception("%s: unexpected error; reconnecting in %.0f s",
                              self.account.name, backoff)
            finally:
                self._close()
            if self._stop_event.wait(backoff):
                break
            backoff = min(backoff * 2, BACKOFF_MAX_SECONDS)
        self.store.close()

    def _session(self) -> None:
        client = self._client = connect(self.account)
        self.connections += 1
        self.last_error = ""
        enable_condstore(client)
        folders = discover_folders(client, self.account)
        sync_headers(client, self.store, self.account, folders, scorer=self.scorer)
        self._check_drafts(client, folders)
        while not self._stop_event.is_set():
            if not self._idle_until_change(client, IDLE_SETTLE_SECONDS):
                self._check_drafts(client, folders)
                if self._stop_event.is_set():
                    break
                self._idle_until_change(client, self.renew_seconds)
            if self._stop_event.is_set():
                break
            sync_headers(client, self.store, self.account, folders, scorer=self.scorer)
            self._check_drafts(client, folders)

    def _check_drafts(self, client: IMAPClient, folders: Folders) -> None:
        """Score new drafts until a pass finds none; then IDLE may start.

        A draft saved while a pass runs is announced (EXISTS) in the reply to one of the
        pass's own commands (the keyword's STORE, say), which imapclient keeps to itself,
        not in IDLE. Only a pass that finds nothing new ends the check: its search was the
        last command, so whatever is saved after it is announced in IDLE.
        """
        client.select_folder(folders.drafts)
        if self.scorer is None:
            return
        for _ in range(DRAFT_PASSES):
            if not score_new_drafts(client, self.store, self.account, folders.drafts,
                                    self.scorer, self.notify, self.on_scored):
                return

    def _idle_until_change(self, client: IMAPClient, seconds: float) -> bool:
        """IDLE until the server reports a change (True), ``seconds`` pass or stop()."""
        client.idle()
        started = time.monotonic()
        try:
            while not self._stop_event.is_set():
                if any(is_mailbox_change(r) for r in client.idle_check(IDLE_CHECK_SECONDS)):
                    return True
                if time.monotonic() - started >= seconds:
                    return False
            return False
        finally:
            client.idle_done()

    def _close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except CONNECTION_ERRORS:
            try:
                client.shutdown()
            except OSError:
                pass
