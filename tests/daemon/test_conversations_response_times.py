"""Response times as DESIGN.md defines them, on small hand-made threads.

Business hours: Europe/Berlin, Mon-Fri 09:00-17:00, German public holidays.
23 Nov 2026 is a Monday; Berlin is UTC+1 then.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from daemon.conversations.response_times import Parties, compute_response_times
from daemon.store.database import MessageRecord
from scoring.business_time import BusinessClock
from scoring.settings import BusinessHours

ME = "alice@example.com"
PARTIES = Parties.of([ME], ["example.com"])
CLOCK = BusinessClock(BusinessHours(timezone="Europe/Berlin", days=(0, 1, 2, 3, 4),
                                    start=time(9), end=time(17), holidays="DE"))
MON_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)       # 10:00 in Berlin
HOUR = 3600.0
FAR_FUTURE = datetime(2030, 1, 1, tzinfo=UTC)


def msg(mid: str, sender: str, at: datetime, reply_to: str = "",
        automated: bool = False) -> MessageRecord:
    return MessageRecord(source="mbox", direction="in", message_id=mid, in_reply_to=reply_to,
                         from_addr=sender, date=at, subject="Order", automated=automated)


def test_a_block_is_timed_from_its_first_message_to_my_first_reply() -> None:
    mails = [msg("<q1>", "carla@customer.example", MON_10),
             msg("<q2>", "carla@customer.example", MON_10 + timedelta(hours=1), "<q1>"),
             msg("<a1>", ME, MON_10 + timedelta(hours=3), "<q2>"),
             msg("<a2>", ME, MON_10 + timedelta(hours=4), "<a1>")]
    result = compute_response_times(mails, PARTIES, CLOCK, FAR_FUTURE)
    assert [(r.inbound_message_id, r.reply_message_id, r.wall_seconds, r.business_seconds)
            for r in result.responses] == [("<q1>", "<a1>", 3 * HOUR, 3 * HOUR)]
    assert result.unanswered == []


def test_a_new_inbound_message_after_my_reply_opens_a_new_block() -> None:
    mails = [msg("<q1>", "carla@customer.example", MON_10),
             msg("<a1>", ME, MON_10 + timedelta(hours=1), "<q1>"),
             msg("<q2>", "carla@customer.example", MON_10 + timedelta(hours=2), "<a1>")]
    cutoff = MON_10 + timedelta(hours=5)
    result = compute_response_times(mails, PARTIES, CLOCK, cutoff)
    assert [r.inbound_message_id for r in result.responses] == ["<q1>"]
    assert [(u.inbound_message_id, u.age_seconds, u.business_age_seconds)
            for u in result.unanswered] == [("<q2>", 3 * HOUR, 3 * HOUR)]


def test_weekends_nights_and_holidays_do_not_count_as_business_time() -> None:
    friday_16 = datetime(2026, 12, 18, 15, 0, tzinfo=UTC)     # Fri 16:00 Berlin
    # Christmas: Thu 24th is a normal working day in DE, 25th and 26th are holidays.
    mails = [msg("<q1>", "carla@customer.example", friday_16),
             msg("<a1>", ME, datetime(2026, 12, 21, 9, 30, tzinfo=UTC), "<q1>"),   # Mon 10:30
             msg("<q2>", "dan@other.example", datetime(2026, 12, 24, 15, 0, tzinfo=UTC)),
             msg("<a2>", ME, datetime(2026, 12, 28, 8, 30, tzinfo=UTC), "<q2>")]   # Mon 9:30
    result = compute_response_times(mails, PARTIES, CLOCK, FAR_FUTURE)
    assert [(r.inbound_message_id, r.business_seconds) for r in result.responses] == [
        ("<q1>", 1 * HOUR + 1.5 * HOUR),     # Fri 16-17, Mon 9-10:30
        ("<q2>", 1 * HOUR + 0.5 * HOUR)]     # Thu 24th 16-17, Mon 28th 9-9:30
    assert result.responses[0].wall_seconds == (2 * 24 + 18.5) * HOUR


def test_colleagues_and_automated_mail_neither_start_nor_answer_a_block() -> None:
    mails = [msg("<n1>", "noreply@shop.example", MON_10, automated=True),
             msg("<c1>", "bob@example.com", MON_10 + timedelta(minutes=5)),      # colleague
             msg("<q1>", "carla@customer.example", MON_10 + timedelta(minutes=10), "<c1>"),
             msg("<v1>", ME, MON_10 + timedelta(minutes=11), "<q1>", automated=True),
             msg("<a1>", ME, MON_10 + timedelta(hours=1, minutes=10), "<q1>")]
    result = compute_response_times(mails, PARTIES, CLOCK, FAR_FUTURE)
    assert [(r.inbound_message_id, r.reply_message_id, r.wall_seconds)
            for r in result.responses] == [("<q1>", "<a1>", HOUR)]
    assert result.unanswered == []


def test_mail_after_the_cutoff_is_not_seen() -> None:
    mails = [msg("<q1>", "carla@customer.example", MON_10),
             msg("<a1>", ME, MON_10 + timedelta(days=1), "<q1>")]
    result = compute_response_times(mails, PARTIES, CLOCK, MON_10 + timedelta(hours=2))
    assert result.responses == [] and [u.inbound_message_id for u in result.unanswered] == [
        "<q1>"]
