"""Logs that grep, logrotate and journald handle: one line per event, ISO timestamps, no colours.

`policycrawl crawl --log-file F` writes the INFO log to F, rotated by size (LOG_MAX_BYTES, LOG_BACKUP_COUNT in
crawler/settings.py); the terminal (or journald, which reads stderr) gets warnings, or INFO with `-v`.
Scrapy's own root handler stays off (LOG_INSTALL_ROOT_HANDLER = False): it cannot rotate and would log twice.
Every line has the passwords of URLs masked (`postgresql://u:***@…`, `redis://:***@…`): stderr ends up in cron
mail and journald.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any, Protocol, TextIO

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_MARK = "_policycrawl_handler"  # our handlers carry this attribute, so setup can run again idempotently


_CREDENTIALS_RE = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:@/\s]*):(?P<password>[^@/\s]*)@", re.I)


def mask_credentials(text: str) -> str:
    """`postgresql://u:secret@host/db` → `postgresql://u:***@host/db` (and `redis://:secret@…`): what may reach
    stderr, a log file, cron mail or journald."""
    return _CREDENTIALS_RE.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)


# A full or read-only disk fails every write the same way; what each looks like in the driver's message.
STORAGE_FAILURES = {
    "disk_full": ("database or disk is full", "no space left on device"),
    "read_only": ("readonly database", "read-only file system"),
}
_storage_failures: dict[str, int] = {}


def storage_failure(exc: BaseException | None) -> str | None:
    """`disk_full` or `read_only` when `exc` (or what caused it) is the disk refusing a write, else None."""
    seen = 0
    while exc is not None and seen < 10:
        message = str(exc).lower()
        for kind, marks in STORAGE_FAILURES.items():
            if any(mark in message for mark in marks):
                return kind
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def storage_failures() -> dict[str, int]:
    """How many logged errors were the disk refusing a write, by kind, since the process started."""
    return dict(_storage_failures)


class StorageFailureFilter(logging.Filter):
    """The first write the disk refused is logged as one line without its traceback; the others are only
    counted (`storage_failures()`): the crawl ends with one sentence saying so, not eighty tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        kind = storage_failure(record.exc_info[1]) if record.exc_info else None
        if kind is None:
            return True
        if not getattr(record, "_storage_counted", False):
            record._storage_counted = True
            _storage_failures[kind] = _storage_failures.get(kind, 0) + 1
            record._storage_first = _storage_failures[kind] == 1
            if record._storage_first:
                error = record.exc_info[1]
                reason = (str(getattr(error, "orig", None) or error).strip().splitlines() or ["?"])[0]
                record.msg, record.args = f"{record.getMessage()}: {reason} (further such failures are counted)", ()
                record.exc_info, record.exc_text = None, None
        return record._storage_first


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
        text = mask_credentials(super().format(record))
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
        handler.addFilter(StorageFailureFilter())
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    root.setLevel(min(levels))


def logging_settings(settings: Any) -> dict[str, int]:
    """The rotation settings of a Scrapy Settings object (crawler/settings.py holds the defaults)."""
    return {"max_bytes": settings.getint("LOG_MAX_BYTES"), "backup_count": settings.getint("LOG_BACKUP_COUNT")}
