"""Logging for the headless gateway: one line per record on stderr, with levels journald understands.

Under systemd ($JOURNAL_STREAM set) each line starts with a syslog priority `<N>` that journald turns
into the entry's level; in a terminal it reads `LEVEL name: message`. Callers must never log SMS
text, phone numbers or code words: ids and counts only.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Mapping, TextIO

_PRIORITY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7}


class JournalFormatter(logging.Formatter):
    def __init__(self, journal: bool) -> None:
        super().__init__()
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and record.levelno >= logging.ERROR:
            message += " | " + self.formatException(record.exc_info).replace("\n", " | ")
        message = message.replace("\n", " | ")
        if self.journal:
            level = max((lvl for lvl in _PRIORITY if lvl <= record.levelno), default=logging.DEBUG)
            return f"<{_PRIORITY[level]}>{record.name}: {message}"
        return f"{record.levelname} {record.name}: {message}"


def setup_logging(level: int = logging.INFO, stream: TextIO | None = None,
                  env: Mapping[str, str] | None = None) -> logging.Handler:
    env = os.environ if env is None else env
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JournalFormatter(journal=bool(env.get("JOURNAL_STREAM"))))
    root = logging.getLogger("kiosk")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    return handler
