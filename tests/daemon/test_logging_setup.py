"""Structured logs: one JSON object per line with the event and its fields."""

from __future__ import annotations

import io
import json
import logging

from daemon.logging_setup import log_event, setup_logging


def test_events_are_json_lines_with_fields() -> None:
    stream = io.StringIO()
    setup_logging("info", stream)
    log_event(logging.getLogger("trustmail.test"), logging.INFO, "relayed", size=12,
              upstream_code=250)
    log_event(logging.getLogger("trustmail.test"), logging.DEBUG, "hidden at info")
    logging.getLogger("mail.log").info("client line echo")     # aiosmtpd's chatter
    [line] = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["event"] == "relayed" and entry["level"] == "info"
    assert entry["size"] == 12 and entry["upstream_code"] == 250
    assert entry["logger"] == "trustmail.test" and entry["ts"].endswith("+00:00")
