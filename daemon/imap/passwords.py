"""An account's password from an environment variable, a command or the keyring.

Passwords never live in config files and are never logged.
"""

from __future__ import annotations

import os
import shlex
import subprocess

from daemon.config.sections import AccountSettings
from daemon.imap import ImapError

PASSWORD_COMMAND_TIMEOUT_SECONDS = 30
KEYRING_SERVICE = "trustmail"


def resolve_password(account: AccountSettings) -> str:
    """The password, from ``password_env``, ``password_command`` or the keyring (in that order)."""
    if account.password_env:
        value = os.environ.get(account.password_env)
        if not value:
            raise ImapError(f"account {account.name!r}: environment variable "
                            f"{account.password_env} is not set")
        return value
    if account.password_command:
        return _from_command(account)
    if account.password_keyring:
        return _from_keyring(account)
    raise ImapError(f"account {account.name!r}: no password source configured")


def _from_command(account: AccountSettings) -> str:
    try:
        result = subprocess.run(shlex.split(account.password_command), capture_output=True,
                                text=True, timeout=PASSWORD_COMMAND_TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ImapError(f"account {account.name!r}: password_command failed: "
                        f"{type(error).__name__}") from None
    if result.returncode != 0:
        raise ImapError(f"account {account.name!r}: password_command exited with "
                        f"{result.returncode}")
    password = result.stdout.splitlines()[0] if result.stdout else ""
    if not password:
        raise ImapError(f"account {account.name!r}: password_command printed nothing")
    return password


def _from_keyring(account: AccountSettings) -> str:
    try:
        import keyring  # optional: only needed for password_keyring = true
    except ImportError:
        raise ImapError(f"account {account.name!r}: password_keyring = true needs the "
                        "'keyring' Python package (pip install keyring), or use "
                        "password_env / password_command") from None
    password = keyring.get_password(KEYRING_SERVICE, f"{account.name}:{account.username}")
    if not password:
        raise ImapError(f"account {account.name!r}: no keyring entry; store one with "
                        f"keyring set {KEYRING_SERVICE} {account.name}:{account.username}")
    return str(password)
