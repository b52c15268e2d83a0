"""The weekly report: compute it (:mod:`.compute`, with its rows, notices and wording),
render it as text, HTML (a matplotlib PNG trend chart, :mod:`.chart`) or JSON, build it
as a multipart email and APPEND it by IMAP (:mod:`.delivery`). Building one for a request
is the use-case :mod:`daemon.application.build_report`; the weekly schedule is
:mod:`daemon.scheduler.weekly_report`."""
