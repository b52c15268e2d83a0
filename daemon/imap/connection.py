"""Open a logged-in IMAPClient for an account: verified TLS (implicit or STARTTLS).

``tls = "none"`` is accepted only for a loopback server (the settings parser enforces
that). Certificates are always verified; ``ca_file`` adds a private CA.
"""

from __future__ import annotations

import ssl

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from daemon.config.sections import AccountSettings
from daemon.imap import ImapError
from daemon.imap.passwords import resolve_password

CONNECT_TIMEOUT_SECONDS = 30.0


def ssl_context(account: AccountSettings) -> ssl.SSLContext:
    """A verifying context; the account's ``ca_file`` is trusted in addition to the system's."""
    context = ssl.create_default_context()
    if account.ca_file:
        try:
            context.load_verify_locations(cafile=account.ca_file)
        except (OSError, ssl.SSLError) as error:
            raise ImapError(f"account {account.name!r}: cannot read ca_file "
                            f"{account.ca_file}: {error}") from None
    return context


def connect(account: AccountSettings, password: str | None = None,
            timeout: float = CONNECT_TIMEOUT_SECONDS) -> IMAPClient:
    """Connect and log in. Network errors propagate (callers retry); a refused login
    raises ImapError (retrying would not help)."""
    context = ssl_context(account)
    client = IMAPClient(account.host, port=account.port, ssl=account.tls == "implicit",
                        ssl_context=context, timeout=timeout)
    try:
        if account.tls == "starttls":
            client.starttls(context)
        client.login(account.username, password if password is not None
                     else resolve_password(account))
    except LoginError:
        _close_quietly(client)
        raise ImapError(f"account {account.name!r}: the server refused the login of "
                        f"{account.username}") from None
    except BaseException:
        _close_quietly(client)
        raise
    return client


def _close_quietly(client: IMAPClient) -> None:
    try:
        client.shutdown()
    except OSError:
        pass
