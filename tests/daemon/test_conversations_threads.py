"""Threads by Message-ID/In-Reply-To/References, and the subject fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from daemon.conversations.threads import assign_threads, normalise_subject
from daemon.store.database import MessageRecord

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def msg(mid: str, sender: str, subject: str, minutes: int, reply_to: str = "",
        refs: tuple[str, ...] = (), to: tuple[str, ...] = ()) -> MessageRecord:
    return MessageRecord(source="mbox", direction="in", message_id=mid, in_reply_to=reply_to,
                         references=refs, subject=subject, from_addr=sender, to_addrs=to,
                         date=T0 + timedelta(minutes=minutes))


def test_replies_join_their_thread_by_headers() -> None:
    mails = [msg("<a>", "c@x.example", "Help", 0),
             msg("<b>", "me@example.com", "Re: Help", 5, reply_to="<a>"),
             msg("<c>", "c@x.example", "Re: Help", 9, refs=("<a>", "<b>")),
             msg("<d>", "d@y.example", "Other", 1)]
    assert assign_threads(mails) == ["<a>", "<a>", "<a>", "<d>"]


def test_two_replies_to_a_missing_message_share_a_thread() -> None:
    mails = [msg("<b>", "c@x.example", "Re: old", 0, reply_to="<gone>"),
             msg("<c>", "me@example.com", "Re: old", 3, reply_to="<gone>")]
    assert assign_threads(mails) == ["<b>", "<b>"]


def test_a_headerless_reply_joins_by_subject_and_participants() -> None:
    mails = [msg("<a>", "c@x.example", "[List] Invoice 42", 0, to=("me@example.com",)),
             msg("<b>", "me@example.com", "AW: Re: invoice  42", 60, to=("c@x.example",)),
             msg("<c>", "stranger@z.example", "Re: Invoice 42", 90, to=("other@z.example",)),
             msg("<d>", "c@x.example", "Invoice 42", 120, to=("me@example.com",))]
    # <c> shares no participant; <d> is not a reply ("Re:" missing): a new thread.
    assert assign_threads(mails) == ["<a>", "<a>", "<c>", "<d>"]


def test_subject_normalisation() -> None:
    assert normalise_subject("Re: AW: [GRASE-Hotspot]  Fwd: Login   page") == "login page"
    assert normalise_subject("RE[2]: Price") == "price"
    assert normalise_subject("Reminder: price") == "reminder: price"
