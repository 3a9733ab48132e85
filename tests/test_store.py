"""Storage on a real SQLite file: schema, upsert by URL, versions, facts, runs, errors."""

from __future__ import annotations

import sqlite3
import zlib

import pytest

from crawler.db import DatabaseError, open_database
from crawler.items import FetchedPage, FetchError
from crawler.models import SCHEMA_VERSION
from crawler.store import Store
from crawler.urls import canonical_url
from extract.records import ArticleFacts, PageRecord, Policy, RegionMention, Target


def _page(url: str, text: str, title: str = "湖南省印发区块链三年行动计划") -> FetchedPage:
    record = PageRecord(url=url, title=title, published_at="2021-04-27", source="湖南日报", text=text,
                        text_original=text, language="zh-Hans", encoding="utf-8")
    policy = Policy(title="湖南省区块链产业发展三年行动计划(2021-2023年)", issuer="湖南省工业和信息化厅",
                    region="湖南省", issued_on="2021-04-27", period_start=2021, period_end=2023,
                    doc_type="行动计划", spans=[(3, 25)])
    target = Target(region="湖南省", year=2023, metric="区块链公共服务平台", value=10, value_max=None, unit="个",
                    qualifier="at_least", text="10个以上区块链公共服务平台", start=30, end=44,
                    policy_title=policy.title)
    facts = ArticleFacts(file=url, title=title, language="zh-Hans", regions_mentioned=["湖南省"], source="湖南日报",
                         author=None, policies=[policy], targets=[target],
                         region_mentions=[RegionMention("湖南省", "430000", 0, 3, "湖南省")],
                         keywords=[("区块链", 0.9), ("公共服务平台", 0.5)])
    return FetchedPage(site="sample_news_hans", url=url, final_url=url, status=200, content_type="text/html",
                       declared_encoding="utf-8", body=f"<html><body><p>{text}</p></body></html>".encode(),
                       fetched_at="2021-04-28T00:00:00+00:00", record=record, facts=facts)


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "policy.db")


def test_new_database_has_schema_version_wal_and_tables(tmp_path):
    Store(tmp_path / "p.db")
    con = sqlite3.connect(tmp_path / "p.db")
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")}
    assert {"crawl_runs", "sites", "pages", "errors", "articles", "article_versions", "attachments", "regions",
            "article_regions", "keywords", "policies", "policy_mentions", "targets", "v_targets"} <= tables
    assert con.execute("SELECT name FROM regions WHERE code = '430000'").fetchone() == ("湖南省",)


def test_rerun_of_the_same_page_creates_no_duplicate_and_reports_unchanged(store):
    run1 = store.start_run({})
    url = canonical_url("http://example.cn/news/20210427/1.html?utm_source=wx#top")
    assert store.save_article(_page(url, "湖南省印发行动计划。"), run1) == "new"
    run2 = store.start_run({})
    assert store.save_article(_page(url, "湖南省印发行动计划。"), run2) == "unchanged"
    con = sqlite3.connect(store.db_path)
    assert con.execute("SELECT COUNT(*), MIN(first_seen_run), MAX(last_seen_run) FROM articles").fetchone() == (1, run1, run2)
    assert con.execute("SELECT COUNT(*) FROM article_versions").fetchone()[0] == 1
    assert url == "http://example.cn/news/20210427/1.html"


def test_changed_text_keeps_history_and_replaces_facts(store):
    run = store.start_run({})
    url = "http://example.cn/a.html"
    store.save_article(_page(url, "第一版正文。"), run)
    assert store.save_article(_page(url, "第二版正文，内容有更新。"), run) == "updated"
    con = sqlite3.connect(store.db_path)
    versions = [r[0] for r in con.execute("SELECT text FROM article_versions ORDER BY id")]
    assert versions == ["第一版正文。", "第二版正文，内容有更新。"]
    assert con.execute("SELECT text FROM articles").fetchone()[0] == "第二版正文，内容有更新。"
    assert con.execute("SELECT COUNT(*) FROM targets").fetchone()[0] == 1  # replaced, not doubled
    assert con.execute("SELECT COUNT(*) FROM policy_mentions").fetchone()[0] == 1


def test_facts_are_linked_to_article_policy_and_region(store):
    run = store.start_run({})
    store.save_article(_page("http://example.cn/b.html", "正文"), run)
    con = sqlite3.connect(store.db_path)
    row = con.execute(
        "SELECT region, region_code, year, metric, value, unit, qualifier, policy_title, article_url FROM v_targets"
    ).fetchone()
    assert row == ("湖南省", "430000", 2023, "区块链公共服务平台", 10.0, "个", "at_least",
                   "湖南省区块链产业发展三年行动计划(2021-2023年)", "http://example.cn/b.html")
    assert con.execute("SELECT region_code, mentions FROM article_regions").fetchall() == [("430000", 1)]
    assert con.execute("SELECT word FROM keywords ORDER BY weight DESC").fetchall() == [("区块链",), ("公共服务平台",)]


def test_one_policy_row_across_articles_with_fields_merged(store):
    run = store.start_run({})
    first = _page("http://example.cn/1.html", "一")
    first.facts.policies[0].issuer = None
    store.save_article(first, run)
    second = _page("http://example.cn/2.html", "二")
    second.facts.policies[0].title = "湖南省区块链产业发展三年行动计划（2021—2023年）"  # same document, other dashes
    second.facts.policies[0].doc_number = "湘工信发〔2021〕12号"
    store.save_article(second, run)
    con = sqlite3.connect(store.db_path)
    rows = con.execute("SELECT issuer, doc_number, COUNT(*) FROM policies").fetchall()
    assert rows == [("湖南省工业和信息化厅", "湘工信发〔2021〕12号", 1)]
    assert con.execute("SELECT COUNT(DISTINCT article_id) FROM policy_mentions").fetchone()[0] == 2


def test_page_body_is_kept_compressed_for_reextraction(store):
    run = store.start_run({})
    page = _page("http://example.cn/c.html", "正文内容")
    store.save_article(page, run)
    con = sqlite3.connect(store.db_path)
    body = con.execute("SELECT body FROM pages").fetchone()[0]
    assert zlib.decompress(body) == page.body
    rebuilt = list(store.iter_stored_pages())
    assert [p.body for p in rebuilt] == [page.body]


def test_errors_and_run_counts_are_recorded(store):
    run = store.start_run({"sample": True})
    store.save_error(FetchError(site="s", url="http://example.cn/404.html", kind="http_404", attempts=1,
                                last_status=404, message="HTTP 404"), run)
    store.merge_run_counts(run, "s", {"new": 1, "errors": {"http_404": 1}})
    store.finish_run(run, "ok", 0)
    con = sqlite3.connect(store.db_path)
    assert con.execute("SELECT url, kind, attempts, last_status FROM errors").fetchall() == [
        ("http://example.cn/404.html", "http_404", 1, 404)
    ]
    history = store.runs()
    assert history[0]["status"] == "ok" and history[0]["counts"]["s"]["errors"] == {"http_404": 1}


def test_newer_schema_is_refused_with_advice(tmp_path):
    path = tmp_path / "future.db"
    sqlite3.connect(path).execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(DatabaseError, match="newer than this policy-crawler"):
        open_database(path)


def test_not_a_database_is_refused_with_advice(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="cannot open"):
        open_database(path)
