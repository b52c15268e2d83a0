"""Logs: one JSON object per line with the event and its fields when stderr is not a
terminal, readable lines on a terminal, either one when configured."""

from __future__ import annotations

import io
import json
import logging
import os
import re

import pytest

from daemon.runtime.logs import FORMAT_ENV, choose_format, log_event, setup_logging


def test_events_are_json_lines_with_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FORMAT_ENV, raising=False)
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


def test_a_terminal_gets_readable_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FORMAT_ENV, raising=False)
    leader, follower = os.openpty()          # a real terminal: isatty() is true
    with os.fdopen(follower, "w", encoding="utf-8") as terminal:
        setup_logging("info", terminal)
        log_event(logging.getLogger("trustmail.daemon"), logging.WARNING, "placeholder-setting",
                  key="smtp.upstream.host", value="smtp.example.com", fix="run trustmail init")
        terminal.flush()
        line = os.read(leader, 4096).decode().strip()
    os.close(leader)
    assert re.fullmatch(r"\d\d:\d\d:\d\d warning daemon: placeholder-setting  "
                        r'key=smtp.upstream.host value=smtp.example.com fix="run trustmail init"',
                        line), line


def test_json_when_configured_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FORMAT_ENV, "json")
    leader, follower = os.openpty()
    with os.fdopen(follower, "w", encoding="utf-8") as terminal:
        assert choose_format(terminal) == "json"
        monkeypatch.setenv(FORMAT_ENV, "text")
        assert choose_format(io.StringIO()) == "text"
        monkeypatch.delenv(FORMAT_ENV)
        assert (choose_format(terminal), choose_format(io.StringIO())) == ("text", "json")
    os.close(leader)
