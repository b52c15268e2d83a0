"""The SMTP replies the proxy makes up itself (every other reply comes from upstream).

Temporary failures are 4xx so that the client keeps the message and retries: the
proxy never answers 250 for a message the upstream has not accepted.
"""

from __future__ import annotations

UPSTREAM_UNREACHABLE = (b"451 4.4.1 trustmail: the outgoing mail server cannot be reached; "
                        b"try again later")
UPSTREAM_LOST = (b"451 4.4.2 trustmail: lost the connection to the outgoing mail server; "
                 b"try again later")
UPSTREAM_LOST_CLOSING = (b"421 4.4.2 trustmail: lost the connection to the outgoing mail server; "
                         b"please reconnect")
AUTH_UNAVAILABLE = (b"454 4.7.0 trustmail: cannot check credentials now "
                    b"(outgoing mail server unreachable)")
AUTH_MECHANISM_UNSUPPORTED = (b"504 5.5.4 the outgoing mail server does not support "
                              b"this AUTH mechanism")
SHUTTING_DOWN = b"421 4.3.2 trustmail is shutting down; try again in a moment"
TOO_MANY_CONNECTIONS = (b"421 4.7.0 trustmail: too many connections to the proxy; "
                        b"try again later")
TOO_MUCH_DATA = b"552 5.3.4 message size exceeds the limit"
BARE_LINE_END = (b"554 5.6.0 trustmail: the message has a bare CR or LF (every line must "
                 b"end with CRLF); nothing was sent")
LINE_BREAK_IN_COMMAND = b"501 5.5.2 syntax error: CR or LF inside the command"
