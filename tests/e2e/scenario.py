"""The add-on end to end: an upstream sink, ``trustmail run``, and a real Thunderbird.

``World.start(home)`` brings up, in order: a real aiosmtpd upstream (STARTTLS + AUTH),
the trustmail daemon as a subprocess (SMTP proxy with a test-CA certificate, HTTP API
on a free port, debug logs), the freshly built .xpi, and Thunderbird with that add-on
on a new profile. The steps below are what a user does; the test and
``bench/badge_latency.py`` both use them.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import tempfile
import time
import tomllib
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from e2e.thunderbird import TAB_BROWSER, Thunderbird
from support.dovecot import make_test_ca
from support.polling import wait_for
from support.smtp_proxy import REPO, DaemonProcess, daemon_process
from support.smtp_upstream import SmtpUpstream

from daemon.addon_build import build_xpi, gecko_id

CUSTOMER_MESSAGE_ID = "q1-4711@customer.example"
CUSTOMER_MESSAGE = (
    "From: Anna Berger <anna@customer.example>\r\n"
    "To: Max Muster <max.muster@example.com>\r\n"
    "Subject: Wrong amount on invoice 4711\r\n"
    "Date: {date}\r\n"
    f"Message-ID: <{CUSTOMER_MESSAGE_ID}>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Hello Max,\r\n\r\nour invoice 4711 shows 1,200 EUR instead of 1,000 EUR. "
    "Can you correct it this week?\r\n\r\nAnna\r\n")
# The reply is typed in pieces; the badge is timed after each pause.
HEDGY_REPLY = ("Hi Anna, ",
               "I think your invoice was maybe wrong, hopefully not by much. ",
               "It should probably be fine, I guess, but the refund may take a while. ",
               "Best, Max")
KEY_INTERVAL_MS = 40          # a fast typist: 25 keys a second, well inside the debounce
QUIET_BEFORE_TYPING_SECONDS = 0.5
BADGE_WAIT_MS = 5000          # a badge update later than this counts as "no update"
WINDOW_WAIT_SECONDS = 30.0
COMPOSE_WINDOW = "messengercompose"
Policies = Callable[[str, Path], dict[str, Any]]


# What the review page shows (the send gate's window and the popup are the same page).
READ_REVIEW = """
    for (let i = 0; i < 100 && document.body.dataset.ready !== "1"; i++) {
        await new Promise((r) => setTimeout(r, 50));
    }
    const texts = (selector) => [...document.querySelectorAll(selector)]
        .map((e) => e.textContent);
    return { ready: document.body.dataset.ready === "1",
             state: document.body.dataset.state,
             gate: !document.getElementById("gate").hidden,
             score: document.getElementById("score").textContent,
             status: document.getElementById("status").textContent,
             reason: document.getElementById("reason").textContent,
             bars: texts(".bar .name"),
             barVerdicts: [...document.querySelectorAll(".bar")].map((e) => e.dataset.verdict),
             marks: texts(".finding-group mark"),
             sentences: texts(".finding-group .sentence"),
             groups: [...document.querySelectorAll(".finding-group")]
                 .map((g) => g.querySelectorAll(".finding").length),
             promises: texts(".promise"), questions: texts(".question") };
