"""Score new and changed drafts in the Drafts folder.

IMAP messages are immutable: a client that saves a changed draft APPENDs a new one
(new UID) and expunges the old. So "new or changed" = UIDs from the last seen UIDNEXT
on, tracked per account/folder with UIDVALIDITY like the header sync.

Each draft is scored with ``Scorer.score_message(raw, now=...)`` and stored (body only
when ``[store] keep_bodies``). A draft whose verdict is not "pass" optionally gets an
IMAP keyword (``draft_keyword``, e.g. ``$TrustmailWarn``) that clients show as a tag,
and optionally a desktop notification (``notify``; uses ``notify-send`` when present).
A draft is read and scored where the daemon scores everything, in a scoring worker
process (daemon/imap/mail_scoring.py): anyone can put a hostile message in a mailbox.
A draft past the workers' limits (time budget, memory cap) is logged and skipped.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime

from imapclient import IMAPClient

from daemon.config.sections import AccountSettings
from daemon.imap.mail_scoring import MailScoring, ScoredMail, Unscorable, mail_scoring
from daemon.scoring_service.scorer import Scorer
from daemon.store.database import Store
from daemon.store.queries import (
    SyncState,
    forget_vanished_drafts,
    get_sync_state,
    save_sync_state,
)
from scoring.report import Report

FETCH_ITEM = b"BODY[]"
PASS = "pass"
NOTIFY_TIMEOUT_SECONDS = 5
log = logging.getLogger(__name__)


Notifier = Callable[[str, str], None]   # (title, text)
Scored = Callable[[Report], None]   # told each draft's report (team metrics)


def desktop_notify(title: str, text: str) -> None:
    """Show a desktop notification when ``notify-send`` exists; silently skip otherwise."""
    program = shutil.which("notify-send")
    if program is None:
        return
    try:
        subprocess.run([program, "--app-name=trustmail", title, text],
                       timeout=NOTIFY_TIMEOUT_SECONDS, check=False, capture_output=True)
    except (OSError, subprocess.TimeoutExpired):
        log.debug("desktop notification failed")


def log_bounded(scored: ScoredMail, where: str) -> None:
    """What the bounded pre-parse cut before scoring, if anything (never content)."""
    if scored.notes:
        log.info("%s: hostile headers bounded: %s", where, "; ".join(scored.notes))


def score_new_drafts(client: IMAPClient, store: Store, account: AccountSettings, folder: str,
                     scorer: Scorer | MailScoring, notify: Notifier | None = None,
                     on_scored: Scored | None = None) -> list[int]:
    """Score drafts not seen yet in the (selected, read-write) Drafts folder.

    Returns the UIDs scored, or given up on (past the scoring workers' limits: not
    stored, not tried again). The caller must have selected ``folder``. Drafts gone
    from the server (sent, deleted, or replaced by a newer version) leave the store.
    """
    status = client.folder_status(folder, ["UIDVALIDITY", "UIDNEXT"])
    uidvalidity, uidnext = int(status[b"UIDVALIDITY"]), int(status[b"UIDNEXT"])
    state = get_sync_state(store, account.name, folder)
    start = state.uidnext if state is not None and state.uidvalidity == uidvalidity else 1
    # The search, not the status, decides what is new: Dovecot's STATUS of the selected
    # folder shows the session's older view, and a draft saved meanwhile is announced in
    # the reply to a later command (imapclient keeps that EXISTS to itself). The search
    # result includes it, so a pass that finds nothing has missed nothing.
    present = set(client.search(["ALL"]))
    forget_vanished_drafts(store, account.name, folder, present)
    uids = sorted(u for u in present if u >= start)
    if not uids:
        return []
    uidnext = max(uidnext, uids[-1] + 1)
    scoring = mail_scoring(scorer)
    handled: list[int] = []
    for uid, data in client.fetch(uids, ["BODY.PEEK[]"]).items():
        raw = data.get(FETCH_ITEM, b"")
        if not raw:
            continue
        handled.append(int(uid))
        try:
            report = _score_one(client, store, account, folder, scoring, int(uid), raw, notify)
        except Unscorable as error:
            log.warning("%s: draft uid %d (%d bytes) not scored: %s", account.name, uid,
                        len(raw), error)
            continue
        if on_scored is not None:
            on_scored(report)
    save_sync_state(store, SyncState(account.name, folder, uidvalidity, uidnext))
    return handled


def _score_one(client: IMAPClient, store: Store, account: AccountSettings, folder: str,
               scoring: MailScoring, uid: int, raw: bytes,
               notify: Notifier | None) -> Report:
    scored = scoring.score(raw, "draft", datetime.now(UTC))
    log_bounded(scored, f"{account.name}: draft uid {uid}")
    record, report = scored.record, scored.report
    record.account, record.folder, record.uid = account.name, folder, uid
    record.body = report.body
    store.record_message(record, report)
    verdict = report.verdict
    log.info("%s: draft uid %d scored %s (%s)", account.name, uid, report.score, verdict)
    if verdict == PASS:
        return report
    if account.draft_keyword:
        client.add_flags([uid], [account.draft_keyword.encode()])
    if account.notify and notify is not None:
        notify(f"trustmail: draft scored {report.score} ({verdict})",
               record.subject or "(no subject)")
    return report
