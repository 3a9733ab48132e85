"""One crawl per database: a second one exits at once with code 4; a dead crawl's lock and run are taken over."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from ops_support import crawl, crawl_command, sample_registry

from crawler.crawl import EXIT_LOCKED
from crawler.lock import CrawlLock, LockHeld, LockUnavailable, lock_path_for
from crawler.sample_sites import SampleSites


def _dead_pid() -> int:
    """The pid of a process that has just exited (not reused within the test, in practice)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_second_lock_on_the_same_database_fails_at_once_naming_the_holder(tmp_path):
    db = tmp_path / "policy.db"
    with CrawlLock(db):
        assert lock_path_for(db).read_text().strip() == str(os.getpid())
        started = time.monotonic()
        with pytest.raises(LockHeld) as caught:
            CrawlLock(db).acquire()
        assert time.monotonic() - started < 1
        assert caught.value.pid == os.getpid()
        assert f"pid {os.getpid()}" in str(caught.value) and str(lock_path_for(db)) in str(caught.value)
    assert lock_path_for(db).read_text() == ""  # released, and a clean release leaves no pid behind
    CrawlLock(db).acquire().release()  # free again


def test_stale_lock_of_a_dead_process_is_taken_over_with_a_warning(tmp_path, caplog):
    db = tmp_path / "policy.db"
    dead = _dead_pid()
    lock_path_for(db).write_text(f"{dead}\n")
    with caplog.at_level(logging.WARNING, logger="crawler.lock"), CrawlLock(db) as lock:
        assert lock.took_over_from == dead
        assert lock_path_for(db).read_text().strip() == str(os.getpid())
    assert any(f"pid {dead}" in r.getMessage() and "no longer running" in r.getMessage() for r in caplog.records)


def test_lock_in_an_unusable_folder_says_so(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    with pytest.raises(LockUnavailable, match="cannot create the lock file"):
        CrawlLock(blocker / "policy.db").acquire()


@pytest.fixture(scope="module")
def served():
    with SampleSites() as sites:
        yield sites


@pytest.mark.slow
def test_two_crawls_started_at_once_the_second_exits_with_code_4(served, tmp_path):
    registry, db = sample_registry(tmp_path, served, ("sample_news_hant",)), tmp_path / "policy.db"
    slow = ("-s", "DOWNLOAD_DELAY=0.5", "-s", "CONCURRENT_REQUESTS=1")
    first = subprocess.Popen(crawl_command(db, registry, *slow), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and first.poll() is None:
            if lock_path_for(db).exists() and lock_path_for(db).read_text().strip() == str(first.pid):
                break
            time.sleep(0.02)
        second = crawl(db, registry, timeout=60)
        assert first.poll() is None, "the first crawl ended before the second started"
        assert second.returncode == EXIT_LOCKED, second.stderr[-2000:]
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("policycrawl: another crawl") and f"pid {first.pid}" in lines[0]
        assert second.stdout == ""
        _out, err = first.communicate(timeout=120)
        assert first.returncode == 0, err[-2000:]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.pid, signal.SIGKILL)
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*), MIN(status) FROM crawl_runs").fetchone() == (1, "ok")  # no run for the second


@pytest.mark.slow
def test_a_crawl_takes_over_from_a_dead_one_and_marks_its_run_interrupted(served, tmp_path):
    registry, db = sample_registry(tmp_path, served, ("sample_news_hant",)), tmp_path / "policy.db"
    assert crawl(db, registry).returncode == 0
    dead = _dead_pid()
    con = sqlite3.connect(db)
    con.execute("INSERT INTO crawl_runs (started_at, status, options, counts, pid) "
                "VALUES ('2024-05-20T02:15:00+00:00', 'running', '{}', '{}', ?)", (dead,))
    con.commit()
    lock_path_for(db).write_text(f"{dead}\n")  # what a crawl killed with SIGKILL leaves behind
    out = crawl(db, registry)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"taking over the stale lock {lock_path_for(db)}: pid {dead}" in out.stderr
    assert "run 2 (pid" in out.stderr and "marked interrupted" in out.stderr
    assert [s for (s,) in con.execute("SELECT status FROM crawl_runs ORDER BY id")] == ["ok", "interrupted", "ok"]


def test_crawl_help_documents_the_exit_codes():
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--help"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0
    for line in ("4  another crawl holds the lock on this database", "5  interrupted by SIGTERM"):
        assert line in out.stdout
    assert "--since" in out.stdout and "--revisit" in out.stdout and "--full" in out.stdout
