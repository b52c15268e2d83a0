"""Find INBOX, Drafts and Sent: config overrides first, then SPECIAL-USE, then names."""

from __future__ import annotations

from dataclasses import dataclass

from imapclient import IMAPClient

from daemon.config.sections import AccountSettings
from daemon.imap import ImapError

DRAFTS_FLAG = b"\\Drafts"
SENT_FLAG = b"\\Sent"
# Common names when the server has no SPECIAL-USE.
DRAFTS_NAMES = ("Drafts", "INBOX.Drafts", "Entwürfe", "[Gmail]/Drafts")
SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "INBOX.Sent", "Gesendet",
              "[Gmail]/Sent Mail")


@dataclass(frozen=True)
class Folders:
    inbox: str
    drafts: str
    sent: str


def discover_folders(client: IMAPClient, account: AccountSettings) -> Folders:
    """The account's folders; raises ImapError naming the setting to fix when one is missing."""
    listing = client.list_folders()
    by_flag: dict[bytes, str] = {}
    names = {name for _, _, name in listing}
    for flags, _, name in listing:
        for flag in flags:
            by_flag.setdefault(flag, name)
    drafts = account.drafts_folder or by_flag.get(DRAFTS_FLAG) or _first(DRAFTS_NAMES, names)
    sent = account.sent_folder or by_flag.get(SENT_FLAG) or _first(SENT_NAMES, names)
    for key, value in (("drafts_folder", drafts), ("sent_folder", sent)):
        if not value:
            raise ImapError(f"account {account.name!r}: no {key.split('_')[0]} folder found "
                            f"(no SPECIAL-USE flag); set {key} in [[accounts]]")
    return Folders(inbox=account.inbox_folder or "INBOX", drafts=str(drafts), sent=str(sent))


def _first(candidates: tuple[str, ...], names: set[str]) -> str:
    return next((name for name in candidates if name in names), "")
