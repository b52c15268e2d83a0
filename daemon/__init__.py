"""The trustmail process: CLI, SMTP proxy, IMAP sync, HTTP API, store, reports."""
