"""A crawl killed at any moment leaves an intact database, and the next run completes it without duplicates.

SIGKILL at seeded random points (after a random number of stored articles, plus a random delay), then a
rerun: the database must hold exactly the rows of one uninterrupted crawl. SIGTERM: Scrapy finishes the
items in flight, the run is recorded as interrupted (exit code 5) and the lock is released.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from ops_support import crawl, crawl_command, database_rows, integrity, sample_registry

from crawler.crawl import EXIT_INTERRUPTED
from crawler.lock import lock_path_for
from crawler.sample_sites import SampleSites

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served():
    with SampleSites() as sites:
        yield sites


@pytest.fixture(scope="module")
def registry(served, tmp_path_factory) -> Path:
    return sample_registry(tmp_path_factory.mktemp("registry"), served)


@pytest.fixture(scope="module")
def reference(registry, tmp_path_factory) -> dict:
    """The rows of one uninterrupted crawl."""
    db = tmp_path_factory.mktemp("reference") / "policy.db"
    out = crawl(db, registry)
    assert out.returncode == 0, out.stderr[-3000:]
    return database_rows(db)


def _articles(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


def _start(db: Path, registry: Path, *args: str) -> subprocess.Popen:
    """The crawl in a session of its own: SIGKILL goes to its whole process group (its page-analysis workers
    too), as systemd's KillMode=control-group or a lost machine would."""
    return subprocess.Popen(crawl_command(db, registry, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _wait_for_articles(proc: subprocess.Popen, db: Path, at_least: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while proc.poll() is None and _articles(db) < at_least and time.monotonic() < deadline:
        time.sleep(0.02)


def test_sigkill_at_random_points_then_rerun_gives_the_rows_of_an_uninterrupted_crawl(registry, reference, tmp_path):
    db = tmp_path / "policy.db"
    rng = random.Random(7)
    killed = 0
    for _ in range(3):
        before = _articles(db)
        # With its page-analysis workers, small store batches and a short delay between requests: articles land
        # a few at a time over a second or two, so the kill falls between batches, or while one is held or written.
        proc = _start(db, registry, "-s", "PROCESSING_WORKERS=2", "-s", "STORE_BATCH_SIZE=3",
                      "-s", "DOWNLOAD_DELAY=0.1")
        try:
            _wait_for_articles(proc, db, before + rng.randint(1, 5))
            time.sleep(rng.uniform(0, 0.1))
            last_killed = proc.poll() is None
            if last_killed:
                _kill_group(proc)
                killed += 1
            proc.communicate(timeout=60)
        finally:
            _kill_group(proc)
        assert integrity(db) == "ok"
    assert killed >= 2, "the crawls finished before they could be killed; the test proves nothing"
    rerun = crawl(db, registry)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "taking over the stale lock" in rerun.stderr or not last_killed
    assert integrity(db) == "ok"
    rows = database_rows(db)
    for table, expected in reference.items():
        assert rows[table] == expected, table
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) - COUNT(DISTINCT url) FROM articles").fetchone()[0] == 0
    assert con.execute("SELECT COUNT(*) FROM attachments WHERE status = 'pending'").fetchone()[0] == 0
    statuses = [s for (s,) in con.execute("SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses[-1] == "ok"
    assert statuses.count("interrupted") >= killed - 1  # every killed run but possibly the last is marked now
    assert "running" not in statuses[:-1]


def test_sigterm_finishes_in_flight_items_and_records_the_run_as_interrupted(served, tmp_path):
    names = ("sample_policy_library", "sample_gov_portal")
    registry, db = sample_registry(tmp_path, served, names), tmp_path / "policy.db"
    expected = sum(1 for n in names for a in served.expected_articles(n) if a.expected_status in ("ok", "500_once"))
    # One request at a time per site, analysed as it arrives: "in flight" (handed to Scrapy's downloader or
    # waiting for the pipelines) is then a page or two per site, and SIGTERM lands mid-crawl.
    proc = _start(db, registry, "-s", "DOWNLOAD_DELAY=0.3", "-s", "CONCURRENT_REQUESTS=1",
                  "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    try:
        _wait_for_articles(proc, db, 3)
        assert proc.poll() is None, "the crawl ended before SIGTERM"
        proc.send_signal(signal.SIGTERM)  # `kill PID`: the crawl process only
        out, err = proc.communicate(timeout=120)
    finally:
        _kill_group(proc)
    assert proc.returncode == EXIT_INTERRUPTED, err[-3000:]
    assert "INTERRUPTED" in out and "was interrupted" in err
    assert integrity(db) == "ok"
    con = sqlite3.connect(db)
    status, finished, exit_code, counts = con.execute(
        "SELECT status, finished_at, exit_code, counts FROM crawl_runs WHERE id = 1").fetchone()
    assert (status, exit_code) == ("interrupted", EXIT_INTERRUPTED) and finished
    counts = json.loads(counts)
    stored = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert 3 <= stored < expected
    assert sum(c["new"] for c in counts.values()) == stored  # every stored item was counted before exit
    assert lock_path_for(db).read_text() == ""  # released: a clean exit leaves no pid behind
    assert not [w for (w,) in con.execute("SELECT walked_at FROM sites") if w]  # next run pages through again
    rerun = crawl(db, registry)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "stale lock" not in rerun.stderr
    assert con.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM articles").fetchone() == (expected, expected)
    assert os.path.getsize(lock_path_for(db)) == 0


def test_attachments_of_an_article_stored_just_before_a_kill_are_fetched_by_the_next_run(served, tmp_path):
    registry, db = sample_registry(tmp_path, served, ("sample_gov_portal",)), tmp_path / "policy.db"
    assert crawl(db, registry).returncode == 0
    con = sqlite3.connect(db)
    # What a kill between the article's transaction and its files leaves: the links, stored as pending.
    url, article, facts = con.execute(
        "SELECT t.url, a.url, (SELECT COUNT(*) FROM targets g WHERE g.attachment_id = t.id) AS n "
        "FROM attachments t JOIN articles a ON a.id = t.article_id ORDER BY n DESC, t.id LIMIT 1").fetchone()
    assert facts > 0
    con.execute("DELETE FROM targets WHERE attachment_id = (SELECT id FROM attachments WHERE url = ?)", (url,))
    con.execute("UPDATE attachments SET status = 'pending', text = NULL, hash = NULL, body = NULL WHERE url = ?",
                (url,))
    con.commit()
    served.clear_requests()
    out = crawl(db, registry)
    assert out.returncode == 0, out.stderr[-2000:]
    requested = [r.path for r in served.requests]
    assert urlsplit(url).path in requested  # the pending file, directly
    assert urlsplit(article).path not in requested  # not its article page again
    status, text = con.execute("SELECT status, text FROM attachments WHERE url = ?", (url,)).fetchone()
    assert status == "ok" and text
    assert con.execute("SELECT COUNT(*) FROM targets WHERE attachment_id = (SELECT id FROM attachments "
                       "WHERE url = ?)", (url,)).fetchone()[0] == facts
