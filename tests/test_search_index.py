"""Chinese full-text search: segmented shadow tables, FTS5 kept in sync, queries cut like the index."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine

from crawler.search_index import (
    create_search_schema,
    index_article,
    index_policy,
    rebuild_search_index,
    search_excerpt,
    segment,
    segment_query,
)

ARTICLES = {
    1: (
        "湖南省印发区块链产业发展三年行动计划",
        "近日，湖南省工业和信息化厅印发《湖南省区块链产业发展三年行动计划（2021-2023年）》，提出到2023年"
        "建成10个以上区块链公共服务平台，培育50家以上区块链骨干企业。",
    ),
    2: (
        "浙江省数字政府建设取得新进展",
        "浙江省持续深化政务服务“一网通办”改革，到2025年实现政务服务事项100%网上可办，推动政务数据上链存证。",
    ),
    3: (
        "广东省加快5G网络建设",
        "广东省通信管理局表示，到2022年全省累计建成5G基站17万座，实现珠三角城市5G网络全覆盖。",
    ),
    4: (
        "長三角一體化發展規劃綱要解讀",  # a title left in traditional script must not break the index
        "长三角地区将共建区域性公共服务平台，推进社会保障卡居民服务一卡通。",
    ),
}
POLICIES = {
    10: "湖南省区块链产业发展三年行动计划（2021-2023年）",
    11: "浙江省数字政府建设“十四五”规划",
}


def _schema(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT, text TEXT)")
    conn.execute("CREATE TABLE policies (id INTEGER PRIMARY KEY, title TEXT)")


@pytest.fixture
def conn() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    _schema(conn)
    create_search_schema(conn)
    for article_id, (title, text) in ARTICLES.items():
        conn.execute("INSERT INTO articles VALUES (?, ?, ?)", (article_id, title, text))
        index_article(conn, article_id, title, text)
    for policy_id, title in POLICIES.items():
        conn.execute("INSERT INTO policies VALUES (?, ?)", (policy_id, title))
        index_policy(conn, policy_id, title)
    return conn


def _found(conn: sqlite3.Connection, query: str, fts: str = "articles_fts") -> list[int]:
    rows = conn.execute(
        f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid", (segment_query(query),)
    )
    return [r[0] for r in rows]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("区块链", [1]),
        ("区块", [1]),  # two characters inside a longer word
        ("公共服务平台", [1, 4]),
        ("政务", [2]),
        ("上链", [2]),
        ("政务服务", [2]),
        ("一网通办", [2]),
        ("数字政府", [2]),
        ("5G基站", [3]),
        ("5g", [3]),  # latin letters fold case like any FTS5 text
        ("长三角", [4]),
        ("湖南省", [1]),
        ("区块链 政务", []),  # every word must occur
        ("区块链 骨干企业", [1]),
        ("人工智能", []),
        ("", []),
        ("，。！", []),
    ],
)
def test_chinese_queries_find_the_articles_that_contain_them(conn, query, expected):
    assert _found(conn, query) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("區塊鏈", [1]),  # Traditional, as a Taiwan or Hong Kong reader types it; stored text is Simplified
        ("政務服務", [2]),
        ("數字政府", [2]),
        ("長三角", [4]),
        ("公共服務平臺", [1, 4]),
        ("５Ｇ基站", [3]),  # full-width letters and digits, as a Chinese IME gives them
        ("區塊鏈 骨幹企業", [1]),
    ],
)
def test_queries_are_normalised_like_the_stored_text(conn, query, expected):
    assert _found(conn, query) == expected


def test_excerpt_of_a_traditional_query_marks_the_simplified_words():
    assert search_excerpt("推动政务数据上链存证。", "政務 上鏈", 20) == "推动【政务】数据【上链】存证。"


@pytest.mark.parametrize(
    "query, expected",
    [("区块链", [10]), ("数字政府", [11]), ("行动计划", [10]), ("十四五", [11]), ("规划", [11])],
)
def test_policy_titles_are_searchable(conn, query, expected):
    assert _found(conn, query, "policies_fts") == expected


@pytest.mark.parametrize("query", ["区块链", "区块", "公共服务平台", "政务", "上链"])
def test_plain_unicode61_index_misses_what_the_segmented_index_finds(conn, query):
    conn.execute("CREATE VIRTUAL TABLE plain_fts USING fts5(title, text, tokenize='unicode61')")
    conn.executemany(
        "INSERT INTO plain_fts (rowid, title, text) VALUES (?, ?, ?)",
        [(i, t, x) for i, (t, x) in ARTICLES.items()],
    )
    plain = conn.execute("SELECT rowid FROM plain_fts WHERE plain_fts MATCH ?", (f'"{query}"',)).fetchall()
    assert plain == []  # a whole clause is one unicode61 token
    assert _found(conn, query) != []


@pytest.mark.parametrize(
    "query, expected",
    [
        ("区块链", '"区块链"'),
        ("政务", '"政务"'),
        ("公共服务平台", '("公共服务平台" OR NEAR("公共" "服务" "平台", 6))'),
        ("区块链 政务服务", '"区块链" AND ("政务服务" OR NEAR("政务" "服务", 4))'),
        ("5G基站", '"5G" AND "基站"'),
        ('"区块链" OR', '"区块链" AND "OR"'),  # FTS5 syntax typed by a user is text, never an error
        ("", '""'),
        ("   ", '""'),
        ("。、", '""'),
    ],
)
def test_segment_query_quotes_and_ands_the_words(query, expected):
    assert segment_query(query) == expected


def test_segment_keeps_words_and_sub_words_and_drops_punctuation():
    assert segment("建成区块链公共服务平台。") == "建成 区块 区块链 公共 服务 平台 公共服务平台"
    assert segment(None) == "" and segment("") == ""


def test_deleting_an_article_removes_it_from_the_index(conn):
    assert _found(conn, "区块链") == [1]
    conn.execute("DELETE FROM articles WHERE id = 1")
    assert conn.execute("SELECT COUNT(*) FROM articles_search WHERE article_id = 1").fetchone()[0] == 0
    assert _found(conn, "区块链") == []
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")


def test_deleting_a_policy_removes_it_from_the_index(conn):
    conn.execute("DELETE FROM policies WHERE id = 11")
    assert _found(conn, "数字政府", "policies_fts") == []


def test_reindexing_a_changed_article_forgets_its_old_words(conn):
    index_article(conn, 1, "湖南省印发人工智能产业发展规划", "到2025年建成人工智能创新平台20个。")
    assert _found(conn, "区块链") == []
    assert _found(conn, "人工智能") == [1]
    assert conn.execute("SELECT COUNT(*) FROM articles_search").fetchone()[0] == len(ARTICLES)
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")


def test_schema_creation_is_idempotent(conn):
    create_search_schema(conn)
    create_search_schema(conn)
    assert _found(conn, "区块链") == [1]


def test_creating_the_schema_on_an_existing_database_indexes_its_rows():
    conn = sqlite3.connect(":memory:")
    _schema(conn)
    conn.executemany("INSERT INTO articles VALUES (?, ?, ?)", [(i, t, x) for i, (t, x) in ARTICLES.items()])
    conn.executemany("INSERT INTO policies VALUES (?, ?)", list(POLICIES.items()))
    create_search_schema(conn)
    assert _found(conn, "政务") == [2]
    assert _found(conn, "区块链", "policies_fts") == [10]


def test_rebuild_resegments_everything_and_drops_orphans(conn):
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("DELETE FROM articles WHERE id = 3")  # no cascade: an orphan index row is left behind
    conn.execute("PRAGMA foreign_keys=ON")
    assert rebuild_search_index(conn) == len(ARTICLES) - 1 + len(POLICIES)
    assert _found(conn, "5G基站") == []
    assert _found(conn, "公共服务平台") == [1, 4]


def test_works_through_a_sqlalchemy_connection():
    engine = create_engine("sqlite://")
    with engine.begin() as sa:
        sa.exec_driver_sql("PRAGMA foreign_keys=ON")
        sa.exec_driver_sql("CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT, text TEXT)")
        sa.exec_driver_sql("CREATE TABLE policies (id INTEGER PRIMARY KEY, title TEXT)")
        create_search_schema(sa)
        sa.exec_driver_sql("INSERT INTO articles VALUES (7, '政务公开', '推进政务数据上链')")
        index_article(sa, 7, "政务公开", "推进政务数据上链")
        sa.exec_driver_sql("INSERT INTO policies VALUES (8, '区块链发展规划')")
        index_policy(sa, 8, "区块链发展规划")
        hits = sa.exec_driver_sql(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (segment_query("上链"),)
        ).fetchall()
        assert hits == [(7,)]
        assert rebuild_search_index(sa) == 2


@pytest.mark.parametrize(
    "text, query, width, expected",
    [
        (
            "湖南省提出到2023年建成10个以上区块链公共服务平台。",
            "区块链",
            12,
            "…个以上【区块链】公共服务平台…",
        ),
        ("推动政务数据上链存证。", "政务 上链", 20, "推动【政务】数据【上链】存证。"),
        ("长三角区块链产业联盟成立", "区块", 8, "…三角【区块】链产业联…"),
        ("没有命中的正文内容很长很长", "量子", 4, "没有命中"),
        (None, "区块链", 20, None),
    ],
)
def test_search_excerpt_shows_the_words_around_the_first_hit(text, query, width, expected):
    assert search_excerpt(text, query, width) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_typed_query_is_valid_fts5(query):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(x)")
    conn.execute("INSERT INTO f VALUES ('区块 区块链 政务')")
    conn.execute("SELECT * FROM f WHERE f MATCH ?", (segment_query(query),)).fetchall()
