"""The daemon's use-cases: one module per thing a user or a service asks the daemon to do.

Each module takes typed inputs (the merged config, a store, a small request dataclass;
never an ``argparse.Namespace``) and returns typed results, and is called alike by the
CLI (``daemon/commands``), the HTTP API, the SMTP proxy, the scheduler and IMAP sync.
It may import the domain packages (``daemon.reports``, ``daemon.store``, ``scoring``...)
but nothing here imports a CLI module or a server. For example: ``build_report`` (the
report of a period, from the store or an mbox), ``deliver_report`` (APPEND it),
``list_promises`` (the promise ledger), ``score_draft``, ``record_send``,
``first_run`` (the user config ``trustmail init`` writes) and ``check_setup``
(placeholder settings the daemon warns about at start)."""
