"""The same storage code on PostgreSQL (the shared database of distributed crawls) as on SQLite.

Against the machine's PostgreSQL (a fresh database per test, dropped after); skipped with the address and the
start command when it is not running.
"""

from __future__ import annotations

import threading

import pytest
from live_servers import scratch_postgres
from sqlalchemy import inspect, text
from test_store import _page

from crawler import dialect
from crawler.db import DatabaseError, open_database
from crawler.items import FetchError
from crawler.models import SCHEMA_VERSION, Base
from crawler.store import Store
from extract.records import Policy


@pytest.fixture
def postgres_url():
    with scratch_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request, tmp_path) -> str:
    """A new database of each dialect: the same tests must pass on both."""
    if request.param == "sqlite":
        return str(tmp_path / "policy.db")
    return request.getfixturevalue("postgres_url")


def _scalar(store: Store, sql: str, **params):
    with store.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_new_postgres_database_gets_every_table_its_version_and_the_regions(postgres_url):
    engine = open_database(postgres_url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert not {"articles_fts", "articles_search", "policies_fts"} & tables  # search lives on the SQLite side
    views = set(inspect(engine).get_view_names())
    assert {"v_targets", "v_policies", "v_articles"} <= views
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT version FROM {dialect.VERSION_TABLE}")).scalar_one() == SCHEMA_VERSION
        assert conn.execute(text("SELECT name FROM regions WHERE code = '430000'")).scalar_one() == "湖南省"
    open_database(postgres_url)  # opening again (every worker does) changes nothing
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT COUNT(*) FROM {dialect.VERSION_TABLE}")).scalar_one() == 1


def test_upsert_versions_and_facts_behave_the_same_on_both_dialects(any_db):
    store = Store(any_db)
    run1 = store.start_run({"db": dialect.display(any_db)})
    url = "http://example.cn/news/20210427/1.html"
    assert store.save_article(_page(url, "湖南省印发行动计划。"), run1) == "new"
    run2 = store.start_run({})
    assert store.save_article(_page(url, "湖南省印发行动计划。"), run2) == "unchanged"
    assert store.save_article(_page(url, "湖南省印发行动计划，第二版。"), run2) == "updated"
    assert _scalar(store, "SELECT COUNT(*) FROM articles") == 1
    assert _scalar(store, "SELECT COUNT(*) FROM article_versions") == 2
    assert _scalar(store, "SELECT COUNT(*) FROM targets") == 1  # replaced with the text, not doubled
    assert _scalar(store, "SELECT MIN(first_seen_run) FROM articles") == run1
    policy = _scalar(store, "SELECT field_sources FROM policies")
    sources = policy if isinstance(policy, dict) else __import__("json").loads(policy)
    assert sources["issuer"] >= 1  # JSON comes back as the same structure on both


def test_compressed_bodies_and_long_strings_round_trip(any_db):
    store = Store(any_db)
    run = store.start_run({})
    page = _page("http://example.cn/long.html", "正文" * 200)
    page.record.source = "来源：" + "某某市人民政府办公室" * 30  # 300 characters; the column says 200
    store.save_article(page, run)
    store.save_error(FetchError(site="sample_news_hans", url="http://example.cn/x.html",
                                kind="dropped_" + "an_unexpectedly_long_reason_" * 3, attempts=1, last_status=200,
                                message="m"), run)
    stored = list(store.iter_stored_pages())
    assert [p.body for p in stored] == [page.body]
    assert _scalar(store, "SELECT source FROM articles") == page.record.source
    assert len(_scalar(store, "SELECT kind FROM errors")) > 40


def test_concurrent_workers_storing_the_same_new_policy_end_with_one_row(postgres_url, caplog):
    """Eight workers store eight articles naming one new policy at the same moment: every article is stored
    (the losers of the insert race run their transaction again) and the policy is one row with eight sources."""
    caplog.set_level("INFO", logger="crawler.dialect")
    stores = [Store(postgres_url) for _ in range(8)]
    run = stores[0].start_run({})
    start = threading.Barrier(len(stores))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def save(i: int, store: Store) -> None:
        page = _page(f"http://example.cn/{i}.html", f"第{i}篇报道：湖南省印发区块链三年行动计划。")
        page.facts.policies = [Policy(title="湖南省数字政府建设三年行动计划(2024-2026年)", issuer=f"机关{i}",
                                      spans=[(0, 5)])]
        page.facts.targets = []
        start.wait()
        try:
            outcomes.append(store.save_article(page, run))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i, s)) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert outcomes == ["new"] * 8
    store = stores[0]
    assert _scalar(store, "SELECT COUNT(*) FROM policies") == 1
    assert _scalar(store, "SELECT COUNT(*) FROM policy_mentions") == 8
    assert _scalar(store, "SELECT COUNT(*) FROM sites") == 1
    assert "lost a race (unique_violation)" in caplog.text  # the race did happen, and was run again


def test_a_lost_race_is_recognised_and_run_again(postgres_url):
    store = Store(postgres_url)
    store.ensure_site("sample_news_hans", "news")
    with store.engine.connect() as conn, pytest.raises(Exception) as raised:
        conn.execute(text("INSERT INTO sites (name, kind) VALUES ('sample_news_hans', 'news')"))
    assert dialect.lost_race(raised.value) == "unique_violation"

    calls, forgotten = [], []

    class Flaky:
        def forget_uncommitted(self):
            forgotten.append(1)

        @dialect.retry_lost_races
        def write(self):
            calls.append(1)
            if len(calls) < 3:
                raise raised.value
            return "stored"

    assert Flaky().write() == "stored"
    assert (len(calls), len(forgotten)) == (3, 2)  # run again twice, forgetting cached ids each time


def test_postgres_schema_is_migrated_like_sqlite(postgres_url):
    engine = open_database(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE sites DROP COLUMN walked_at"))
        conn.execute(text(f"UPDATE {dialect.VERSION_TABLE} SET version = 1"))
    open_database(postgres_url)
    with engine.connect() as conn:
        assert "walked_at" in dialect.column_names(conn, "sites")
        assert conn.execute(text(f"SELECT version FROM {dialect.VERSION_TABLE}")).scalar_one() == SCHEMA_VERSION


def test_newer_schema_is_refused_and_a_dead_server_explained_without_the_password(postgres_url):
    engine = open_database(postgres_url)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {dialect.VERSION_TABLE} SET version = 999"))
    with pytest.raises(DatabaseError, match="newer than this policy-crawler"):
        open_database(postgres_url)
    with pytest.raises(DatabaseError) as refused:
        open_database("postgresql://crawler:s3cret@127.0.0.1:1/policy")
    assert "s3cret" not in str(refused.value)
    assert "check that PostgreSQL is running" in str(refused.value)
