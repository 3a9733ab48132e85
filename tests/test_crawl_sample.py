"""The spine end to end: `policycrawl crawl --sample` through the real Scrapy engine into a real SQLite file.

The command serves the sample sites on 127.0.0.1 itself; the test reads the database the way an analyst would.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.sample_sites import SITE_NAMES, SampleSites

pytestmark = pytest.mark.slow

TRADITIONAL_ONLY = set("區塊鏈鍊與為發開當個們這來時對產業經濟臺灣")


def _crawl(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--sample", "--db", str(db), *args],
        capture_output=True, text=True, timeout=300,
    )


@pytest.fixture(scope="module")
def expected() -> dict[str, list]:
    with SampleSites() as sites:
        return {name: sites.expected_articles(name) for name in SITE_NAMES}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess, subprocess.CompletedProcess]:
    db = tmp_path_factory.mktemp("crawl") / "policy.db"
    first = _crawl(db)
    second = _crawl(db)
    return db, first, second


def _path(url: str) -> str:
    return urlsplit(url).path


def test_first_crawl_succeeds_and_prints_a_summary_per_site(crawled):
    _db, first, _second = crawled
    assert first.returncode == 0, first.stderr[-3000:]
    for name in SITE_NAMES:
        assert name in first.stdout
    assert "run 1: ok" in first.stdout


def test_every_expected_article_is_stored_once_per_site(crawled, expected):
    db, _first, _second = crawled
    con = sqlite3.connect(db)
    for site, articles in expected.items():
        stored = {_path(u) for (u,) in con.execute(
            "SELECT a.url FROM articles a JOIN sites s ON s.id = a.site_id WHERE s.name = ?", (site,))}
        wanted = {_path(a.url) for a in articles if a.expected_status in ("ok", "500_once")}
        assert stored == wanted, site
    assert sum(1 for arts in expected.values() for a in arts if a.expected_status in ("ok", "500_once")) >= 40


def test_second_crawl_skips_every_stored_page_and_adds_no_duplicates(crawled):
    db, first, second = crawled
    assert second.returncode == 0, second.stderr[-3000:]
    assert "run 2: ok" in second.stdout
    con = sqlite3.connect(db)
    total, distinct = con.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM articles").fetchone()
    assert total == distinct
    first_counts, second_counts = (json.loads(c) for (c,) in con.execute("SELECT counts FROM crawl_runs ORDER BY id"))
    # Incremental: list pages are read again, stored detail pages are not requested at all.
    assert sum(c["new"] + c["updated"] + c["unchanged"] + c["not_modified"] for c in second_counts.values()) == 0
    assert sum(c["skipped"] for c in second_counts.values()) > 0
    assert all(c["fetched"].get("list", 0) >= 1 for c in second_counts.values())
    detail_retries = sum(c["fetched"].get("detail", 0) for c in second_counts.values())
    assert detail_retries == 3  # only the page that answered 500 (first try + 2 retries); not the 404
    requests = [sum(c["requests"] for c in run.values()) for run in (first_counts, second_counts)]
    assert requests[1] < requests[0] / 3, requests
    assert con.execute("SELECT COUNT(*) FROM article_versions").fetchone()[0] == total


def test_gbk_portal_text_is_decoded_right(crawled, expected):
    db, _first, _second = crawled
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT a.url, a.title, a.text FROM articles a JOIN sites s ON s.id = a.site_id WHERE s.name = 'sample_gov_portal'"
    ).fetchall()
    titles = {_path(a.url): a.title for a in expected["sample_gov_portal"]}
    assert rows
    for url, title, text in rows:
        assert "\ufffd" not in (title or "") + (text or ""), url
        assert title == titles[_path(url)], url
        assert len(text) > 100


def test_404_and_500_are_recorded_as_errors_without_stopping_the_crawl(crawled, expected):
    db, _first, _second = crawled
    con = sqlite3.connect(db)
    errors = {(_path(u), kind) for u, kind in con.execute("SELECT url, kind FROM errors WHERE run_id = 1")}
    for _site, articles in expected.items():
        for a in articles:
            if a.expected_status == "404":
                assert (_path(a.url), "http_404") in errors
            if a.expected_status == "500":
                assert (_path(a.url), "http_500") in errors
    attempts = con.execute("SELECT MAX(attempts) FROM errors WHERE kind = 'http_500'").fetchone()[0]
    assert attempts == 3  # first try + RETRY_TIMES (2)


def test_traditional_site_is_stored_in_simplified_with_the_original_kept(crawled):
    db, _first, _second = crawled
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT a.language, a.text, a.text_original FROM articles a JOIN sites s ON s.id = a.site_id "
        "WHERE s.name = 'sample_news_hant'"
    ).fetchall()
    assert rows
    for language, text, original in rows:
        assert language == "zh-Hant"
        assert not TRADITIONAL_ONLY & set(text)
        assert "区块炼" not in text
        assert TRADITIONAL_ONLY & set(original)
    assert any("鍊" in original for _l, _t, original in rows)


def test_mangled_punctuation_is_repaired(crawled):
    db, _first, _second = crawled
    con = sqlite3.connect(db)
    texts = [t for (t,) in con.execute(
        "SELECT a.text FROM articles a JOIN sites s ON s.id = a.site_id WHERE s.name = 'sample_news_mangled'")]
    assert texts
    for text in texts:
        assert not re.search(r"[\u4e00-\u9fff]\.[\u4e00-\u9fff]", text)


def test_facts_tables_are_filled(crawled):
    db, _first, _second = crawled
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM targets").fetchone()[0] >= 20
    assert con.execute("SELECT COUNT(*) FROM policies").fetchone()[0] >= 10
    assert con.execute("SELECT COUNT(*) FROM article_regions").fetchone()[0] >= 40
    assert con.execute("SELECT COUNT(*) FROM keywords").fetchone()[0] >= 40
    row = con.execute("SELECT region, year, metric, value, unit FROM v_targets WHERE region IS NOT NULL LIMIT 1").fetchone()
    assert row is not None and row[3] > 0


def test_attachments_are_stored_with_text(crawled):
    db, _first, _second = crawled
    con = sqlite3.connect(db)
    rows = con.execute("SELECT type, status, text, article_id FROM attachments").fetchall()
    types = {r[0] for r in rows}
    assert {"pdf", "docx"} <= types
    for type_, status, text, article_id in rows:
        assert article_id is not None
        if status == "ok":
            assert re.search(r"[\u4e00-\u9fff]{4}", text or ""), type_
    # Facts are extracted from attachment texts too, with spans into the attachment's text.
    spans = con.execute(
        "SELECT t.text, t.span_start, t.span_end, a.text FROM targets t JOIN attachments a ON a.id = t.attachment_id"
    ).fetchall()
    assert spans
    for text, start, end, attachment_text in spans:
        assert attachment_text[start:end] == text



def test_runs_command_shows_both_runs(crawled):
    db, _first, _second = crawled
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "runs", "--db", str(db)], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0
    lines = out.stdout.strip().splitlines()
    assert lines[1].split()[0] == "2" and lines[2].split()[0] == "1"
    assert "ok" in lines[1]


def test_live_crawl_of_an_unreachable_site_fails_with_one_line_reason(tmp_path):
    registry = tmp_path / "sites.yaml"
    registry.write_text(
        "sites:\n"
        "  - name: unreachable_portal\n"
        "    kind: gov_portal\n"
        "    title: 不可达的门户\n"
        "    start_urls: ['http://127.0.0.1:9/col/index.html']\n"
        "    detail_url_pattern: '/t\\d+\\.html$'\n"
        "    paging: trs\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--registry", str(registry), "--db", str(tmp_path / "x.db"),
         "-s", "RETRY_BACKOFF_BASE=0.05"],  # still retried as live, without waiting seconds between tries
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 1
    failure_lines = [line for line in out.stderr.splitlines() if line.startswith("policycrawl: site")]
    assert failure_lines == [failure_lines[0]] and "unreachable_portal" in failure_lines[0]
    assert "connection" in failure_lines[0] or "no articles" in failure_lines[0]


def test_bad_usage_and_bad_database_have_documented_exit_codes(tmp_path):
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--sample", "--sites", "nosuch",
                          "--db", str(tmp_path / "x.db")], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "no site named 'nosuch'" in out.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--sample", "--db", str(junk)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 3 and "cannot open" in out.stderr


CANNED = {
    "targets_by_region_and_year": "metric=&region=湖南",
    "policies_by_region_timeline": "region=湖南",
    "articles_mentioning_policy": "policy=行动计划",
    "newest_notices_per_site": "per_site=3",
    "search_articles": "q=区块链",
    "search_policies": "q=数字经济",
    "same_story_on_several_sites": "",
    "targets_with_independent_sources": "region=湖南&metric=",
}


@pytest.mark.parametrize("query", sorted(CANNED))
def test_canned_queries_run_on_the_sample_crawl(crawled, query):
    import asyncio

    from crawler.publish import datasette_app

    db, _first, _second = crawled
    ds = datasette_app(str(db))
    response = asyncio.run(ds.client.get(f"/policy/{query}.json?_shape=array&{CANNED[query]}"))
    assert response.status_code == 200, response.text[:500]
    assert response.json(), query


def test_chinese_search_box_finds_two_character_words_in_the_crawl(crawled):
    import asyncio

    from crawler.publish import datasette_app

    db, _first, _second = crawled
    ds = datasette_app(str(db))
    for word in ("区块链", "政务", "公共服务平台"):
        response = asyncio.run(ds.client.get(f"/policy/articles.json?_search={word}&_shape=array&_col=text"))
        rows = response.json()
        assert any(word in row["text"] for row in rows), word
        # A long word also matches its parts close together (公共…服务…平台): every part must be there.
        parts = [word] if len(word) <= 3 else [word[i:i + 2] for i in range(0, len(word), 2)]
        assert all(all(p in row["text"] for p in parts) for row in rows), word


def test_reextract_rebuilds_the_same_facts_without_network(crawled, tmp_path):
    import shutil

    db, _first, _second = crawled
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    con = sqlite3.connect(copy)
    before = con.execute("SELECT COUNT(*), SUM(value) FROM targets WHERE attachment_id IS NULL").fetchone()
    con.execute("DELETE FROM targets WHERE attachment_id IS NULL")
    con.commit()
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "reextract", "--db", str(copy)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    stored = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert out.stdout.startswith(f"re-extracted {stored} articles (0 skipped)")
    assert con.execute("SELECT COUNT(*), SUM(value) FROM targets WHERE attachment_id IS NULL").fetchone() == before
