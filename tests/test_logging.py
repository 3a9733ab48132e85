"""Logs ops can grep: one line per event, ISO timestamps, rotated by size; a progress line only on a terminal."""

from __future__ import annotations

import io
import logging
import re
import sqlite3

import pytest
from ops_support import crawl, sample_registry

from crawler.logging_setup import OneLineFormatter, TerminalHandler, setup_logging
from crawler.progress import CLEAR, ProgressLine, render
from crawler.sample_sites import SampleSites

LINE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: \S")


@pytest.fixture
def clean_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_log_file_rotates_by_size_and_every_event_is_one_greppable_line(tmp_path, clean_root_logger):
    log = tmp_path / "logs" / "crawl.log"
    stderr = io.StringIO()
    setup_logging(log, "WARNING", max_bytes=4000, backup_count=2, stream=stderr)
    logger = logging.getLogger("spiders.gov_portal")
    for n in range(120):
        logger.info("sample_gov_portal: new article http://gov-portal.sample.invalid/t%d.html", n)
    logger.warning("湖南省人民政府门户网站 answered 500\nsecond line of the same event")
    try:
        raise ValueError("a broken page")
    except ValueError:
        logger.exception("extractor failed on %s", "t1.html")
    files = sorted(tmp_path.joinpath("logs").iterdir())
    assert [f.name for f in files] == ["crawl.log", "crawl.log.1", "crawl.log.2"]  # older ones are dropped
    assert all(f.stat().st_size <= 4000 for f in files)
    lines = [line for f in reversed(files) for line in f.read_text(encoding="utf-8").splitlines()]  # oldest first
    assert lines and all(LINE.match(line) for line in lines), [x for x in lines if not LINE.match(x)][:3]
    assert not any("\x1b" in line for line in lines)  # no colours
    assert lines[-2].endswith("answered 500 | second line of the same event")
    assert "Traceback" in lines[-1] and "ValueError: a broken page" in lines[-1]
    # The terminal (journald reads stderr) only gets warnings, in the same form.
    terminal = stderr.getvalue().splitlines()
    assert len(terminal) == 2 and all(LINE.match(x) for x in terminal)


def test_setup_again_replaces_its_handlers_instead_of_doubling_them(tmp_path, clean_root_logger):
    log = tmp_path / "crawl.log"
    setup_logging(log, "WARNING", stream=io.StringIO())
    setup_logging(log, "WARNING", stream=io.StringIO())  # after Scrapy's configure_logging, crawl.py does this
    logging.getLogger("crawler.crawl").info("run 7 started")
    assert log.read_text(encoding="utf-8").count("run 7 started") == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_is_redrawn_in_place_on_a_terminal_and_absent_elsewhere():
    assert not ProgressLine(io.StringIO()).enabled  # cron, systemd, a pipe: no progress line at all
    screen = _Terminal()
    line = ProgressLine(screen)
    assert line.enabled
    line._rows = lambda: [("sample_news_hans", 13, 9, 1), ("sample_gov_portal", 22, 11, 0)]
    line.refresh()
    line.refresh()
    text = screen.getvalue()
    assert text.count(CLEAR) == 2 and "\n" not in text
    assert text.endswith("35 req 20 new 1 err | sample_gov_portal 22/11/0 · sample_news_hans 13/9/1")
    handler = TerminalHandler(screen, line)
    handler.setFormatter(OneLineFormatter())
    handler.emit(logging.LogRecord("news", logging.WARNING, __file__, 1, "list page failed", None, None))
    assert screen.getvalue().endswith(CLEAR + screen.getvalue().rsplit(CLEAR, 1)[1])
    assert screen.getvalue().rstrip("\n").endswith("list page failed")  # the line was cleared, then the message
    assert render([("a_very_long_site_name", 1, 1, 1)] * 9, 60).endswith("…")
    assert len(render([("a_very_long_site_name", 1, 1, 1)] * 9, 60)) < 60


@pytest.fixture(scope="module")
def served():
    with SampleSites() as sites:
        yield sites


@pytest.mark.slow
def test_crawl_log_file_rotates_and_greps(served, tmp_path):
    registry, db = sample_registry(tmp_path, served, ("sample_gov_portal", "sample_news_hans")), tmp_path / "p.db"
    log = tmp_path / "logs" / "crawl.log"
    out = crawl(db, registry, "--log-file", str(log), "-s", "LOG_MAX_BYTES=5000", "-s", "LOG_BACKUP_COUNT=5")
    assert out.returncode == 0, out.stderr[-2000:]
    files = sorted(log.parent.iterdir())
    assert log in files and log.with_name("crawl.log.1") in files
    assert all(f.stat().st_size <= 5000 for f in files)
    lines = [line for f in files for line in f.read_text(encoding="utf-8").splitlines()]
    assert all(LINE.match(line) for line in lines), [x for x in lines if not LINE.match(x)][:3]
    con = sqlite3.connect(db)
    stored = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert sum(1 for line in lines if ": new article http://" in line) == stored  # grep 'new article' counts them
    assert any(" WARNING " in line and "http_404" in line for line in lines)
    assert "\r" not in out.stderr and "\x1b" not in out.stderr  # not a terminal: no progress line
    assert "install_root_handler" not in out.stderr + "".join(lines)  # Scrapy's deprecation is gone
