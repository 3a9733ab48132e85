"""Nightly crawls fetch only what is new or changed: counted in the sample servers' own request log.

The sites are served by this test process (so it can read every request and switch them to version 2);
each crawl is a real `policycrawl crawl` subprocess over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from ops_support import crawl, detail_paths, integrity, sample_registry

from crawler.incremental import IncrementalPlan, KnownPage
from crawler.sample_sites import SampleSites

NEW_ARTICLE = "/news/20240520/3371.html"  # version 2 puts it on page 1 of sample_news_hans
CHANGED_NOTICE = "/col/col_tzgg/202204/t20220402_1493025.html"  # version 2 rewrites it (new ETag, Last-Modified)
NOW = dt.datetime(2024, 6, 1, 2, 15, tzinfo=dt.timezone.utc)


# --- the decisions, one by one --------------------------------------------------------------------
def _plan(**kwargs) -> IncrementalPlan:
    known = {
        "http://a.cn/1.html": KnownPage("http://a.cn/1.html", list_date="2024-05-01", etag='"v1"',
                                        last_modified="Wed, 01 May 2024 02:00:00 GMT",
                                        checked_at="2024-05-30T00:00:00+00:00"),
        "http://a.cn/old.html": KnownPage("http://a.cn/old.html", list_date="2024-01-01",
                                          checked_at="2024-04-01T00:00:00+00:00"),
        "http://a.cn/gone.html": KnownPage("http://a.cn/gone.html", checked_at="2024-05-31T00:00:00+00:00",
                                           failure="http_404"),
        "http://a.cn/flaky.html": KnownPage("http://a.cn/flaky.html", checked_at="2024-05-31T00:00:00+00:00",
                                            failure="http_500"),
    }
    return IncrementalPlan(known=known, now=NOW, **kwargs)


@pytest.mark.parametrize(
    ("url", "list_date", "kwargs", "fetch", "reason", "conditional"),
    [
        ("http://a.cn/new.html", "2024-05-31", {}, True, "new", False),
        ("http://a.cn/1.html", "2024-05-01", {}, False, "known", False),
        ("http://a.cn/1.html", None, {}, False, "known", False),
        ("http://a.cn/1.html", "2024-05-28", {}, True, "newer_date", True),  # the list says it changed
        ("http://a.cn/old.html", "2024-01-01", {}, True, "revisit", False),  # checked 61 days ago (> 30)
        ("http://a.cn/old.html", "2024-01-01", {"revisit_after_days": None}, False, "known", False),
        ("http://a.cn/1.html", "2024-05-01", {"revisit": True}, True, "revisit", True),
        ("http://a.cn/1.html", "2024-05-01", {"full": True}, True, "full", False),
        ("http://a.cn/gone.html", None, {}, False, "failed_before", False),  # a 404 does not heal overnight
        ("http://a.cn/flaky.html", None, {}, True, "retry", False),  # a 500 may
        ("http://a.cn/new.html", "2023-12-31", {"since": dt.date(2024, 1, 1)}, False, "before_since", False),
        ("http://a.cn/new.html", "2024-01-01", {"since": dt.date(2024, 1, 1)}, True, "new", False),
    ],
)
def test_what_a_nightly_run_fetches(url, list_date, kwargs, fetch, reason, conditional):
    decision = _plan(**kwargs).decide(url, list_date)
    assert (decision.fetch, decision.reason) == (fetch, reason)
    assert bool(decision.headers) == conditional
    if conditional:
        assert decision.headers == {"If-None-Match": '"v1"', "If-Modified-Since": "Wed, 01 May 2024 02:00:00 GMT"}


def test_plan_keeps_the_newest_date_as_cursor_and_stops_only_on_a_walked_site():
    plan = _plan(cursor="2024-05-01")
    for url, day in (("http://a.cn/x.html", "2024-05-20 09:15"), ("http://a.cn/y.html", "2023-01-02")):
        plan.decide(url, day)
    assert plan.cursor == "2024-05-20"
    assert not plan.may_stop_early  # never walked to the end: a killed first crawl must be completed
    assert _plan(walked_before=True).may_stop_early
    assert not _plan(walked_before=True, full=True).may_stop_early
    assert _plan(since=dt.date(2024, 1, 1)).all_before_since(["2023-05-01", None, "2022-01-01"])
    assert not _plan(since=dt.date(2024, 1, 1)).all_before_since(["2023-05-01", "2024-02-01"])


# --- whole crawls ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served():
    with SampleSites() as sites:
        yield sites


@pytest.fixture(scope="module")
def nightly(served, tmp_path_factory):
    """Run 1 (first crawl), run 2 (nothing changed), then version 2: run 3 (plain night), run 4 (--revisit)."""
    tmp = tmp_path_factory.mktemp("incremental")
    registry, db = sample_registry(tmp, served), tmp / "policy.db"
    logs, outs = [], []
    for version, args in ((1, ()), (1, ()), (2, ()), (2, ("--revisit",))):
        served.set_version(version)
        served.clear_requests()
        outs.append(crawl(db, registry, *args))
        logs.append(served.requests)
    return db, outs, logs


def _details(log, served) -> Counter:
    paths = detail_paths(served)
    return Counter(urlsplit(r.path).path for r in log if urlsplit(r.path).path in paths)


def _counts(db: Path, run_id: int) -> dict:
    con = sqlite3.connect(db)
    return json.loads(con.execute("SELECT counts FROM crawl_runs WHERE id = ?", (run_id,)).fetchone()[0])


@pytest.mark.slow
def test_second_crawl_of_unchanged_sites_requests_no_stored_page(nightly, served):
    db, outs, logs = nightly
    assert [o.returncode for o in outs[:2]] == [0, 0], outs[1].stderr[-3000:]
    con = sqlite3.connect(db)
    stored = {urlsplit(u).path for (u,) in con.execute("SELECT url FROM articles WHERE first_seen_run = 1")}
    first, second = _details(logs[0], served), _details(logs[1], served)
    assert stored <= set(first)
    assert not stored & set(second), sorted(stored & set(second))
    # The only detail page asked again is the one that answered 500 (it may heal); the 404 is left alone.
    failed = {urlsplit(u).path for (u,) in con.execute("SELECT url FROM errors WHERE run_id = 1 AND kind = 'http_500'")}
    assert set(second) == failed
    assert len(logs[1]) < len(logs[0]) / 3, (len(logs[0]), len(logs[1]))
    counts = _counts(db, 2)
    assert sum(c["new"] + c["updated"] + c["unchanged"] for c in counts.values()) == 0
    assert sum(c["skipped"] for c in counts.values()) >= len(stored) // 2  # page 1 of each site
    assert sum(c["requests"] for c in counts.values()) == len(logs[1])
    assert "skipped" in outs[1].stdout.splitlines()[0]


@pytest.mark.slow
def test_version_2_new_page_is_fetched_and_changed_notice_becomes_a_new_version(nightly, served):
    db, outs, logs = nightly
    assert [o.returncode for o in outs] == [0, 0, 0, 0], outs[3].stderr[-3000:]
    con = sqlite3.connect(db)
    # A plain night: the new article on page 1 is fetched and stored; nothing already stored is asked again.
    third = _details(logs[2], served)
    assert third[NEW_ARTICLE] == 1
    new_row = con.execute("SELECT first_seen_run, title FROM articles WHERE url LIKE ?", (f"%{NEW_ARTICLE}",)).fetchone()
    assert new_row is not None and new_row[0] == 3 and new_row[1]
    assert _counts(db, 3)["sample_news_hans"]["new"] == 1
    # The revisit night: a conditional request for every stored page. Most answer 304; the changed notice
    # answers 200 and becomes a second version. (sample_news_hans pages also answer 200: their "latest news"
    # box now lists the new article, so their bytes and ETag changed — but not their text: no new version.)
    revisits = [r for r in logs[3] if urlsplit(r.path).path in detail_paths(served)]
    conditional = [r for r in revisits if r.if_none_match or r.if_modified_since]
    stored_before = con.execute("SELECT COUNT(*) FROM articles WHERE first_seen_run <= 3").fetchone()[0]
    assert len({r.path for r in conditional}) == stored_before
    assert all(r.status in (304, 200) for r in conditional)
    changed = [r for r in conditional if urlsplit(r.path).path == CHANGED_NOTICE]
    assert [r.status for r in changed] == [200]
    not_modified = sum(1 for r in conditional if r.status == 304)
    assert not_modified >= stored_before // 2
    versions = con.execute(
        "SELECT v.run_id, v.text FROM article_versions v JOIN articles a ON a.id = v.article_id "
        "WHERE a.url LIKE ? ORDER BY v.id", (f"%{CHANGED_NOTICE}",)).fetchall()
    assert [v[0] for v in versions] == [1, 4] and versions[0][1] != versions[1][1]
    twice = con.execute("SELECT a.url FROM article_versions v JOIN articles a ON a.id = v.article_id "
                        "GROUP BY v.article_id HAVING COUNT(*) > 1").fetchall()
    assert [urlsplit(u).path for (u,) in twice] == [CHANGED_NOTICE]
    counts = _counts(db, 4)
    assert counts["sample_gov_portal"]["updated"] == 1
    assert sum(c["updated"] for c in counts.values()) == 1
    assert sum(c["not_modified"] for c in counts.values()) == not_modified
    assert sum(c["unchanged"] for c in counts.values()) == len(conditional) - not_modified - 1
    assert con.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM articles").fetchone()[0] == \
        con.execute("SELECT COUNT(DISTINCT url) FROM articles").fetchone()[0]
    assert integrity(db) == "ok"


@pytest.mark.slow
def test_cursor_and_walk_state_are_kept_per_site(nightly):
    db, _outs, _logs = nightly
    con = sqlite3.connect(db)
    rows = dict(con.execute("SELECT name, cursor FROM sites"))
    assert rows["sample_news_hans"] == "2024-05-20"  # the version 2 article
    assert rows["sample_gov_portal"] == "2024-03-08"
    assert all(w for (w,) in con.execute("SELECT walked_at FROM sites"))


def test_a_database_of_schema_1_gets_the_incremental_columns_and_keeps_its_rows(tmp_path):
    from crawler.models import SCHEMA_VERSION
    from crawler.store import Store

    db = tmp_path / "old.db"
    store = Store(db)
    run = store.start_run({})
    store.ensure_site("sample_news_hans", "news")
    del store
    con = sqlite3.connect(db)  # back to what schema 1 had: no walk state, no confirmation time
    con.execute("ALTER TABLE sites DROP COLUMN walked_at")
    con.execute("ALTER TABLE pages DROP COLUMN checked_at")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    store = Store(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert {"walked_at"} <= {r[1] for r in con.execute("PRAGMA table_info(sites)")}
    assert {"checked_at"} <= {r[1] for r in con.execute("PRAGMA table_info(pages)")}
    assert store.run(run)["status"] == "running"
    assert store.site_walk_state("sample_news_hans") == (None, None)  # never walked: the next run pages through
