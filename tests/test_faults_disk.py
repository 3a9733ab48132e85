"""Hostile disks and misleading messages (issue 21 item 9, issue 23 item 7).

A full disk, a read-only mount, a folder or a file that is not a database as `--db`: one sentence that says
what is wrong and what to do, exit code 3, no SQLAlchemy boilerplate, no `.lock` file left behind, and a run
row that does not stay `running`. The small and the read-only filesystems are real tmpfs mounts in a mount
namespace of their own (`unshare -rm`); where the kernel forbids that, those cases are skipped.
A Ctrl-C early in a crawl reports the run interrupted, not every site broken; the progress line never counts
backwards.
"""

from __future__ import annotations

import io
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.crawl import CrawlResult, format_summary
from crawler.progress import ProgressLine
from crawler.store import Store

POLICYCRAWL = str(Path(sys.executable).with_name("policycrawl"))


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([POLICYCRAWL, *args], capture_output=True, text=True, timeout=timeout)


def _one_sentence(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "sqlalche.me" not in stderr and "corrupt" not in stderr, stderr
    return lines[0]


def _can_mount() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt"], capture_output=True,
                              timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


needs_mount = pytest.mark.skipif(not _can_mount(), reason="no mount namespace here (unshare -rm); tmpfs needed")


def _in_mount_namespace(script: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=timeout)


# --- a folder, a file that is not a database ----------------------------------------------------------------
@pytest.mark.parametrize("command", [["runs"], ["stories"], ["reextract"], ["crawl", "--sample"]])
def test_a_folder_as_db_is_one_sentence_exit_3_and_leaves_no_lock(tmp_path, command):
    folder = tmp_path / "data"
    folder.mkdir()
    result = _run(*command, "--db", str(folder))
    assert result.returncode == 3
    assert "is a folder, not a database file" in _one_sentence(result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no data.lock


def test_a_file_that_is_not_a_database_says_so(tmp_path):
    db = tmp_path / "policy.db"
    db.write_text("这不是数据库", encoding="utf-8")
    for command in (["runs"], ["crawl", "--sample"]):
        result = _run(*command, "--db", str(db))
        assert result.returncode == 3
        assert "it is not a SQLite database or is damaged" in _one_sentence(result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policy.db"]


# --- a read-only mount ------------------------------------------------------------------------------------
@needs_mount
@pytest.mark.parametrize("command", ["runs", "stories", "reextract", "crawl --sample"])
def test_a_database_on_a_read_only_mount_is_not_called_corrupt(tmp_path, command):
    made = tmp_path / "made" / "policy.db"
    Store(made).engine.dispose()
    mnt = tmp_path / "ro"
    mnt.mkdir()
    script = (f"mount -t tmpfs tmpfs {mnt} && cp {made} {mnt}/ && mount -o remount,ro {mnt} && "
              f"{POLICYCRAWL} {command} --db {mnt}/policy.db")
    result = _in_mount_namespace(script)
    assert result.returncode == 3, result.stderr
    sentence = _one_sentence(result.stderr)
    assert "read-only filesystem" in sentence and "policy.db" in sentence


# --- a full disk ------------------------------------------------------------------------------------------
@needs_mount
@pytest.mark.slow
def test_a_crawl_that_fills_the_disk_ends_with_one_sentence_and_exit_3(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    db = f"{mnt}/policy.db"
    script = (f"mount -t tmpfs -o size=1m tmpfs {mnt} && cd {tmp_path} && "
              f"{POLICYCRAWL} crawl --sample --db {db} > crawl.out 2> crawl.err; echo $? > crawl.rc; "
              f"mount -o remount,size=64m {mnt} && {POLICYCRAWL} runs --db {db} > runs.out 2>&1; "
              f"{POLICYCRAWL} crawl --sample --db {db} > again.out 2>&1; echo $? > again.rc; "
              f"{POLICYCRAWL} runs --db {db} >> runs.out 2>&1")
    _in_mount_namespace(script)
    read = lambda name: (tmp_path / name).read_text(encoding="utf-8")  # noqa: E731
    assert read("crawl.rc").strip() == "3", read("crawl.err")
    errors = [line for line in read("crawl.err").splitlines() if "ERROR" in line or line.startswith("policycrawl:")]
    assert "Traceback" not in read("crawl.err") and "sqlalche.me" not in read("crawl.err")
    last = errors[-1]
    assert last.startswith("policycrawl: ") and "is full; free some space" in last, errors
    assert len([e for e in errors if "disk is full" in e]) <= 2, errors  # the first failure, then the sentence
    runs = read("runs.out").splitlines()
    assert runs[1].split()[0] == "1" and " running " not in runs[1], runs  # shown interrupted, not running
    assert read("again.rc").strip() in ("0", "1"), read("again.out")  # with room again the next crawl runs
    assert "run 1 (pid" not in read("again.out") or "marked interrupted" in read("again.out")


# --- Ctrl-C early -----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_ctrl_c_early_in_a_crawl_is_an_interrupted_run_not_broken_sites(tmp_path):
    db, log = tmp_path / "policy.db", tmp_path / "crawl.log"
    proc = subprocess.Popen([POLICYCRAWL, "crawl", "--sample", "--db", str(db), "--log-file", str(log)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "Spider opened" not in (log.read_text("utf-8") if log.exists() else ""):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 5, err
    assert "BROKEN" not in out and "Traceback" not in err, out + err
    assert "interrupted" in err and "interrupted ()" not in err
    assert sqlite3.connect(db).execute("SELECT status, exit_code FROM crawl_runs").fetchall() == [("interrupted", 5)]


def test_the_summary_of_an_interrupted_run_does_not_call_its_sites_broken():
    counts = {"sample_gov_portal": {"requests": 3, "broken": ["no articles from http://127.0.0.1/list/"]}}
    interrupted = format_summary(CrawlResult(7, 5, 1.2, counts, status="interrupted"))
    assert not [line for line in interrupted if "BROKEN" in line]
    assert interrupted[-1] == "run 7: INTERRUPTED in 1.2 s (exit code 5)"
    finished = format_summary(CrawlResult(8, 1, 1.2, counts, status="failed"))
    assert [line.strip() for line in finished if "BROKEN" in line] == ["BROKEN: no articles from http://127.0.0.1/list/"]


# --- the progress line --------------------------------------------------------------------------------------
class _Stats:
    def __init__(self, requests: int, new: int) -> None:
        self.values = {"downloader/request_count": requests, "policy/articles/new": new}

    def get_value(self, key: str, default=None):
        return self.values.get(key, default)


class _Crawler:
    def __init__(self, site: str, requests: int, new: int) -> None:
        self.stats = _Stats(requests, new)
        self.spider = type("Spider", (), {"site_name": site})()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_keeps_finished_sites_and_never_counts_backwards():
    screen = _Terminal()
    line = ProgressLine(screen)
    running = [_Crawler("sample_feed", 12, 5), _Crawler("sample_gov_portal", 69, 11)]
    line.start(lambda: running)
    try:
        line.refresh()
        running[:] = [_Crawler("sample_gov_portal", 69, 11)]  # Scrapy forgets a crawler once it finishes
        line.refresh()
    finally:
        line.stop()
    totals = [int(frame.split(" req")[0]) for frame in screen.getvalue().split("\r\x1b[K") if " req" in frame]
    assert totals == [81, 81]


def test_a_shell_quoted_path_is_what_the_messages_show(tmp_path):
    folder = tmp_path / "数据 目录"
    folder.mkdir()
    result = _run("runs", "--db", str(folder))
    assert result.returncode == 3 and str(folder) in _one_sentence(result.stderr)
    assert shlex.quote(str(folder))  # the sentence names the folder as given