"""
# How the review page is laid out: bar colours, the reason line, the scrolling details.
READ_LAYOUT = """
    const reason = document.getElementById("reason");
    const details = document.getElementById("details");
    const lineHeight = parseFloat(getComputedStyle(reason).lineHeight) || 20;
    const colour = (name) => getComputedStyle(document.documentElement)
        .getPropertyValue(`--${name}`).trim();
    const rgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))
        .join(", ")})`;
    const bars = [...document.querySelectorAll(".bar")].map((bar) => ({
        verdict: bar.dataset.verdict,
        fill: getComputedStyle(bar.querySelector(".fill")).backgroundColor,
        expected: rgb(colour(bar.dataset.verdict)) }));
    const overflowing = details.scrollHeight > details.clientHeight + 1;
    details.scrollTop = details.scrollHeight;
    await new Promise((r) => requestAnimationFrame(() => r()));
    const last = details.lastElementChild.getBoundingClientRect();
    const reached = last.bottom <= details.getBoundingClientRect().bottom + 1 &&
        last.bottom <= window.innerHeight;
    details.scrollTop = 0;
    return { bars, reasonOneLine: reason.offsetHeight > 0 &&
                 reason.offsetHeight < 1.5 * lineHeight,
             reasonTitle: reason.title, overflowing, reachedEnd: reached,
             pageFits: document.documentElement.scrollHeight <= window.innerHeight + 1 };
"""
# The <browser> of the compose-action popup panel, in the compose window.
POPUP_PANEL_BROWSER = ("Array.from(document.querySelectorAll('panel browser'))"
                       ".find((b) => b.currentURI?.spec.endsWith('/review/review.html'))")


@dataclass
class World:
    home: Path
    upstream: SmtpUpstream
    daemon: DaemonProcess
    api_port: int
    token: str
    thunderbird: Thunderbird
    compose_handle: str | None = None        # the window of the reply open_reply opened

    @classmethod
    @contextmanager
    def start(cls, home: Path | None = None, prefs: dict[str, Any] | None = None,
              policies: Policies | None = None, before_thunderbird: tuple[str, ...] = ()
              ) -> Iterator[World]:
        """Everything up in ``home`` (default: a temp dir, removed afterwards).

        ``policies(api_url, xpi)`` gives Thunderbird's policies.json (see
        ``Thunderbird.start``); ``before_thunderbird`` is a ``trustmail`` command run
        once the daemon listens, e.g. ``("pair", "--auto")``."""
        if home is None:
            with tempfile.TemporaryDirectory(prefix="trustmail-e2e-") as temp:
                with cls.start(Path(temp), prefs, policies, before_thunderbird) as world:
                    yield world
            return
        certs = home / "certs"
        certs.mkdir(parents=True, exist_ok=True)
        make_test_ca(certs)
        extra = f'tls_cert = "{certs / "cert.pem"}"\ntls_key = "{certs / "key.pem"}"\n'
        # the team's coaching profile as a site snippet, the way docs/deploy-config.md rolls
        # it out: the hedges this scenario types are off by default (bench/precision.py)
        snippets = home / "site" / "trustmail" / "conf.d"
        snippets.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "config" / "profiles" / "coach.toml", snippets / "50-coach.toml")
        # Debug logs show each API request (the add-on's POST /v1/sent among them).
        with SmtpUpstream.start() as upstream, \
                daemon_process(upstream, home, extra, top='log_level = "debug"') as daemon:
            api_port = listen_port(daemon.config_file, "api")
            wait_until(lambda: port_open(api_port), f"the daemon's API on port {api_port}")
            token = daemon.trustmail("token").stdout.strip()
            xpi = build_xpi(out_dir=home / "dist")
            if before_thunderbird:
                daemon.trustmail(*before_thunderbird)
            policy = policies(f"http://127.0.0.1:{api_port}", xpi) if policies else None
            with Thunderbird.start(home / "profile", xpi=xpi, addon_id=gecko_id(),
                                   ca_file=certs / "ca.pem", smtp_port=daemon.port,
                                   smtp_user=upstream.user, prefs=prefs,
                                   policies=policy) as thunderbird:
                world = cls(home, upstream, daemon, api_port, token, thunderbird)
                world.wait_for_addon()
                world.save_smtp_password()
                yield world

    # -- setup ---------------------------------------------------------------------------

    def wait_for_addon(self) -> None:
        deadline = time.monotonic() + WINDOW_WAIT_SECONDS
        while not self.thunderbird.addon_active(gecko_id()):
            if time.monotonic() > deadline:
                raise AssertionError("the trustmail add-on did not become active in "
                                     f"Thunderbird; see {self.thunderbird.log_file}")
            time.sleep(0.2)

    def save_smtp_password(self) -> None:
        """What the user types once in Thunderbird's password prompt."""
        self.thunderbird.switch_to("messenger.xhtml")
        result = self.thunderbird.chrome_async("""
            const [user, password, resolve] = arguments;
            const info = Cc["@mozilla.org/login-manager/loginInfo;1"]
                .createInstance(Ci.nsILoginInfo);
            info.init("smtp://127.0.0.1", null, "smtp://127.0.0.1", user, password, "", "");
            Services.logins.addLoginAsync(info).then(() => resolve("ok"),
                                                      (e) => resolve(String(e)));
        """, self.upstream.user, self.upstream.password)
        assert result == "ok", result

    # -- the user's steps ----------------------------------------------------------------

    def on_options_page(self, script: str) -> Any:
        """Open the add-on's options page in a tab, run ``script`` there (an async function
        body, after the page is ready), close the tab; the script's result."""
        tb = self.thunderbird
        tb.switch_to("messenger.xhtml")
        tb.chrome("""
            const policy = WebExtensionPolicy.getByID(arguments[0]);
            document.getElementById("tabmail").openTab("contentTab", {
                url: `moz-extension://${policy.mozExtensionHostname}/options/options.html` });
        """, gecko_id())
        ready = """
            for (let i = 0; i < 100 && document.body?.dataset.ready !== "1"; i++) {
                await new Promise((r) => setTimeout(r, 50));
            }
        """
        try:
            return wait_for_page(lambda: tb.run_in_extension_page(ready + script, TAB_BROWSER))
        finally:
            tb.chrome('const t = document.getElementById("tabmail"); '
                      't.closeTab(t.currentTabInfo);')

    def options(self) -> dict[str, Any]:
        """What the options page shows, and what the add-on reads from managed storage."""
        return dict(self.on_options_page("""
            const $ = (id) => document.getElementById(id);
            return { managedStorage: await messenger.storage.managed.get(null)
                         .catch((e) => ({ error: String(e) })),
                     url: $("url").value, urlReadOnly: $("url").readOnly,
                     gate: $("gate").value, gateDisabled: $("gate").disabled,
                     managed: document.body.dataset.managed,
                     notice: $("managed-notice").hidden ? "" : $("managed-notice").textContent,
                     adminBadges: [...document.querySelectorAll("[data-admin]")]
                         .filter((e) => !e.hidden).map((e) => e.dataset.admin),
                     problems: [...document.querySelectorAll("#policy-problems li")]
                         .map((e) => e.textContent),
                     paired: $("paired").textContent,
                     tokenSaved: (await messenger.storage.local.get("token")).token ?? "" };
        """))

    def pair(self, url: str, token: str) -> str:
        """On the options page, enter URL and token (or pairing code), press "Save and pair"."""
        script = f"""
            document.getElementById("url").value = {json.dumps(url)};
            document.getElementById("token").value = {json.dumps(token)};
            document.getElementById("pair").click();
            for (let i = 0; i < 100 && !document.getElementById("result").textContent; i++) {{
                await new Promise((r) => setTimeout(r, 50));
            }}
            return document.getElementById("result").textContent;
        """
        return str(self.on_options_page(script))

    def receive_customer_message(self) -> None:
        """The customer's message arrives in the Inbox (dated an hour ago)."""
        date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(time.time() - 3600))
        raw = CUSTOMER_MESSAGE.format(date=date)
        self.thunderbird.switch_to("messenger.xhtml")
        self.thunderbird.chrome("""
            const { MailServices } = ChromeUtils.importESModule(
                "resource:///modules/MailServices.sys.mjs");
            const account = MailServices.accounts.defaultAccount;
            const inbox = account.incomingServer.rootFolder
                .getFolderWithFlags(Ci.nsMsgFolderFlags.Inbox);
            const envelope = "From - " + new Date().toUTCString() + "\\r\\n";
            inbox.QueryInterface(Ci.nsIMsgLocalMailFolder).addMessage(envelope + arguments[0]);
        """, raw)

    def open_reply(self) -> None:
        """Reply to the customer's message; wait for the compose window and its editor."""
        tb = self.thunderbird
        # A compose window an earlier step left open is not this reply's: switching to
        # the first one found typed into that one on a slow machine, or sent it instead
        earlier = tb.window_handles(COMPOSE_WINDOW)
        tb.switch_to("messenger.xhtml")
        tb.chrome("""
            const { MailServices } = ChromeUtils.importESModule(
                "resource:///modules/MailServices.sys.mjs");
            const account = MailServices.accounts.defaultAccount;
            const inbox = account.incomingServer.rootFolder
                .getFolderWithFlags(Ci.nsMsgFolderFlags.Inbox);
            const header = inbox.msgDatabase.getMsgHdrForMessageID(arguments[0]);
            MailServices.compose.OpenComposeWindow(null, header, inbox.getUriForMsg(header),
                Ci.nsIMsgCompType.ReplyToSender, Ci.nsIMsgCompFormat.Default,
                account.defaultIdentity, null, msgWindow);
        """, CUSTOMER_MESSAGE_ID)
        self.compose_handle = tb.switch_to(COMPOSE_WINDOW, excluding=earlier)
        wait_until(lambda: tb.chrome(
            "return Boolean(window.gMsgCompose && GetCurrentEditor() && "
            "GetCurrentEditor().outputToString('text/plain', 0).includes('wrote:'))"),
            "the reply's editor with the quoted original")
        tb.chrome("""
            const editor = GetCurrentEditor();
            document.getElementById("messageEditor").focus();
            editor.selection.collapse(editor.rootElement, 0);   // above the quote
        """)

    def badge(self) -> dict[str, str | None]:
        """The compose-action button's badge text and tooltip."""
        return dict(self.thunderbird.chrome("""
            const button = document.querySelector('[id$="composeAction-toolbarbutton"]');
            return { text: button?.getAttribute("badge") ?? null,
                     title: button?.getAttribute("tooltiptext") ?? null };
        """))

    def wait_for_badge(self) -> dict[str, str | None]:
        wait_until(lambda: self.badge()["text"], "a badge on the trustmail button")
        return self.badge()

    def type_and_time_badge(self, text: str) -> dict[str, Any]:
        """Type ``text`` key by key; ms from the last key to the next badge update."""
        time.sleep(QUIET_BEFORE_TYPING_SECONDS)   # earlier updates have all landed
        return dict(self.thunderbird.chrome_async("""
            const [text, interval, waitMs, resolve] = arguments;
            const button = document.querySelector('[id$="composeAction-toolbarbutton"]');
            const editor = GetCurrentEditor();
            let lastKey = null;
            let fallback = null;
            // Scripts share one sandbox: a stray timer of this script must not answer
            // for a later one, so every exit disconnects and clears everything.
            const finish = (result) => {
                observer.disconnect();
                clearTimeout(fallback);
                resolve(result);
            };
            const observer = new MutationObserver(() => {
                if (lastKey === null) return;          // an update while still typing
                finish({ ms: performance.now() - lastKey, badge: button.getAttribute("badge") });
            });
            observer.observe(button, { attributes: true, attributeFilter: ["badge"] });
            let i = 0;
            const typeNext = () => {
                editor.insertText(text[i]);
                i += 1;
                if (i < text.length) { setTimeout(typeNext, interval); return; }
                lastKey = performance.now();
                fallback = setTimeout(
                    () => finish({ ms: null, badge: button.getAttribute("badge") }), waitMs);
            };
            typeNext();
        """, text, KEY_INTERVAL_MS, BADGE_WAIT_MS))

    def press_send(self) -> None:
        self.switch_to_compose()
        self.thunderbird.chrome("goDoCommand('cmd_sendNow');")

    def review(self) -> dict[str, Any]:
        """Wait for the review window and read what it shows."""
        tb = self.thunderbird
        tb.switch_to("review/review.html", timeout=WINDOW_WAIT_SECONDS)
        return dict(wait_for_page(lambda: tb.run_in_extension_page(READ_REVIEW)))

    def review_layout(self, height: int | None = None) -> dict[str, Any]:
        """Bar colours, the reason line and the scrolling of the open review window,
        after resizing the window to ``height`` pixels (a small screen) if given."""
        tb = self.thunderbird
        tb.switch_to("review/review.html")
        if height is not None:
            tb.chrome("window.resizeTo(window.outerWidth, arguments[0]);", height)
            wait_until(lambda: tb.chrome("return window.outerHeight") <= height + 1,
                       f"the review window resized to {height} px")
        return dict(wait_for_page(lambda: tb.run_in_extension_page(READ_LAYOUT)))

    def open_popup(self) -> dict[str, Any]:
        """Click the trustmail button of the compose window; read its popup panel."""
        tb = self.thunderbird
        self.switch_to_compose()
        tb.chrome("document.querySelector('[id$=\"composeAction-toolbarbutton\"]').click();")
        wait_until(lambda: tb.chrome(f"return Boolean({POPUP_PANEL_BROWSER})"),
                   "the trustmail popup panel")
        return dict(wait_for_page(lambda: tb.run_in_extension_page(READ_REVIEW,
                                                                   POPUP_PANEL_BROWSER)))

    def close_popup(self) -> None:
        self.switch_to_compose()
        self.thunderbird.chrome(f"{POPUP_PANEL_BROWSER}?.closest('panel')?.hidePopup();")

    def choose(self, button_id: str) -> None:
        """Click "send-anyway" or "keep-editing" in the review window (which then closes)."""
        tb = self.thunderbird
        tb.switch_to("review/review.html")
        # Clicked after the script returns: the click closes the window under it.
        wait_for_page(lambda: tb.run_in_extension_page(
            f"setTimeout(() => document.getElementById({json.dumps(button_id)}).click(), 50);"
            "return true;"))

    def switch_to_compose(self) -> None:
        """To the reply open_reply opened, while it is open; else the compose window."""
        tb = self.thunderbird
        if (self.compose_handle is not None
                and self.compose_handle in tb.marionette.chrome_window_handles):
            tb.switch_to_handle(self.compose_handle)
        else:
            tb.switch_to(COMPOSE_WINDOW)

    def compose_window_open(self) -> bool:
        return any(COMPOSE_WINDOW in str(url) for url in self.window_urls())

    def window_urls(self) -> list[str]:
        tb = self.thunderbird
        tb.switch_to("messenger.xhtml")
        return list(tb.chrome(
            "return Array.from(Services.wm.getEnumerator(null)).map((w) => w.location.href)"))

    def assert_daemon_running(self) -> None:
        """Fail with the daemon's log when ``trustmail run`` is gone."""
        code = self.daemon.process.poll()
        assert code is None, (f"trustmail run exited with {code}; its log ends:\n"
                              f"{self.daemon.log()[-4000:]}")

    def stored_sends(self) -> list[tuple[str, int]]:
        """(source, count) of the sent messages in the daemon's store."""
        path = self.home / "xdg_data_home" / "trustmail" / "trustmail.sqlite3"
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return list(db.execute("SELECT source, COUNT(*) FROM messages "
                                   "WHERE direction = 'out' GROUP BY source"))

    def api(self, path: str) -> Any:
        request = urllib.request.Request(f"http://127.0.0.1:{self.api_port}{path}",
                                         headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)


def listen_port(config_file: Path, section: str) -> int:
    """The port of ``[section] listen`` in a daemon config file."""
    with config_file.open("rb") as handle:
        return int(tomllib.load(handle)[section]["listen"].rpartition(":")[2])


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(condition: Any, what: str, timeout: float = WINDOW_WAIT_SECONDS) -> Any:
    return wait_for(condition, what, timeout)


def wait_for_page(call: Any, timeout: float = WINDOW_WAIT_SECONDS) -> Any:
    """Retry a script in an extension page until the page has loaded and it succeeds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = call()
        if last.get("ok"):
            return last["result"]
        time.sleep(0.2)
    raise AssertionError(f"the extension page script kept failing: {last}")
