"""The SMTP submission proxy: any mail client sends through it to the real server.

Modules, from the wire inwards:

- :mod:`.upstream`     asyncio SMTP client for the real (upstream) server
- :mod:`.connection_limit` ``[smtp] max_connections``: 421 past the cap, before a session
- :mod:`.session`      aiosmtpd protocol per client connection + its relay state
- :mod:`.handler`      the hooks: EHLO/AUTH/MAIL/RCPT/DATA relayed to the upstream
- :mod:`.scoring_call` scoring in a thread pool within a time budget (fails open)
- :mod:`.policy`       observe / warn / hold decisions and the resend memory
- :mod:`.summary`      the 550 text a refused sender sees
- :mod:`.record`       message metadata for the store
- :mod:`.service`      start/stop/reload as a daemon service
"""
