"""The weekly report: compute (:mod:`.compute`), render as text, HTML (inline SVG
trend chart) or JSON, build it as a multipart email and deliver it by IMAP APPEND
(:mod:`.delivery`), on a schedule (:mod:`.scheduler`)."""
