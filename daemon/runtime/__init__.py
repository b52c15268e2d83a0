"""The running process's own plumbing, used by every server.

- ``logs``: one log line per event (text on a terminal, JSON for machines);
- ``state``: the running daemon's state file, read by ``trustmail status``;
- ``tls``: a configured certificate for the local listeners, or a self-signed one;
- ``pairing``: the one-time pairing window or code that hands the add-on its API token.

Imports ``daemon.config`` only.
"""
