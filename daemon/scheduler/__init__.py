"""Services that run on the clock inside the daemon: the weekly report delivery
(:mod:`.weekly_report`). They call use-cases of :mod:`daemon.application`."""
