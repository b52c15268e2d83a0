"""The trustmail process: CLI, SMTP proxy, IMAP sync, HTTP API, store, reports.

The room map: each package of the daemon, what it is for, and what of the daemon it may
import (``scoring``, the pure core, every room may use; the core imports nothing of the
daemon). Arrows point down this list, never up; tests/test_architecture.py reads this map
and fails on an import it does not allow, also one inside a function or under
``TYPE_CHECKING``.

- ``config``: where the files are, how the layers merge, site locks, typed settings, the
  validated rule packs cached by content. May import: nothing.
- ``addon_build``: builds the Thunderbird add-on's .xpi. May import: nothing.
- ``runtime``: the process's plumbing: logs, state file, TLS certificate, add-on pairing, memory.
  May import: config.
- ``store``: the SQLite store, what it keeps of a report, its queries and the SMTP proxy's
  record journal.
  May import: config.
- ``mail``: untrusted mail bounded, and the one header reader (headers -> stored record).
  May import: config, store.
- ``conversations``: threads, first-response times and the promise ledger.
  May import: config, store.
- ``scoring_service``: the one scoring door: the ``Scorer`` protocol, the service that the
  API and the SMTP proxy share, its one pool of warmed worker processes.
  May import: config, runtime.
- ``imap``: IMAP connections, folders, header sync of INBOX and Sent, Drafts IDLE.
  May import: config, runtime, store, mail, scoring_service.
- ``reports``: the weekly report: computed, rendered (text, HTML, JSON), delivered.
  May import: config, runtime, store, mail, conversations, scoring_service, imap.
- ``metrics``: team aggregates for Prometheus or OTLP. May import: config, runtime,
  store, conversations, reports.
- ``application``: the use-cases, one module each (score a draft, record a send, build or
  deliver a report, list promises, first run, check the set-up): what every server and
  the CLI call. May import: config, runtime, store, mail, conversations,
  scoring_service, imap, reports, metrics.
- ``api``, ``smtp_proxy``, ``scheduler``: the servers (the add-on's HTTP API, the SMTP
  submission proxy, the clock) that run in the daemon's loop and call the use-cases.
  May import: config, runtime, store, mail, conversations, scoring_service, imap,
  reports, metrics, application.
- ``app``: the daemon: builds its services from the config and runs them in one loop.
  May import: every room above.
- ``commands``, ``cli``: the ``trustmail`` command, one module per sub-command; nothing
  else imports them. May import: every room above.
"""

# The scoring core does nothing at import; the application chooses its build (compiled
# with mypyc, or pure Python) here, before any module of it loads: the CLI, the servers
# and every spawned worker process import this package first.
from scoring import native as _native

_native.activate()
