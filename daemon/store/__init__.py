"""The SQLite store shared by the SMTP proxy, IMAP sync, the HTTP API and the reports.

- ``database``: the schema, the connections and the generic writer (``MessageRecord``, ``Store``);
- ``queries``: the reads and writes of IMAP sync, response times, promises and reports;
- ``journal``: records the SMTP proxy accepted but has not stored yet (a kill -9 loses none).

Imports ``daemon.config`` only.
"""
