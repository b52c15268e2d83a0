"""A throwaway Dovecot IMAP server for tests and demos (see shared notes/real-components).

Usage in a test module (``tests/`` is on ``sys.path`` under pytest)::

    from support.dovecot import Dovecot, dovecot_fixture  # noqa: F401  (fixture "dovecot")

    def test_login(dovecot: Dovecot) -> None:
        client = dovecot.client()            # IMAPClient over verified implicit TLS
        client.login(dovecot.user, dovecot.password)

Or outside pytest::

    with Dovecot.start() as server:
        print(server.imaps_port, server.ca_file)

Each instance lives in its own temp dir (``tempfile.mkdtemp`` + chmod 755: Dovecot's
auth process cannot enter pytest's 0700 ``tmp_path``), listens on 127.0.0.1 only, on
a plain port (``imap_port``) and an implicit-TLS port (``imaps_port``), with a leaf
certificate for 127.0.0.1/localhost signed by a throwaway test CA (``ca_file``;
Thunderbird rejects a CA certificate used as a leaf). Mailboxes Drafts and Sent carry
SPECIAL-USE flags. Requires the ``dovecot-imapd`` and ``openssl`` Debian packages
(``scripts/bootstrap.sh test`` installs them).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from imapclient import IMAPClient
from support.ports import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"
START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0
DEFAULT_USER = "alice"
DEFAULT_PASSWORD = "secret-for-tests"

CONFIG_TEMPLATE = """\
instance_name = trustmail-test-{imap_port}
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{dir}/cert.pem
ssl_key = <{dir}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_max_userip_connections = 100
auth_failure_delay = 0
# A change that lands while a client is entering IDLE can miss Dovecot's inotify
# wake-up; poll every second so tests never wait for the 30 s default.
mailbox_idle_check_interval = 1 secs
{unprivileged}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {dir}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%n {dir}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
{login_chroot}}}
service anvil {{
{anvil_chroot}}}
service auth {{
{auth_user}}}
service auth-worker {{
{auth_user}}}
"""


def make_test_ca(directory: Path) -> None:
    """Write ca.pem (a test CA) and cert.pem/key.pem (a leaf for 127.0.0.1) with openssl."""
    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=trustmail test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "key.pem", "-out", "leaf.csr", "-subj", "/CN=localhost")
    (directory / "leaf.ext").write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
        "-CAcreateserial", "-out", "cert.pem", "-days", "2", "-extfile", "leaf.ext")


@dataclass
class Dovecot:
    """One running Dovecot instance; ``stop()`` (or the context manager) removes it."""

    dir: Path
    imap_port: int
    imaps_port: int
    user: str = DEFAULT_USER
    password: str = DEFAULT_PASSWORD
    host: str = "127.0.0.1"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def config_file(self) -> Path:
        return self.dir / "dovecot.conf"

    @property
    def ca_file(self) -> Path:
        return self.dir / "ca.pem"

    @classmethod
    def start(cls, user: str = DEFAULT_USER, password: str = DEFAULT_PASSWORD) -> Dovecot:
        """Create the config, certificates and user in a temp dir and start the server."""
        directory = Path(tempfile.mkdtemp(prefix="trustmail-dovecot-"))
        directory.chmod(0o755)
        server = cls(directory, free_port(), free_port(), user, password)
        make_test_ca(directory)
        (directory / "key.pem").chmod(0o644)   # read by dovecot's non-root processes
        server._write_config()
        server.run()
        return server

    def _write_config(self) -> None:
        if os.geteuid() == 0:
            account = pwd.getpwnam("dovecot")
            unprivileged = login_chroot = anvil_chroot = auth_user = ""
        else:   # an unprivileged run: every service as the current user, no chroot
            account = pwd.getpwuid(os.geteuid())
            name = account.pw_name
            unprivileged = (f"default_internal_user = {name}\n"
                            f"default_internal_group = {name}\n"
                            f"default_login_user = {name}\n")
            login_chroot = anvil_chroot = "  chroot =\n"
            auth_user = f"  user = {name}\n"
        mail_home = self.dir / "mail" / self.user
        (self.dir / "users").write_text(
            f"{self.user}:{{PLAIN}}{self.password}:{account.pw_uid}:{account.pw_gid}::"
            f"{mail_home}\n")
        (self.dir / "mail").mkdir(exist_ok=True)
        os.chown(self.dir / "mail", account.pw_uid, account.pw_gid)
        self.config_file.write_text(CONFIG_TEMPLATE.format(
            dir=self.dir, imap_port=self.imap_port, imaps_port=self.imaps_port,
            unprivileged=unprivileged, login_chroot=login_chroot,
            anvil_chroot=anvil_chroot, auth_user=auth_user))

    def run(self) -> None:
        """Start the server process (again, after ``kill``) and wait until it listens."""
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config_file)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        start_new_session=True)   # own process group
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                errors = self.process.stderr.read() if self.process.stderr else b""
                raise RuntimeError(f"dovecot exited: {errors.decode(errors='replace')}")
            try:
                with socket.create_connection((self.host, self.imaps_port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen within {START_TIMEOUT_SECONDS} s")

    def kill(self) -> None:
        """Stop the server and every connection process, keeping the mail (restart tests).

        Dovecot's login/imap processes can outlive the master; a real restart drops
        their connections, so the whole process group goes.
        """
        if self.process is None:
            return
        group = os.getpgid(self.process.pid)
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process = None

    def restart(self) -> None:
        self.kill()
        self.run()

    def stop(self) -> None:
        """Stop the server at once (SIGKILL to its process group) and delete its directory."""
        if self.process is not None:
            try:
                os.killpg(os.getpgid(self.process.pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
            self.process = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts the test CA."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def client(self, timeout: float = 10.0) -> IMAPClient:
        """A new (not logged in) IMAPClient over implicit TLS."""
        return IMAPClient(self.host, port=self.imaps_port, ssl=True,
                          ssl_context=self.ssl_context(), timeout=timeout)

    def doveadm(self, *args: str, stdin: bytes | None = None) -> str:
        result = subprocess.run([DOVEADM, "-c", str(self.config_file), *args], input=stdin,
                                capture_output=True, check=True)
        return result.stdout.decode()

    def save(self, folder: str, raw: bytes) -> None:
        """Put one message into a folder quickly (``doveadm save``), no IMAP involved."""
        self.doveadm("save", "-u", self.user, "-m", folder, stdin=raw)

    def set_uidvalidity(self, folder: str, uidvalidity: int) -> None:
        """Change a folder's UIDVALIDITY, as a server does after rebuilding its index."""
        self.doveadm("mailbox", "update", "-u", self.user, "--uid-validity",
                     str(uidvalidity), folder)


@pytest.fixture(name="dovecot")
def dovecot_fixture() -> Iterator[Dovecot]:
    """A fresh Dovecot per test (starts in ~0.3 s), removed afterwards."""
    server = Dovecot.start()
    try:
        yield server
    finally:
        server.stop()
