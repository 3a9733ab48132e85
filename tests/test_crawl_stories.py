"""The sample crawl fills stories, consolidated targets and their views (the approach of test_crawl_sample.py).

The sample news sites carry syndicated copies by construction (`syndicated_from` in
crawler/sample_sites/content/*.yaml): the grouping found by the crawl must be exactly those families.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.sample_sites.texts import load_site_content

pytestmark = pytest.mark.slow

NEWS_SITES = ("sample_news_hans", "sample_news_hant", "sample_news_mangled")


def _crawl(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--sample", "--db", str(db)],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> tuple[Path, list[tuple[int, int]]]:
    db = tmp_path_factory.mktemp("stories") / "policy.db"
    first = _crawl(db)
    assert first.returncode == 0, first.stderr[-3000:]
    con = sqlite3.connect(db)
    after_first = con.execute("SELECT id, story_id FROM articles ORDER BY id").fetchall()
    con.close()
    second = _crawl(db)
    assert second.returncode == 0, second.stderr[-3000:]
    return db, after_first


def _key(site: str, url: str) -> tuple[str, int]:
    return site, int(re.search(r"(\d+)\.html?$", url).group(1))


def _families() -> set[frozenset[tuple[str, int]]]:
    """The syndicated families the sample content declares: an original and its copies."""
    families: dict[int, set[tuple[str, int]]] = {}
    for site in NEWS_SITES[1:]:
        for article in load_site_content(site)["articles"]:
            if "syndicated_from" in article:
                origin = article["syndicated_from"]
                families.setdefault(origin, {("sample_news_hans", origin)}).add((site, article["id"]))
    return {frozenset(f) for f in families.values()}


def test_stories_shared_by_several_sites_are_exactly_the_syndicated_families(crawled):
    db, _ = crawled
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT a.story_id, s.name, a.url FROM articles a JOIN sites s ON s.id = a.site_id").fetchall()
    assert all(story is not None for story, _, _ in rows)
    groups: dict[int, set[tuple[str, int]]] = {}
    for story, site, url in rows:
        groups.setdefault(story, set()).add(_key(site, url))
    shared = {frozenset(g) for g in groups.values() if len(g) > 1}
    assert shared == _families()
    hans = {key: story for story, site, url in rows for key in [_key(site, url)]}
    assert hans[("sample_news_hans", 3101)] != hans[("sample_news_hans", 3127)]  # two plans of one province


def test_canonical_article_is_the_earliest_publication_and_sizes_add_up(crawled):
    db, _ = crawled
    con = sqlite3.connect(db)
    for story, size, canonical in con.execute("SELECT id, size, canonical_article_id FROM stories"):
        members = con.execute(
            "SELECT id FROM articles WHERE story_id = ? ORDER BY published_at, id", (story,)).fetchall()
        assert len(members) == size
        assert members[0][0] == canonical
    assert con.execute("SELECT SUM(size) FROM stories").fetchone()[0] == \
        con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]


def test_an_unchanged_second_crawl_keeps_every_story(crawled):
    db, after_first = crawled
    con = sqlite3.connect(db)
    assert con.execute("SELECT id, story_id FROM articles ORDER BY id").fetchall() == after_first


def test_the_action_plan_is_one_policy_reported_by_four_sites_and_the_master_plan_another(crawled):
    db, _ = crawled
    con = sqlite3.connect(db)
    plans = con.execute(
        "SELECT policy_id, title, COUNT(DISTINCT site) FROM v_policy_sources WHERE title LIKE '湖南省数字经济发展%' "
        "GROUP BY policy_id ORDER BY title").fetchall()
    assert [(t, n) for _, t, n in plans] == [
        ("湖南省数字经济发展三年行动计划(2021-2023年)", 4),
        ("湖南省数字经济发展总体规划(2021-2025年)", 2),
    ]


def test_consolidated_targets_count_a_report_and_its_copies_once(crawled):
    db, _ = crawled
    con = sqlite3.connect(db)
    row = con.execute(
        "SELECT articles, sites, independent_sources FROM v_target_consensus "
        "WHERE region = '湖南省' AND year = 2023 AND metric = '5G基站' AND value = 80000").fetchone()
    # the news report, its Traditional and mangled copies, and the government notice of the plan
    assert row == (4, 4, 2)
    assert con.execute("SELECT COUNT(*) FROM targets WHERE consolidated_id IS NULL").fetchone()[0] == 0
    assert con.execute(
        "SELECT COUNT(*) FROM v_target_consensus WHERE independent_sources > articles OR sites > articles"
    ).fetchone()[0] == 0


@pytest.mark.parametrize(("query", "args"), [("same_story_on_several_sites", ""),
                                            ("targets_with_independent_sources", "region=湖南&metric=")])
def test_canned_queries_on_stories_return_rows(crawled, query, args):
    from crawler.publish import datasette_app

    db, _ = crawled
    response = asyncio.run(datasette_app(str(db)).client.get(f"/policy/{query}.json?_shape=array&{args}"))
    assert response.status_code == 200, response.text[:500]
    rows = response.json()
    assert rows
    if query == "same_story_on_several_sites":
        assert len(rows) == len(_families())
        assert rows[0]["sites"] == 3 and rows[0]["title"].startswith("湖南发布数字经济三年行动计划")


def test_stories_command_reports_the_grouping(crawled):
    db, _ = crawled
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "stories", "--db", str(db)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"{len(_families())} of them with copies" in out.stdout
    assert "3 copies on 3 sites" in out.stdout
