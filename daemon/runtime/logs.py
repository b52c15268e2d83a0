"""Logs on stderr: one line per event, for people on a terminal, JSON for machines.

Every record has ``ts``, ``level``, ``logger`` and ``event``; extra fields are given
as keyword arguments to :func:`log_event`. On a terminal a line reads
``13:05:12 warning daemon: placeholder-setting  key=smtp.upstream.host ...``; when stderr is
not a terminal (a service, a pipe, a file), or ``TRUSTMAIL_LOG_FORMAT=json``, each line
is one JSON object (``TRUSTMAIL_LOG_FORMAT=text`` forces the readable form). Message
bodies and passwords are never passed to the logger, and aiosmtpd's own protocol log
(which echoes client lines, including DATA at debug level) is kept at WARNING.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

FIELDS_ATTRIBUTE = "trustmail_fields"
QUIET_LOGGERS = ("mail.log", "asyncio")     # third-party chatter that may echo client data
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
          "error": logging.ERROR}
FORMAT_ENV = "TRUSTMAIL_LOG_FORMAT"
JSON = "json"
TEXT = "text"
AUTO = "auto"
FORMATS = (AUTO, JSON, TEXT)


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update(getattr(record, FIELDS_ATTRIBUTE, {}))
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Format a record as one readable line: local time, level, logger, event, fields."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        name = record.name.removeprefix("trustmail.").removeprefix("daemon.")
        fields = " ".join(f"{key}={_text_value(value)}" for key, value in
                          getattr(record, FIELDS_ATTRIBUTE, {}).items())
        line = f"{moment} {record.levelname.lower():<7} {name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[0] is not None:
            fields += f" exception={record.exc_info[0].__name__}"
        return f"{line}  {fields.strip()}" if fields.strip() else line


def _text_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           default=str)
    return json.dumps(text, ensure_ascii=False) if (not text or " " in text) else text


def choose_format(stream: TextIO, configured: str | None = None) -> str:
    """``json`` or ``text``: ``configured`` (or ``TRUSTMAIL_LOG_FORMAT``) when it names
    one, else text on a terminal and JSON anywhere else."""
    wanted = (configured or os.environ.get(FORMAT_ENV, AUTO)).lower()
    if wanted in (JSON, TEXT):
        return wanted
    isatty = getattr(stream, "isatty", None)
    return TEXT if isatty is not None and isatty() else JSON


def log_event(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    """Log ``event`` with structured ``fields`` (never bodies or credentials)."""
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={FIELDS_ATTRIBUTE: fields})


def setup_logging(level: str = "info", stream: TextIO | None = None,
                  log_format: str | None = None) -> None:
    """Send every log record to ``stream`` (stderr) at the given level, as readable
    lines or JSON (see :func:`choose_format`)."""
    target = stream or sys.stderr
    handler = logging.StreamHandler(target)
    handler.setFormatter(TextFormatter() if choose_format(target, log_format) == TEXT
                         else JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(LEVELS.get(level, logging.INFO))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
