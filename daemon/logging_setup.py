"""Structured logs: one JSON object per line on stderr.

Every record has ``ts``, ``level``, ``logger`` and ``event``; extra fields are given
as keyword arguments to :func:`log_event`. Message bodies and passwords are never
passed to the logger, and aiosmtpd's own protocol log (which echoes client lines,
including DATA at debug level) is kept at WARNING.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

FIELDS_ATTRIBUTE = "trustmail_fields"
QUIET_LOGGERS = ("mail.log", "asyncio")     # third-party chatter that may echo client data
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
          "error": logging.ERROR}


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


def log_event(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    """Log ``event`` with structured ``fields`` (never bodies or credentials)."""
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={FIELDS_ATTRIBUTE: fields})


def setup_logging(level: str = "info", stream: TextIO | None = None) -> None:
    """Send every log record to ``stream`` (stderr) as JSON at the given level."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(LEVELS.get(level, logging.INFO))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
