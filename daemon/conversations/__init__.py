"""What the stored messages say about my conversations, as DESIGN.md defines it.

- ``threads``: messages joined into threads (Message-ID / In-Reply-To / References, then a
  fallback);
- ``response_times``: first-response times per thread, in business time;
- ``promise_status``: each promise I made, and whether I kept it.

Imports ``daemon.store`` and ``scoring`` only; the reports, the metrics and the API read it.
"""
