"""Promises from the Sent folder: score recent sent mail nobody scored yet.

Mail sent through the SMTP proxy or the add-on is scored on the way out. Mail sent
from any other client is only seen in Sent: for those messages (new since the last
sync, dated within :data:`SENT_SCORE_DAYS`, and without a scored copy of the same
Message-ID in the store) the body is fetched once, scored (promise due dates resolve
against the message's own Date) and the header row is replaced by the scored one.
Older mail is left as headers: its promises are long due and would only be noise.
Sent mail is read and scored in a scoring worker, like drafts (daemon/imap/
mail_scoring.py); one past the workers' limits is logged and left as headers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from imapclient import IMAPClient

from daemon.imap.drafts import FETCH_ITEM, log_bounded
from daemon.imap.mail_scoring import MailScoring, Unscorable, mail_scoring
from daemon.scoring_service.scorer import Scorer
from daemon.store.database import Store

SENT_SCORE_DAYS = 14
log = logging.getLogger(__name__)


def _unscored(store: Store, account: str, folder: str, uids: Sequence[int],
              since: datetime) -> list[int]:
    wanted: list[int] = []
    for uid in uids:
        row = store.connection.execute(
            "SELECT message_id, date_utc FROM messages WHERE account=? AND folder=? AND uid=?",
            (account, folder, uid)).fetchone()
        if row is None or not row[1] or datetime.fromisoformat(row[1]) < since:
            continue
        scored = row[0] and store.connection.execute(
            "SELECT 1 FROM messages WHERE message_id=? AND score IS NOT NULL LIMIT 1",
            (row[0],)).fetchone()
        if not scored:
            wanted.append(uid)
    return wanted


def score_sent(client: IMAPClient, store: Store, account: str, folder: str,
               uids: Sequence[int], scorer: Scorer | MailScoring,
               now: datetime | None = None) -> int:
    """Score the recent, unscored messages among ``uids`` (``folder`` must be selected)."""
    since = (now or datetime.now(UTC)) - timedelta(days=SENT_SCORE_DAYS)
    wanted = _unscored(store, account, folder, uids, since)
    if not wanted:
        return 0
    scoring = mail_scoring(scorer)
    for uid, data in client.fetch(wanted, ["BODY.PEEK[]"]).items():
        raw = data.get(FETCH_ITEM, b"")
        if not raw:
            continue
        where = f"{account}/{folder}: uid {uid}"
        try:
            scored = scoring.score(raw, "out", None)     # due dates from its own Date
        except Unscorable as error:
            log.warning("%s (%d bytes) not scored: %s", where, len(raw), error)
            continue
        log_bounded(scored, where)
        record, report = scored.record, scored.report
        record.account, record.folder, record.uid = account, folder, int(uid)
        record.body = report.body
        store.record_message(record, report)
    log.info("%s/%s: scored %d sent messages for promises", account, folder, len(wanted))
    return len(wanted)
