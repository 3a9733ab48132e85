"""Storage: rows per second written through crawler.store next to a bare `executemany` of the very same rows.

The articles of the bench site are analysed first (not timed), then saved with `Store.save_articles` in batches
of STORE_BATCH_SIZE, as the crawl's storage pipeline does. Every row that ends up in the file (pages, articles, versions, facts, search index, whatever
else the store derives) is then read back and inserted again with plain sqlite3 `executemany` into a fresh file
of the same schema (WAL, synchronous=NORMAL, one transaction per BATCH rows): the floor of SQLite itself.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from crawler.items import FetchedPage

BATCH = 1000
# Filled by FTS5 itself from the search tables' triggers, or by opening the database.
_NOT_COPIED = ("sqlite_", "regions")


def analysed_pages(pages: int, workers: int = 2) -> list[FetchedPage]:
    """The first `pages` detail pages of the bench site, fetched from the generator and analysed."""
    from bench.site import BenchSite
    from crawler.processing import analysed_in_order

    site = BenchSite(pages)
    items = []
    for n in range(pages):
        path = site.detail_path(n)
        status, content_type, body = site.render(path)
        url = "http://bench-portal.bench.invalid" + path
        items.append(FetchedPage(site="bench_portal", url=url, final_url=url, status=status,
                                 content_type=content_type, declared_encoding="utf-8", body=body,
                                 fetched_at="2025-01-01T00:00:00+00:00"))
    return [item for item, _reason in analysed_in_order(items, workers) if item is not None]


def _copyable_tables(con: sqlite3.Connection) -> list[str]:
    virtual = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")}
    names = [name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
    return [n for n in names if not n.startswith(_NOT_COPIED) and n not in virtual
            and not any(n.startswith(v + "_") for v in virtual)]


def _rows(db: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f'SELECT * FROM "{t}"').fetchall() for t in _copyable_tables(con)}
    finally:
        con.close()


def bare_insert_seconds(schema_db: Path, rows: dict[str, list[tuple]]) -> float:
    """executemany of `rows` into `schema_db` (already holding the schema), BATCH rows per transaction."""
    con = sqlite3.connect(schema_db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=OFF")  # ids are copied as they are; the store checked them already
    try:
        started = time.perf_counter()
        for table, values in rows.items():
            if not values:
                continue
            sql = f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(values[0]))})'
            for i in range(0, len(values), BATCH):
                con.execute("BEGIN")
                con.executemany(sql, values[i : i + BATCH])
                con.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        con.close()


class DerivedStepTimer:
    """Time spent in the store's derived step (stories, consolidated targets), measured in place."""

    def __init__(self) -> None:
        import crawler.article_writer as writer

        self.seconds = 0.0
        self._writer, self._step = writer, writer.after_article_written

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return self._step(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        writer.after_article_written = timed

    def restore(self) -> None:
        self._writer.after_article_written = self._step


def bench_store(items: list[FetchedPage], db_dir: Path, cap: float | None = None) -> tuple[list[str], Path]:
    """Figure 3, and the database it wrote (the corpus of figure 2). Articles are saved until `cap` seconds."""
    from crawler.db import open_database
    from crawler.store import Store

    ours_db, bare_db = db_dir / "store.db", db_dir / "bare_insert.db"
    store = Store(ours_db)
    store.ensure_site("bench_portal", "gov_portal", "基准测试", "http://bench-portal.bench.invalid", "430000")
    run_id = store.start_run({"bench": "store"})
    from crawler.settings import STORE_BATCH_SIZE

    derived = DerivedStepTimer()
    saved = 0
    started = time.perf_counter()
    try:
        for i in range(0, len(items), STORE_BATCH_SIZE):
            batch = items[i : i + STORE_BATCH_SIZE]
            store.save_articles(batch, run_id)
            saved += len(batch)
            if cap is not None and time.perf_counter() - started > cap:
                break
    finally:
        derived.restore()
    ours = time.perf_counter() - started
    store.finish_run(run_id, "ok", 0)
    store.engine.dispose()
    rows = _rows(ours_db)
    open_database(bare_db).dispose()  # the same schema, empty
    bare = bare_insert_seconds(bare_db, rows)
    total = sum(len(v) for v in rows.values())
    biggest = sorted(((len(v), t) for t, v in rows.items()), reverse=True)[:6]
    stopped = f" [stopped at its {cap:.0f} s cap after {saved} of {len(items)} articles]" if saved < len(items) else ""
    return [
        f"3. storage: {total / ours:,.0f} rows/s through crawler.store vs {total / bare:,.0f} rows/s bare executemany "
        f"(same {total:,} rows of {saved:,} articles, WAL, {BATCH} rows per transaction): ratio {bare / ours:.2f} "
        f"(goal >= 0.5){stopped}",
        "   rows: " + ", ".join(f"{t} {n:,}" for n, t in biggest) + f"; {ours / saved * 1000:.1f} ms per article",
        f"   of which {derived.seconds / saved * 1000:.1f} ms grouping stories and consolidating targets (reading "
        f"candidate bands, shingles and promises: work a bare insert does not do); the rest: ratio "
        f"{bare / (ours - derived.seconds):.2f}",
    ], ours_db
