"""Readers during a crawl: an analyst's sqlite3 session and datasette query the database all through
`policycrawl crawl --sample`. WAL lets them read while the crawl writes; one transaction per article means
they never see an error or half an article (an article without its page, its version row or its facts).
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# What one article looks like from outside: if a reader ever sees it, it must already look like this at the end.
SNAPSHOT_SQL = {
    "articles": "SELECT id, url, content_hash, page_id, length(text) FROM articles",
    "versions": "SELECT article_id, content_hash FROM article_versions",
    "pages": "SELECT id FROM pages WHERE body IS NOT NULL",
    "targets": "SELECT article_id, COUNT(*) FROM targets WHERE attachment_id IS NULL GROUP BY article_id",
    "keywords": "SELECT article_id, COUNT(*) FROM keywords GROUP BY article_id",
    "regions": "SELECT article_id, COUNT(*) FROM article_regions GROUP BY article_id",
    "spans": "SELECT t.article_id, t.text, substr(a.text, t.span_start + 1, t.span_end - t.span_start) FROM targets t "
             "JOIN articles a ON a.id = t.article_id WHERE t.attachment_id IS NULL",
    "view": "SELECT COUNT(*) FROM v_targets",
}


@dataclass
class ReaderLog:
    snapshots: int = 0
    errors: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    seen: dict[int, tuple] = field(default_factory=dict)  # article id → what it looked like when first seen
    counts: list[int] = field(default_factory=list)


def _article_facts(rows: dict[str, list]) -> dict[int, tuple]:
    by = {name: dict(rows[name]) for name in ("targets", "keywords", "regions")}
    return {aid: (url, digest, by["targets"].get(aid, 0), by["keywords"].get(aid, 0), by["regions"].get(aid, 0))
            for aid, url, digest, _page, _length in rows["articles"]}


def _snapshot(con: sqlite3.Connection) -> dict[str, list]:
    con.execute("BEGIN")  # one read transaction: a consistent snapshot of every table
    try:
        return {name: con.execute(sql).fetchall() for name, sql in SNAPSHOT_SQL.items()}
    finally:
        con.execute("COMMIT")


def _check(rows: dict[str, list], log: ReaderLog) -> None:
    versions = set(rows["versions"])
    pages = {pid for (pid,) in rows["pages"]}
    for aid, url, digest, page_id, length in rows["articles"]:
        if (aid, digest) not in versions or page_id not in pages or not length:
            log.partial.append(f"{url}: version {(aid, digest) in versions}, page {page_id in pages}, text {length}")
    for aid, span, text_at_offsets in rows["spans"]:
        if span != text_at_offsets:
            log.partial.append(f"article {aid}: target span {span!r} is {text_at_offsets!r} in the text")
    for aid, facts in _article_facts(rows).items():
        log.seen.setdefault(aid, facts)


def _sqlite_reader(db: Path, done: threading.Event, log: ReaderLog) -> None:
    while not done.is_set() and not _schema_ready(db):
        time.sleep(0.05)
    con = sqlite3.connect(db, timeout=30, isolation_level=None)
    try:
        while not done.is_set():
            try:
                rows = _snapshot(con)
            except sqlite3.Error as exc:
                log.errors.append(f"sqlite3: {exc}")
                continue
            log.snapshots += 1
            log.counts.append(len(rows["articles"]))
            _check(rows, log)
            time.sleep(0.02)
    finally:
        con.close()


def _datasette_reader(db: Path, done: threading.Event, log: ReaderLog) -> None:
    from crawler.publish import datasette_app

    while not done.is_set() and not _schema_ready(db):
        time.sleep(0.05)
    unversioned = ("select count(*) as n from articles a where not exists (select 1 from article_versions v "
                   "where v.article_id = a.id and v.content_hash = a.content_hash)")

    async def loop() -> None:
        ds = datasette_app(db)
        while not done.is_set():
            for path, params in (("/policy/articles.json", {"_shape": "array", "_size": "max", "_col": "title"}),
                                 ("/policy/v_targets.json", {"_shape": "array", "_size": "20"}),
                                 ("/policy/articles.json", {"_search": "区块链", "_shape": "array"}),
                                 ("/policy.json", {"sql": unversioned, "_shape": "array"})):
                response = await ds.client.get(path, params=params)
                if response.status_code != 200:
                    log.errors.append(f"datasette {path}: {response.status_code} {response.text[:300]}")
                elif path == "/policy.json" and response.json()[0]["n"] != 0:
                    log.partial.append(f"datasette saw {response.json()[0]['n']} articles without their version")
            log.snapshots += 1
            await asyncio.sleep(0.05)

    asyncio.run(loop())


def _schema_ready(db: Path) -> bool:
    if not db.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            views = con.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'v_targets'").fetchone()[0]
            return bool(version and views)
        finally:
            con.close()
    except sqlite3.Error:
        return False  # still being created: the crawl has not committed its schema yet


def test_readers_never_see_an_error_or_half_an_article_during_a_crawl(tmp_path):
    db = tmp_path / "policy.db"
    done = threading.Event()
    plain, web = ReaderLog(), ReaderLog()
    readers = [threading.Thread(target=_sqlite_reader, args=(db, done, plain), daemon=True),
               threading.Thread(target=_datasette_reader, args=(db, done, web), daemon=True)]
    for reader in readers:
        reader.start()
    try:
        crawl = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--sample", "--db", str(db)],
                               capture_output=True, text=True, timeout=300)
    finally:
        done.set()
        for reader in readers:
            reader.join(timeout=60)
    assert crawl.returncode == 0, crawl.stderr[-3000:]

    final = _article_facts({name: sqlite3.connect(db).execute(sql).fetchall() for name, sql in SNAPSHOT_SQL.items()})
    print(f"\nreaders during the sample crawl: sqlite3 {plain.snapshots} snapshots "
          f"(article counts {min(plain.counts, default=0)}→{max(plain.counts, default=0)}), datasette "
          f"{web.snapshots} rounds; {len(final)} articles")
    assert not plain.errors and not web.errors, (plain.errors + web.errors)[:5]
    assert not plain.partial and not web.partial, (plain.partial + web.partial)[:5]
    # An article a reader saw had all its facts already: it looks the same at the end of the crawl.
    changed = {aid: (seen, final.get(aid)) for aid, seen in plain.seen.items() if final.get(aid) != seen}
    assert not changed, list(changed.items())[:3]
    # The readers really ran while the crawl wrote, not only before or after it.
    assert any(0 < n < len(final) for n in plain.counts), plain.counts[-20:]
    assert web.snapshots >= 3
