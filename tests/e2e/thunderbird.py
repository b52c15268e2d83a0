"""A real Thunderbird (Debian package) on a fresh profile, driven by marionette-driver.

``Thunderbird.start(...)`` writes a profile with one mail account whose outgoing
server is the trustmail SMTP proxy (STARTTLS, AUTH), trusts the test CA of the
proxy's certificate (certutil, before the start), installs the unsigned add-on from
``extensions/<id>.xpi``, and starts ``thunderbird --headless --marionette``.

The incoming side of the account is a POP3 server that is never contacted: the
customer message is added straight into its local Inbox, which is all a reply needs.

Enterprise policies: Thunderbird reads ``policies.json`` from the ``distribution``
folder next to its launcher. ``policies=`` gives this Thunderbird a private install
folder (a copy of the small launcher, links to everything else) whose
``distribution/policies.json`` holds them, so no file outside the test's folder changes.

Extension pages run in a separate content process; Marionette's content context
does not list them in Thunderbird, so ``run_in_extension_page`` reaches them through
Marionette's own window actor (the same one its content commands use).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marionette_driver.marionette import Marionette
from support.ports import free_port

THUNDERBIRD = shutil.which("thunderbird") or "/usr/bin/thunderbird"
INSTALL_DIR = Path("/usr/lib/thunderbird")          # Debian's thunderbird package
LAUNCHER = "thunderbird-bin"
START_TIMEOUT_SECONDS = 60.0
SCRIPT_TIMEOUT_MS = 60_000
ACCOUNT_EMAIL = "max.muster@example.com"
ACCOUNT_NAME = "Max Muster"
POPUP_BROWSER = 'document.querySelector("browser")'
TAB_BROWSER = 'document.getElementById("tabmail").currentTabInfo.browser'

# Prefs of a quiet, test-friendly profile: no first-run pages, no update checks, no
# telemetry, unsigned add-ons allowed and enabled in the profile scope.
BASE_PREFS: dict[str, Any] = {
    "xpinstall.signatures.required": False,
    "extensions.autoDisableScopes": 0,
    "extensions.enabledScopes": 15,
    "extensions.webextensions.restrictedDomains": "",
    "app.update.disabledForTesting": True,
    "app.update.auto": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "mail.shell.checkDefaultClient": False,
    "mail.provider.suppress_dialog_on_startup": True,
    "mail.startup.enabledMailCheckOnce": True,
    "mailnews.start_page.enabled": False,
    "mail.spotlight.firstRunDone": True,
    "mail.winsearch.firstRunDone": True,
    "mail.rights.version": 1,
    "mail.ui.show.migration.on.upgrade": False,
    "app.donation.eoy.version.viewed": 999,
    "mail.inappnotifications.enabled": False,
    "mail.biff.show_alert": False,
    "mail.biff.play_sound": False,
    "mail.compose.attachment_reminder": False,
    "mail.warn_on_send_accel_key": False,
    "mail.phishing.detection.enabled": False,
    "mailnews.database.global.indexer.enabled": False,
    "browser.shell.checkDefaultBrowser": False,
    "signon.rememberSignons": True,
}


def account_prefs(smtp_port: int, smtp_user: str) -> dict[str, Any]:
    """One account: identity -> SMTP proxy (STARTTLS + AUTH), a never-polled POP3 inbox."""
    return {
        "mail.accountmanager.accounts": "account1,account2",
        "mail.accountmanager.defaultaccount": "account1",
        "mail.accountmanager.localfoldersserver": "server2",
        "mail.account.account1.server": "server1",
        "mail.account.account1.identities": "id1",
        "mail.account.account2.server": "server2",
        "mail.server.server1.type": "pop3",
        "mail.server.server1.hostname": "127.0.0.1",
        "mail.server.server1.port": 9,               # discard: never contacted
        "mail.server.server1.userName": "max",
        "mail.server.server1.name": "trustmail e2e",
        "mail.server.server1.login_at_startup": False,
        "mail.server.server1.check_new_mail": False,
        "mail.server.server1.directory-rel": "[ProfD]Mail/e2e",
        "mail.server.server2.type": "none",
        "mail.server.server2.hostname": "Local Folders",
        "mail.server.server2.userName": "nobody",
        "mail.server.server2.name": "Local Folders",
        "mail.server.server2.directory-rel": "[ProfD]Mail/Local Folders",
        "mail.identity.id1.fullName": ACCOUNT_NAME,
        "mail.identity.id1.useremail": ACCOUNT_EMAIL,
        "mail.identity.id1.smtpServer": "smtp1",
        "mail.identity.id1.valid": True,
        "mail.identity.id1.reply_on_top": 1,         # the cursor starts above the quote
        "mail.identity.id1.compose_html": False,
        "mail.identity.id1.fcc": False,
        "mail.smtpservers": "smtp1",
        "mail.smtp.defaultserver": "smtp1",
        "mail.smtpserver.smtp1.hostname": "127.0.0.1",
        "mail.smtpserver.smtp1.port": smtp_port,
        "mail.smtpserver.smtp1.try_ssl": 2,          # STARTTLS
        "mail.smtpserver.smtp1.authMethod": 3,       # normal password
        "mail.smtpserver.smtp1.username": smtp_user,
    }


def pref_line(name: str, value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    else:
        text = '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f'user_pref("{name}", {text});\n'


@dataclass
class Thunderbird:
    """A running Thunderbird with a Marionette session in the chrome context."""

    profile: Path
    process: subprocess.Popen[bytes]
    marionette: Marionette
    log_file: Path

    @classmethod
    @contextmanager
    def start(cls, profile: Path, *, xpi: Path, addon_id: str, ca_file: Path, smtp_port: int,
              smtp_user: str, prefs: dict[str, Any] | None = None,
              policies: dict[str, Any] | None = None) -> Iterator[Thunderbird]:
        """Write the profile (``prefs`` on top), start Thunderbird headless, yield, quit.

        Without ``policies`` the add-on is copied into the profile; with them, they are
        Thunderbird's ``policies.json`` (which may install the add-on itself)."""
        port = free_port()
        write_profile(profile, port, {**account_prefs(smtp_port, smtp_user), **(prefs or {})})
        trust_ca(profile, ca_file)
        binary = THUNDERBIRD
        if policies is None:
            extensions = profile / "extensions"
            extensions.mkdir(exist_ok=True)
            shutil.copy(xpi, extensions / f"{addon_id}.xpi")
        else:
            binary = str(install_with_policies(profile.parent / "thunderbird-app", policies))
        log_file = profile.parent / "thunderbird.log"
        env = dict(os.environ, MOZ_HEADLESS="1", MOZ_CRASHREPORTER_DISABLE="1")
        with log_file.open("wb") as log:
            process = subprocess.Popen(
                [binary, "--profile", str(profile), "--no-remote", "--marionette",
                 "--remote-allow-system-access", "--headless"],
                stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            marionette = connect(port, process, log_file)
            yield cls(profile, process, marionette, log_file)
        finally:
            stop(process)

    # -- chrome scripts ------------------------------------------------------------------

    def chrome(self, script: str, *args: Any) -> Any:
        """Run a synchronous script in the current chrome window (``arguments`` = args)."""
        self.marionette.set_context(self.marionette.CONTEXT_CHROME)
        return self.marionette.execute_script(script, script_args=list(args), sandbox="system",
                                              new_sandbox=False)

    def chrome_async(self, script: str, *args: Any) -> Any:
        """Run an async script: it calls ``arguments[arguments.length - 1](result)``."""
        self.marionette.set_context(self.marionette.CONTEXT_CHROME)
        return self.marionette.execute_async_script(script, script_args=list(args),
                                                    sandbox="system", new_sandbox=False,
                                                    script_timeout=SCRIPT_TIMEOUT_MS)

    def switch_to(self, url_part: str, timeout: float = 30.0,
                  excluding: Collection[str] = ()) -> str:
        """Switch to the chrome window whose URL (or its page's URL) contains ``url_part``
        (not one of the windows ``excluding`` names: one that opens after them)."""
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while time.monotonic() < deadline:
            seen = []
            for handle in self.marionette.chrome_window_handles:
                if handle in excluding:
                    continue
                url = self.switch_to_handle(handle)
                seen.append(url)
                if url_part in url:
                    return str(handle)
            time.sleep(0.1)
        raise AssertionError(f"no Thunderbird window with {url_part!r} within {timeout}s; "
                             f"open windows: {seen}")

    def window_handles(self, url_part: str) -> list[str]:
        """The chrome windows open now whose URL (or page's URL) contains ``url_part``."""
        return [str(handle) for handle in self.marionette.chrome_window_handles
                if url_part in self.switch_to_handle(handle)]

    def switch_to_handle(self, handle: str) -> str:
        """Switch to window ``handle``; its URL and its page's URL."""
        self.marionette.switch_to_window(handle, focus=False)
        return str(self.chrome(
            "const page = document.querySelector('browser')?.currentURI?.spec;"
            "return window.location.href + (page ? ' ' + page : '');"))

    def run_in_extension_page(self, script: str, browser: str = POPUP_BROWSER) -> Any:
        """Run ``script`` (an async function body) in an extension page of the current window.

        ``browser`` is a chrome expression for the page's ``<browser>`` element (default:
        the one of a popup window); the result is ``{"ok": bool, "result"|"error": ...}``.
        """
        return self.chrome_async("""
            const [script, resolve] = arguments;
            const browser = """ + browser + """;
            const actor = browser.browsingContext.currentWindowGlobal
                .getActor("MarionetteCommands");
            actor.executeScript(`return (async () => { ${script} })();`, [], {}).then(
                (result) => resolve({ ok: true, result }),
                (error) => resolve({ ok: false, error: String(error) }));
        """, script)

    def screenshot(self, target: Path) -> Path:
        """A PNG of the current chrome window (extension content included)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(self.marionette.screenshot()))
        return target

    def addon_active(self, addon_id: str) -> bool:
        return bool(self.chrome_async("""
            const [id, resolve] = arguments;
            const { AddonManager } = ChromeUtils.importESModule(
                "resource://gre/modules/AddonManager.sys.mjs");
            AddonManager.getAddonByID(id).then((addon) => resolve(Boolean(addon?.isActive)));
        """, addon_id))


def install_with_policies(app_dir: Path, policies: dict[str, Any]) -> Path:
    """A private Thunderbird install folder with ``distribution/policies.json``.

    Thunderbird finds its files (libxul.so, omni.ja...) next to the launcher it was
    started from, and ``policies.json`` in that folder's ``distribution``: the launcher
    (~600 KB) is copied, everything else linked. Returns the launcher's path.
    """
    app_dir.mkdir(parents=True, exist_ok=True)
    for entry in INSTALL_DIR.iterdir():
        if entry.name in (LAUNCHER, "thunderbird", "distribution"):
            continue
        link = app_dir / entry.name
        if not link.exists():
            link.symlink_to(entry.resolve())
    launcher = app_dir / LAUNCHER
    shutil.copy2(INSTALL_DIR / LAUNCHER, launcher)
    distribution = app_dir / "distribution"
    distribution.mkdir(exist_ok=True)
    (distribution / "policies.json").write_text(json.dumps(policies, indent=2), "utf-8")
    return launcher


def write_profile(profile: Path, marionette_port: int, prefs: dict[str, Any]) -> None:
    profile.mkdir(parents=True, exist_ok=True)
    all_prefs = {**BASE_PREFS, "marionette.port": marionette_port, **prefs}
    (profile / "user.js").write_text("".join(pref_line(k, v) for k, v in all_prefs.items()),
                                     "utf-8")


def trust_ca(profile: Path, ca_file: Path) -> None:
    """Create the profile's NSS database and trust the test CA for TLS servers."""
    subprocess.run(["certutil", "-N", "-d", f"sql:{profile}", "--empty-password"],
                   check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{profile}", "-n", "trustmail-test-ca",
                    "-t", "C,,", "-i", str(ca_file)], check=True, capture_output=True)


def connect(port: int, process: subprocess.Popen[bytes], log_file: Path) -> Marionette:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Thunderbird exited early:\n{log_file.read_text()[-3000:]}")
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            break
        time.sleep(0.2)
    else:
        raise RuntimeError(f"Thunderbird's Marionette did not listen on {port} within "
                           f"{START_TIMEOUT_SECONDS}s:\n{log_file.read_text()[-3000:]}")
    marionette = Marionette(host="127.0.0.1", port=port)
    marionette.start_session()
    marionette.set_context(marionette.CONTEXT_CHROME)
    return marionette


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
