"""Logs that grep, logrotate and journald handle: one line per event, ISO timestamps, no colours.

`policycrawl crawl --log-file F` writes the INFO log to F, rotated by size (LOG_MAX_BYTES, LOG_BACKUP_COUNT in
crawler/settings.py); the terminal (or journald, which reads stderr) gets warnings, or INFO with `-v`.
Scrapy's own root handler stays off (LOG_INSTALL_ROOT_HANDLER = False): it cannot rotate and would log twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any, Protocol, TextIO

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_MARK = "_policycrawl_handler"  # our handlers carry this attribute, so setup can run again idempotently


class ClearsLine(Protocol):
    def clear(self) -> None: ...


class OneLineFormatter(logging.Formatter):
    """`2026-05-20T02:15:03.120+08:00 WARNING spiders.news: …` — multi-line messages and tracebacks are
    joined with ` | ` so that one grep hit is one whole event."""

    def __init__(self) -> None:
        super().__init__(LINE_FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        return dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return " | ".join(part for part in text.replace("\r\n", "\n").split("\n") if part.strip())


class TerminalHandler(logging.StreamHandler):
    """stderr, clearing the progress line (crawler/progress.py) before a message so they never mix."""

    def __init__(self, stream: TextIO, progress: ClearsLine | None = None) -> None:
        super().__init__(stream)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        if self.progress is not None:
            self.progress.clear()
        super().emit(record)


def setup_logging(
    log_file: str | Path | None = None,
    stderr_level: str | int = "WARNING",
    *,
    max_bytes: int = 10 * 1024 * 1024,
    backup_count: int = 5,
    progress: ClearsLine | None = None,
    stream: TextIO | None = None,
) -> None:
    """(Re)install our handlers on the root logger; safe to call again after Scrapy configured logging."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
            handler.close()
    formatter = OneLineFormatter()
    levels = []
    terminal = TerminalHandler(stream or sys.stderr, progress)
    terminal.setLevel(stderr_level)
    levels.append(terminal.level)
    handlers: list[logging.Handler] = [terminal]
    if log_file:
        path = Path(log_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8")
        file_handler.setLevel(logging.INFO)
        levels.append(logging.INFO)
        handlers.append(file_handler)
    for handler in handlers:
        handler.setFormatter(formatter)
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    root.setLevel(min(levels))


def logging_settings(settings: Any) -> dict[str, int]:
    """The rotation settings of a Scrapy Settings object (crawler/settings.py holds the defaults)."""
    return {"max_bytes": settings.getint("LOG_MAX_BYTES"), "backup_count": settings.getint("LOG_BACKUP_COUNT")}
