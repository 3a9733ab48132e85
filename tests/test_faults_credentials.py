"""Passwords never reach stderr or the log (issue 21, item 10): cron mail and journald keep both. And
`policycrawl stories` works on the shared PostgreSQL database, not only on SQLite files.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from live_servers import scratch_postgres
from sqlalchemy import text
from story_texts import ORIGINAL, TRAILER

from crawler.logging_setup import mask_credentials, setup_logging
from crawler.store import Store

POLICYCRAWL = str(Path(sys.executable).with_name("policycrawl"))
SECRET = "S3cr3t-PW"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([POLICYCRAWL, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("written", "shown"), [
    (f"postgresql://crawler:{SECRET}@10.0.0.5:5432/policy", "postgresql://crawler:***@10.0.0.5:5432/policy"),
    (f"redis://:{SECRET}@10.0.0.5:6379/0", "redis://:***@10.0.0.5:6379/0"),
    (f"连接 redis://default:{SECRET}@h/1 失败", "连接 redis://default:***@h/1 失败"),
    ("postgresql://crawler@10.0.0.5/policy", "postgresql://crawler@10.0.0.5/policy"),  # no password: unchanged
    ("https://www.gov.cn/zhengce/content/2024-03/12/content_1.htm", "https://www.gov.cn/zhengce/content/2024-03/12/content_1.htm"),
])
def test_a_url_password_is_masked(written, shown):
    assert mask_credentials(written) == shown


@pytest.mark.parametrize("command", [
    ["stories", "--db", f"postgresql://postgres:{SECRET}@127.0.0.1:5432/policycrawl_no_such_database"],
    ["runs", "--db", f"postgresql://postgres:{SECRET}@127.0.0.1:1/policy"],
    ["crawl", "--frontier", f"redis://:{SECRET}@127.0.0.1:1/0", "--db", f"postgresql://u:{SECRET}@127.0.0.1:1/p"],
    ["seed", "--frontier", f"redis://:{SECRET}@127.0.0.1:1/0", "--sites", "govcn_policy_library"],
], ids=["stories, no database", "runs, no server", "crawl, no redis", "seed, no redis"])
def test_no_command_prints_the_password(command):
    result = _run(*command)
    assert result.returncode == 3, result.stderr
    assert SECRET not in result.stdout + result.stderr and ":***@" in result.stderr
    assert "sqlalche.me" not in result.stderr and "Traceback" not in result.stderr


def test_the_log_file_masks_passwords_in_messages_and_tracebacks(tmp_path):
    log = tmp_path / "crawl.log"
    setup_logging(log, "CRITICAL")
    try:
        logger = logging.getLogger("tests.credentials")
        logger.warning("frontier redis://:%s@10.0.0.5:6379/0 unreachable", SECRET)
        try:
            raise ConnectionError(f"cannot connect to postgresql://crawler:{SECRET}@10.0.0.5/policy")
        except ConnectionError:
            logger.exception("store failed")
    finally:
        setup_logging(None, "WARNING")
    written = log.read_text(encoding="utf-8")
    assert SECRET not in written
    assert "redis://:***@10.0.0.5:6379/0 unreachable" in written
    assert "ConnectionError: cannot connect to postgresql://crawler:***@10.0.0.5/policy" in written


def _three_articles(url: str) -> None:
    store = Store(url)
    bodies = ["\n".join(ORIGINAL), "\n".join(ORIGINAL + TRAILER), "各市州科技局：现就组织申报2024年度省级科技成果转化示范基地有关事项通知如下。" * 4]
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO sites (id, name, kind) VALUES (1, 'fault_pg', 'news')"))
        for i, body in enumerate(bodies, start=1):
            conn.execute(text("INSERT INTO pages (id, url) VALUES (:i, :u)"), {"i": i, "u": f"http://pg.example.cn/{i}"})
            conn.execute(text("INSERT INTO articles (id, url, page_id, site_id, title, text, content_hash) "
                              "VALUES (:i, :u, :i, 1, :t, :b, :h)"),
                         {"i": i, "u": f"http://pg.example.cn/{i}", "t": f"第{i}篇", "b": body, "h": f"h{i}"})


def test_stories_groups_and_lists_the_copies_on_postgresql():
    with scratch_postgres() as url:
        _three_articles(url)
        with_password = url.replace("postgresql://postgres@", f"postgresql://postgres:{SECRET}@")
        rebuilt = _run("stories", "--rebuild", "--db", with_password)
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert SECRET not in rebuilt.stdout + rebuilt.stderr
        lines = rebuilt.stdout.splitlines()
        assert lines[0] == "rebuilt: 3 articles in 2 stories, 1 of them with copies"
        assert lines[1] == "3 articles in 2 stories, 1 of them with copies"
        assert lines[-1].startswith("story ") and "2 copies on 1 sites (fault_pg): 第1篇" in lines[-1]
        again = _run("stories", "--db", url)  # without --rebuild: what the tables hold
        assert again.returncode == 0 and again.stdout.splitlines()[0] == lines[1]
