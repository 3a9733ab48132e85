"""`policycrawl export`: the SQLite file for datasette, built from the shared PostgreSQL database.

The PostgreSQL side is written by the same store calls as tests/test_datasette.py's sample database; the export
must then pass every one of those datasette checks (search in Chinese, facets, canned queries, stories).
"""

from __future__ import annotations

import inspect
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import test_datasette as datasette_tests
from live_servers import scratch_postgres
from sqlalchemy import text
from test_datasette import sample_pages

from crawler.export import export_sqlite
from crawler.models import Base
from crawler.publish import datasette_app
from crawler.store import Store


def fill_like_the_datasette_sample(db: str) -> Store:
    """The store calls of test_datasette.build_sample_db, on any database."""
    store = Store(db)
    store.ensure_site("hunan_gov", "gov_portal", title="湖南省工业和信息化厅", base_url="http://gxt.hunan.example.cn/",
                      region_code="430000")
    store.ensure_site("news_daily", "news", title="每日新闻", base_url="http://news.example.cn/")
    store.ensure_site("gd_telecom", "gov_portal", title="广东省通信管理局", base_url="http://gdca.example.cn/",
                      region_code="440000")
    run = store.start_run({"sample": True})
    for page in sample_pages():
        store.save_article(page, run)
    store.finish_run(run, "ok", 0)
    return store


@pytest.fixture(scope="module")
def postgres_source():
    with scratch_postgres() as url:
        fill_like_the_datasette_sample(url)
        yield url


@pytest.fixture(scope="module")
def exported(postgres_source, tmp_path_factory) -> Path:
    return export_sqlite(postgres_source, tmp_path_factory.mktemp("export") / "policy.db").target


@pytest.fixture(scope="module")
def exported_ds(exported):
    return datasette_app(exported)


def _datasette_checks():
    """Every test of tests/test_datasette.py, with its parameter sets, as (check, arguments)."""
    for name, check in vars(datasette_tests).items():
        if not name.startswith("test_") or not callable(check):
            continue
        marks = [m for m in getattr(check, "pytestmark", []) if m.name == "parametrize"]
        if not marks:
            yield pytest.param(check, {}, id=name)
            continue
        names = [n.strip() for n in marks[0].args[0].split(",")]
        for i, values in enumerate(marks[0].args[1]):
            yield pytest.param(check, dict(zip(names, values, strict=True)), id=f"{name}[{i}]")


@pytest.mark.parametrize(("check", "arguments"), list(_datasette_checks()))
def test_exported_file_passes_the_datasette_checks(check, arguments, exported, exported_ds, tmp_path):
    available = {"ds": exported_ds, "db_path": exported, "tmp_path": tmp_path, **arguments}
    check(**{name: available[name] for name in inspect.signature(check).parameters})


def test_every_row_of_postgres_is_in_the_export(postgres_source, exported):
    source = Store(postgres_source).engine
    target = sqlite3.connect(exported)
    with source.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in ("stories", "story_bands", "consolidated_targets"):
                continue  # derived: built on the SQLite side (PostgreSQL leaves them empty)
            count = conn.execute(text(f"SELECT COUNT(*) FROM {table.name}")).scalar_one()
            assert target.execute(f"SELECT COUNT(*) FROM {table.name}").fetchone()[0] == count, table.name
        articles = set(conn.execute(text("SELECT url, content_hash, text FROM articles")).all())
    assert set(target.execute("SELECT url, content_hash, text FROM articles")) == articles
    assert target.execute("SELECT COUNT(*) FROM stories").fetchone()[0] > 0
    assert target.execute("SELECT COUNT(*) FROM articles_search").fetchone()[0] == len(articles)
    assert target.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file


def test_export_through_the_command_line_replaces_the_file_at_once(postgres_source, tmp_path):
    target = tmp_path / "policy.db"
    target.write_bytes(b"yesterday's file")
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "export", "--from", postgres_source, "--to", str(target)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "exported" in out.stdout.splitlines()[-1] and "articles" in out.stdout
    assert sqlite3.connect(target).execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(sample_pages())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policy.db"]  # no partial file left behind


def test_export_from_an_unreachable_database_exits_3_with_advice(tmp_path):
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "export", "--from",
                          "postgresql://crawler:s3cret@127.0.0.1:1/policy", "--to", str(tmp_path / "p.db")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 3
    assert "check that PostgreSQL is running" in out.stderr and "s3cret" not in out.stderr
    assert not (tmp_path / "p.db").exists()
