"""The trustmail process: CLI, SMTP proxy, IMAP sync, HTTP API, store, reports."""

# The scoring core does nothing at import; the application chooses its build (compiled
# with mypyc, or pure Python) here, before any module of it loads: the CLI, the servers
# and every spawned worker process import this package first.
from scoring import native as _native

_native.activate()
