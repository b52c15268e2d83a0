"""The proxy relays through a real aiosmtpd upstream (STARTTLS + AUTH), driven by swaks
and smtplib: replies are the upstream's, bytes arrive unchanged, faults give 4xx.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.smtp_proxy import (
    HEDGING_BODY,
    message,
    message_with_attachment,
    running_proxy,
    send_message,
    smtp_client,
    swaks,
    wait_until,
)
from support.smtp_upstream import SmtpUpstream

pytestmark = pytest.mark.real


@pytest.fixture
def smtp_upstream() -> Iterator[SmtpUpstream]:
    """The usual upstream: STARTTLS and AUTH required."""
    with SmtpUpstream.start() as upstream:
        yield upstream


@pytest.fixture
def open_upstream() -> Iterator[SmtpUpstream]:
    """An upstream that needs no AUTH (over STARTTLS)."""
    with SmtpUpstream.start(users={}) as upstream:
        yield upstream


async def test_swaks_starttls_auth_plain_relays_and_records(
        smtp_upstream: SmtpUpstream, tmp_path: Path) -> None:
    raw = message(body=HEDGING_BODY)
    async with running_proxy(smtp_upstream, tmp_path) as proxy:
        result = await swaks(proxy.port, "--from", "alice@example.com",
                             "--to", "maria@customer.example", data=raw,
                             auth=(smtp_upstream.user, smtp_upstream.password))
        assert result.code == 0, result.transcript
        assert "STARTTLS" in result.transcript
        assert "235 2.7.0 Authentication successful" in result.transcript
        assert "250 2.0.0 OK queued as 1" in result.transcript   # the upstream's own words
        [received] = smtp_upstream.wait_for_messages(1)
        assert received.login == smtp_upstream.user and received.tls
        assert received.rcpt_tos == ("maria@customer.example",)
        assert await wait_until(lambda: len(proxy.recorded()) == 1)
    [row] = proxy.recorded()
    assert row["source"] == "smtp" and row["direction"] == "out"
    assert row["message_id"] == "<m1@example.com>"
    assert row["subject"] == "Your renewal"
    assert row["verdict"] in ("warn", "hold") and row["score"] < 70
    assert row["body"] is None                       # bodies are not stored by default
    rules = {r["rule"] for r in proxy.store.query("SELECT rule FROM findings")}
    assert "en.tone.condescending" in rules


async def test_wrong_password_gets_the_upstreams_refusal(
        smtp_upstream: SmtpUpstream, tmp_path: Path) -> None:
    async with running_proxy(smtp_upstream, tmp_path) as proxy:
        result = await swaks(proxy.port, "--to", "maria@customer.example",
                             auth=(smtp_upstream.user, "wrong"))
    assert result.code != 0
    assert "535 5.7.8 Authentication credentials invalid" in result.transcript
    assert smtp_upstream.messages == []


async def test_auth_login_is_relayed_step_by_step(
        smtp_upstream: SmtpUpstream, tmp_path: Path) -> None:
    async with running_proxy(smtp_upstream, tmp_path) as proxy:
        result = await swaks(proxy.port, "--to", "maria@customer.example",
                             "--auth", "LOGIN", "--auth-user", smtp_upstream.user,
                             "--auth-password", smtp_upstream.password)
    assert result.code == 0, result.transcript
    assert "334 VXNlcm5hbWU6" in result.transcript or "334 " in result.transcript
    assert smtp_upstream.wait_for_messages(1)[0].login == smtp_upstream.user


async def test_mail_without_auth_gets_the_upstreams_530(
        smtp_upstream: SmtpUpstream, tmp_path: Path) -> None:
    async with running_proxy(smtp_upstream, tmp_path) as proxy:
        result = await swaks(proxy.port, "--to", "maria@customer.example")
    assert "530 5.7.0 Authentication required" in result.transcript
    assert result.code != 0


async def test_no_auth_offered_when_the_upstream_needs_none(
        open_upstream: SmtpUpstream, tmp_path: Path) -> None:
    async with running_proxy(open_upstream, tmp_path) as proxy:
        client = await asyncio.to_thread(smtp_client, proxy.port, None)
        assert not client.has_extn("auth")
        assert client.has_extn("size") and client.has_extn("8bitmime")
        await asyncio.to_thread(client.sendmail, "alice@example.com", ["bob@example.org"],
                                message())
        await asyncio.to_thread(client.quit)
    assert open_upstream.wait_for_messages(1)[0].login is None


async def test_each_recipient_gets_its_own_upstream_reply(
        smtp_upstream: SmtpUpstream, tmp_path: Path) -> None:
    async with running_proxy(smtp_upstream, tmp_path) as proxy:
        result = await swaks(proxy.port, "--to", "maria@customer.example,refuse-x@customer.example",
                             auth=(smtp_upstream.user, smtp_upstream.password))
    assert "550 5.1.1 <refuse-x@customer.example>: recipient refused" in result.transcript
    [received] = smtp_upstream.wait_for_messages(1)
    assert received.rcpt_tos == ("maria@customer.example",)


async def test_size_is_the_smaller_of_config_and_upstream(tmp_path: Path) -> None:
    with SmtpUpstream.start(users={}, size_limit=2_000_000) as upstream:
        async with running_proxy(upstream, tmp_path, max_message_bytes=5_000_000) as proxy:
            client = await asyncio.to_thread(smtp_client, proxy.port, None)
            assert client.esmtp_features["size"] == "2000000"
            await asyncio.to_thread(client.quit)
        async with running_proxy(upstream, tmp_path / "b", max_message_bytes=1_000_000) as proxy:
            client = await asyncio.to_thread(smtp_client, proxy.port, None)
            assert client.esmtp_features["size"] == "1000000"
            await asyncio.to_thread(client.quit)


# -- upstream faults ------------------------------------------------------------------

@pytest.mark.parametrize(("fault", "code", "text"), [
    ("reject-data", 554, b"5.6.0 message rejected by the test upstream"),
    ("tempfail-data", 451, b"4.3.0 temporary failure in the test upstream"),
    # authenticated through the lost connection: 421, the client must reconnect
    ("drop", 421, b"4.4.2 trustmail: lost the connection"),
])
async def test_upstream_refusals_and_drops_are_passed_back(
        smtp_upstream: SmtpUpstream, tmp_path: Path, fault: str, code: int,
        text: bytes) -> None:
    raw = message(extra_headers=f"X-Upstream-Fault: {fault}\n")
    async with running_proxy(smtp_upstream, tmp_path) as proxy:
        reply = await asyncio.to_thread(send_message, proxy.port, smtp_upstream, raw)
        assert reply[0] == code and text in reply[1]
        await asyncio.sleep(0.1)
        assert proxy.recorded() == []          # only relayed messages are recorded
    assert smtp_upstream.messages == []


async def test_upstream_closing_mid_data_gives_4xx(
        smtp_upstream: SmtpUpstream, tmp_path: Path) -> None:
    smtp_upstream.faults.close_mid_data = True
    big = message_with_attachment(3_000_000)
    async with running_proxy(smtp_upstream, tmp_path) as proxy:
        code, text = await asyncio.to_thread(send_message, proxy.port, smtp_upstream, big)
    assert code == 421 and b"4.4.2" in text, text
    assert smtp_upstream.messages == []


async def test_slow_upstream_within_timeout_is_waited_for(
        smtp_upstream: SmtpUpstream, tmp_path: Path) -> None:
    raw = message(extra_headers="X-Upstream-Fault: delay=1.5\n")
    async with running_proxy(smtp_upstream, tmp_path, timeout_seconds=5.0) as proxy:
        code, _ = await asyncio.to_thread(send_message, proxy.port, smtp_upstream, raw)
    assert code == 250
    assert len(smtp_upstream.messages) == 1


async def test_upstream_silent_past_timeout_gives_4xx_and_no_delivery(
        smtp_upstream: SmtpUpstream, tmp_path: Path) -> None:
    raw = message(extra_headers="X-Upstream-Fault: hang\n")
    async with running_proxy(smtp_upstream, tmp_path, timeout_seconds=1.0) as proxy:
        code, text = await asyncio.to_thread(send_message, proxy.port, smtp_upstream, raw)
    assert code == 421 and b"4.4.2" in text
    await asyncio.sleep(0.2)
    assert smtp_upstream.messages == []


async def test_upstream_down_gives_4xx_never_250(
        smtp_upstream: SmtpUpstream, tmp_path: Path) -> None:
    smtp_upstream.go_down()
    async with running_proxy(smtp_upstream, tmp_path) as proxy:
        result = await swaks(proxy.port, "--to", "maria@customer.example",
                             auth=(smtp_upstream.user, smtp_upstream.password))
        assert "454 4.7.0 trustmail: cannot check credentials now" in result.transcript
        result = await swaks(proxy.port, "--to", "maria@customer.example")
        assert "451 4.4.1 trustmail: the outgoing mail server cannot be reached" \
            in result.transcript
        assert "\n<~  250 2.0.0" not in result.transcript and result.code != 0
        smtp_upstream.listen()                 # back up: the same proxy relays again
        result = await swaks(proxy.port, "--to", "maria@customer.example",
                             auth=(smtp_upstream.user, smtp_upstream.password))
        assert result.code == 0, result.transcript


async def test_upstream_with_untrusted_certificate_is_refused(
        smtp_upstream: SmtpUpstream, tmp_path: Path) -> None:
    async with running_proxy(smtp_upstream, tmp_path) as proxy:
        assert proxy.service.context is not None
        # trust only the system CAs, which did not sign the test upstream's certificate
        proxy.service.context.upstream_tls = ssl.create_default_context()
        result = await swaks(proxy.port, "--to", "maria@customer.example",
                             auth=(smtp_upstream.user, smtp_upstream.password))
    assert "454 4.7.0" in result.transcript and result.code != 0
    assert smtp_upstream.messages == []


async def test_client_disconnecting_mid_data_sends_nothing_upstream(
        smtp_upstream: SmtpUpstream, tmp_path: Path) -> None:
    async with running_proxy(smtp_upstream, tmp_path) as proxy:
        def half_message() -> None:
            client = smtp_client(proxy.port, smtp_upstream)
            client.mail("alice@example.com")
            client.rcpt("maria@customer.example")
            client.putcmd("DATA")
            assert client.getreply()[0] == 354
            client.send(message()[:200])
            client.close()
        await asyncio.to_thread(half_message)
        assert await wait_until(lambda: not proxy.service.handler.connections)
        await asyncio.sleep(0.2)
    assert smtp_upstream.messages == []


async def test_body_text_is_stored_only_when_configured(smtp_upstream: SmtpUpstream,
                                                        tmp_path: Path) -> None:
    async with running_proxy(smtp_upstream, tmp_path, keep_bodies=True) as proxy:
        result = await swaks(proxy.port, "--to", "maria@customer.example", data=message(),
                             auth=(smtp_upstream.user, smtp_upstream.password))
        assert result.code == 0, result.transcript
        assert await wait_until(lambda: len(proxy.recorded()) == 1)
        [row] = proxy.recorded()
    assert row["body"].startswith("Hello Maria,")     # the scored text, not the raw MIME


@pytest.mark.parametrize("tls", ["implicit", "none"])
async def test_implicit_tls_and_plain_loopback_upstreams(tmp_path: Path, tls: str) -> None:
    with SmtpUpstream.start(tls=tls) as upstream:
        async with running_proxy(upstream, tmp_path) as proxy:
            result = await swaks(proxy.port, "--to", "maria@customer.example",
                                 auth=(upstream.user, upstream.password))
        assert result.code == 0, result.transcript
        [received] = upstream.wait_for_messages(1)
    assert received.tls == (tls == "implicit") and received.login == upstream.user


async def test_a_configured_certificate_is_served_instead_of_the_generated_one(
        open_upstream: SmtpUpstream, tmp_path: Path) -> None:
    # the upstream's CA-signed leaf (for 127.0.0.1) doubles as "the admin's certificate"
    async with running_proxy(open_upstream, tmp_path,
                             tls_cert=str(open_upstream.dir / "cert.pem"),
                             tls_key=str(open_upstream.dir / "key.pem")) as proxy:
        def verified_starttls() -> None:
            client = smtplib.SMTP("127.0.0.1", proxy.port, timeout=30)
            client.starttls(context=open_upstream.client_context())   # verifies the chain
            client.quit()
        await asyncio.to_thread(verified_starttls)
    assert not (tmp_path / "data" / "tls").exists()      # nothing generated


async def test_auth_before_starttls_only_when_configured(smtp_upstream: SmtpUpstream,
                                                         tmp_path: Path) -> None:
    auth = (smtp_upstream.user, smtp_upstream.password)
    async with running_proxy(smtp_upstream, tmp_path) as proxy:
        refused = await swaks(proxy.port, "--to", "maria@customer.example", tls=False,
                              auth=auth)
    async with running_proxy(smtp_upstream, tmp_path / "b", auth_require_tls=False) as proxy:
        allowed = await swaks(proxy.port, "--to", "maria@customer.example", tls=False,
                              auth=auth)
    assert refused.code != 0 and "did not advertise authentication" in refused.transcript
    assert allowed.code == 0, allowed.transcript
    assert len(smtp_upstream.wait_for_messages(1)) == 1


async def test_a_relayed_record_goes_through_the_journal_and_a_killed_ones_is_replayed(
        open_upstream: SmtpUpstream, tmp_path: Path) -> None:
    from daemon.store.database import MessageRecord, open_store
    from daemon.store.journal import RecordJournal

    # a daemon killed after the client's 250, before its store write: the record is
    # only in the journal
    store = open_store(str(tmp_path / "store.sqlite3"))
    journal = RecordJournal(store)
    journal.append(MessageRecord("smtp", "out", message_id="<killed@example.com>"))
    journal.close()
    store.close()
    async with running_proxy(open_upstream, tmp_path) as proxy:
        assert [r["message_id"] for r in proxy.recorded()] == ["<killed@example.com>"]
        client = await asyncio.to_thread(smtp_client, proxy.port, None)
        await asyncio.to_thread(client.sendmail, "alice@example.com", ["bob@example.org"],
                                message())
        await asyncio.to_thread(client.quit)
        assert await wait_until(lambda: len(proxy.recorded()) == 2)
        assert all(r["journal_id"] for r in proxy.recorded())
    journal_file = tmp_path / "store.sqlite3-records.journal"
    assert journal_file.read_bytes() == b""      # everything committed: the journal is empty
