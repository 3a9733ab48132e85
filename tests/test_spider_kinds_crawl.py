"""Each spider kind crawls its bundled sample site end to end over real HTTP on 127.0.0.1 (the command serves
them itself): every linked article is stored once, with a title, a date and a body, and the run is ok."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.sample_sites import SampleSites

pytestmark = pytest.mark.slow

ONE_SITE_PER_KIND = {
    "policy_api": "sample_policy_library",
    "gov_portal": "sample_gov_portal",
    "news": "sample_news_hans",
    "feed": "sample_feed",
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    db = tmp_path_factory.mktemp("kinds") / "policy.db"
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--sample", "--sites", ",".join(ONE_SITE_PER_KIND.values()),
         "--db", str(db)], capture_output=True, text=True, timeout=300)
    return db, done


def test_the_run_is_ok(crawled):
    _db, done = crawled
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "BROKEN" not in done.stdout


@pytest.mark.parametrize("kind", sorted(ONE_SITE_PER_KIND))
def test_kind_stores_every_readable_article_of_its_site(crawled, kind: str):
    db, _done = crawled
    site = ONE_SITE_PER_KIND[kind]
    with SampleSites() as sites:
        wanted = {urlsplit(a.url).path: a for a in sites.expected_articles(site) if a.expected_status in ("ok", "500_once")}
    rows = sqlite3.connect(db).execute(
        "SELECT a.url, a.title, a.published_at, a.text FROM articles a JOIN sites s ON s.id = a.site_id "
        "WHERE s.name = ?", (site,)).fetchall()
    assert {urlsplit(url).path for url, *_ in rows} == set(wanted)
    for url, title, published_at, text in rows:
        expected = wanted[urlsplit(url).path]
        assert title == expected.title, url
        assert (published_at or "")[:10] == expected.published_on, url
        assert len(text) > 100, url


def test_feed_kind_found_the_stories_only_its_sitemaps_list(crawled):
    db, _done = crawled
    paths = {urlsplit(u).path for (u,) in sqlite3.connect(db).execute(
        "SELECT a.url FROM articles a JOIN sites s ON s.id = a.site_id WHERE s.name = 'sample_feed'")}
    assert {"/kb/2023/1116/4988.html", "/kb/2023/0824/4961.html"} <= paths  # not in the RSS feed
    assert "/about.html" not in paths
