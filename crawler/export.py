"""PostgreSQL → SQLite: the file datasette publishes, built from the shared database of distributed crawls.

The workers write the crawled rows to PostgreSQL (many writers); the derived tables of the SQLite side —
Chinese search (jieba tokens under FTS5), stories and consolidated targets, the views — are built here from the
copied rows with the same code a SQLite crawl uses. The file is written next to the target and moved into place
at the end, so `policycrawl serve` (or a datasette already serving the old file) never sees half an export.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from crawler.db import open_database
from crawler.dialect import display
from crawler.models import Base

logger = logging.getLogger(__name__)

BATCH_ROWS = 1000


@dataclass
class ExportResult:
    target: Path
    rows: dict[str, int] = field(default_factory=dict)  # table → rows copied
    search_rows: int = 0
    derived: list[str] = field(default_factory=list)  # what was built on the SQLite side, one line each
    seconds: float = 0.0

    def lines(self) -> list[str]:
        width = max((len(t) for t in self.rows), default=10)
        out = [f"{table:<{width}} {n:>9}" for table, n in self.rows.items()]
        out.append(f"search index: {self.search_rows} rows segmented")
        out.extend(self.derived)
        out.append(f"exported {sum(self.rows.values())} rows to {self.target} in {self.seconds:.1f} s")
        return out


def export_sqlite(source: str | Path, target: str | Path, batch: int = BATCH_ROWS) -> ExportResult:
    """Copy every table of `source` (a PostgreSQL URL, or another database) into a new SQLite file at `target`."""
    started = time.monotonic()
    src = open_database(source)  # migrated to this version first: both sides have the same tables
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.export-{os.getpid()}")
    _remove_sqlite_file(partial)
    result = ExportResult(target)
    dst = open_database(partial)  # the schema, views, search and consolidation triggers, the regions
    try:
        _copy_rows(src, dst, result, batch)
        _build_derived(dst, result)
    finally:
        dst.dispose()
    _publishable(partial)
    os.replace(partial, target)
    for suffix in ("-wal", "-shm"):  # a crawl's leftovers of the previous file would not match this one
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    result.seconds = time.monotonic() - started
    logger.info("exported %s to %s in %.1f s", display(source), target, result.seconds)
    return result


def _copy_rows(src: Engine, dst: Engine, result: ExportResult, batch: int) -> None:
    with src.connect() as reader, dst.begin() as writer:
        writer.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        for table in Base.metadata.sorted_tables:  # parents before children
            writer.execute(table.delete())  # the regions the new file was given: the source's are copied
            copied = 0
            rows = reader.execution_options(yield_per=batch).execute(select(table))
            for part in rows.partitions():
                writer.execute(table.insert(), [dict(row._mapping) for row in part])
                copied += len(part)
            result.rows[table.name] = copied


def _build_derived(dst: Engine, result: ExportResult) -> None:
    """What a SQLite crawl maintains while writing: the jieba search index, stories, consolidated targets."""
    from crawler.search_index import rebuild_search_index

    with dst.begin() as conn:
        result.search_rows = rebuild_search_index(conn)
    try:
        from crawler.consolidate import rebuild_all
    except ImportError:  # pragma: no cover - stories arrive with their own module
        return
    stories, consolidation = rebuild_all(dst)
    result.derived.append(f"stories: {stories.line()}")
    result.derived.append(f"consolidation: {consolidation.line()}")


def _publishable(path: Path) -> None:
    """One self-contained file (rollback journal, not WAL) that datasette can also open read-only."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("ANALYZE")
    finally:
        conn.close()


def _remove_sqlite_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
