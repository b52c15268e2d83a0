"""Reading untrusted mail: bounded first, then the one header reader.

- ``bounded``: caps on a raw message before any stdlib ``email`` parsing (it is superlinear
  on long structured headers);
- ``headers``: message headers -> the store's ``MessageRecord``, by one rule set for every
  path into the store (the SMTP proxy, IMAP sync, the add-on's POST /v1/sent).

Imports ``daemon.store`` only.
"""
