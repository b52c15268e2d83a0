"""The daemon's use-cases, one module each, called by the CLI, the API, the SMTP proxy,
the scheduler and IMAP alike (nothing here imports a CLI module or a server)."""
