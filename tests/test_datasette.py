"""The published dataset, through datasette's own test client: descriptions, Chinese search, facets, canned queries."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from crawler.items import FetchedPage
from crawler.publish import PublishError, datasette_app, metadata
from crawler.search_index import create_search_schema, rebuild_search_index
from crawler.store import Store
from extract.records import ArticleFacts, PageRecord, Policy, RegionMention, Target

HUNAN_PLAN = "湖南省区块链产业发展三年行动计划（2021-2023年）"
ZHEJIANG_PLAN = "浙江省数字政府建设“十四五”规划"
GUANGDONG_PLAN = "广东省5G产业发展行动计划（2019-2022年）"


def _article(
    site: str,
    url: str,
    title: str,
    text: str,
    published: str,
    region: tuple[str, str],
    policies: list[Policy],
    targets: list[Target],
) -> FetchedPage:
    record = PageRecord(
        url=url,
        title=title,
        published_at=published,
        source="本站",
        text=text,
        text_original=text,
        language="zh-Hans",
        encoding="utf-8",
    )
    name, code = region
    facts = ArticleFacts(
        file=url,
        title=title,
        language="zh-Hans",
        regions_mentioned=[name],
        source="本站",
        author=None,
        policies=policies,
        targets=targets,
        region_mentions=[RegionMention(name, code, 0, len(name), name)],
        keywords=[],
    )
    return FetchedPage(
        site=site,
        url=url,
        final_url=url,
        status=200,
        content_type="text/html",
        declared_encoding="utf-8",
        body=f"<html><body><h1>{title}</h1><p>{text}</p></body></html>".encode(),
        fetched_at=f"{published}T08:00:00+00:00",
        record=record,
        facts=facts,
    )


def _target(
    text: str, body: str, region: str, year: int, metric: str, value: float, unit: str, policy: str | None
) -> Target:
    start = body.index(text)
    return Target(
        region=region,
        year=year,
        metric=metric,
        value=value,
        value_max=None,
        unit=unit,
        qualifier="at_least",
        text=text,
        start=start,
        end=start + len(text),
        policy_title=policy,
    )


def _policy(title: str, body: str, **fields: Any) -> Policy:
    start = body.index(title)
    return Policy(title=title, spans=[(start, start + len(title))], **fields)


def sample_pages() -> list[FetchedPage]:
    """Five articles on three sites: a Hunan blockchain plan reposted by a news site, Zhejiang, Guangdong."""
    hunan = (
        f"近日，湖南省工业和信息化厅印发《{HUNAN_PLAN}》，提出到2023年建成10个以上区块链公共服务平台，"
        "培育50家以上区块链骨干企业，推动区块链技术在政务服务、供应链金融等领域落地应用。"
    )
    zhejiang = (
        f"浙江省人民政府办公厅日前印发《{ZHEJIANG_PLAN}》。规划提出，到2025年建成30个以上"
        "省级数字化改革重大应用，政务服务事项全面实现“一网通办”，推动政务数据上链存证。"
    )
    guangdong = (
        f"广东省通信管理局表示，按照《{GUANGDONG_PLAN}》部署，到2022年全省累计建成5G基站17万座，"
        "珠三角地区实现5G网络连续覆盖。"
    )
    hunan_notice = f"各市州工业和信息化局：现将《{HUNAN_PLAN}》印发给你们，请结合实际认真贯彻落实。"
    hunan_policy = dict(
        issuer="湖南省工业和信息化厅",
        region="湖南省",
        issued_on="2021-04-27",
        period_start=2021,
        period_end=2023,
        doc_type="行动计划",
    )
    hunan_targets = [
        _target(
            "10个以上区块链公共服务平台", hunan, "湖南省", 2023, "区块链公共服务平台", 10, "个", HUNAN_PLAN
        ),
        _target("50家以上区块链骨干企业", hunan, "湖南省", 2023, "区块链骨干企业", 50, "家", HUNAN_PLAN),
    ]
    title = "湖南出台区块链产业三年行动计划"
    return [
        _article(
            "hunan_gov",
            "http://gxt.hunan.example.cn/xxgk/2021/0427/a1.html",
            title,
            hunan,
            "2021-04-27",
            ("湖南省", "430000"),
            [_policy(HUNAN_PLAN, hunan, **hunan_policy)],
            hunan_targets,
        ),
        _article(
            "news_daily",
            "http://news.example.cn/tech/20210428/b2.html",
            title,
            hunan,
            "2021-04-28",
            ("湖南省", "430000"),
            [_policy(HUNAN_PLAN, hunan, **hunan_policy)],
            hunan_targets,
        ),
        _article(
            "hunan_gov",
            "http://gxt.hunan.example.cn/xxgk/2021/0429/a3.html",
            f"关于印发《{HUNAN_PLAN}》的通知",
            hunan_notice,
            "2021-04-29",
            ("湖南省", "430000"),
            [_policy(HUNAN_PLAN, hunan_notice, doc_number="湘工信发〔2021〕12号")],
            [],
        ),
        _article(
            "news_daily",
            "http://news.example.cn/gov/20220110/c4.html",
            "浙江发布数字政府建设“十四五”规划",
            zhejiang,
            "2022-01-10",
            ("浙江省", "330000"),
            [
                _policy(
                    ZHEJIANG_PLAN,
                    zhejiang,
                    region="浙江省",
                    issued_on="2021-12-30",
                    doc_type="规划",
                    period_start=2021,
                    period_end=2025,
                )
            ],
            [
                _target(
                    "30个以上省级数字化改革重大应用",
                    zhejiang,
                    "浙江省",
                    2025,
                    "省级数字化改革重大应用",
                    30,
                    "个",
                    ZHEJIANG_PLAN,
                )
            ],
        ),
        _article(
            "gd_telecom",
            "http://gdca.example.cn/xwdt/2021/d5.html",
            "广东5G基站建设提速",
            guangdong,
            "2021-06-01",
            ("广东省", "440000"),
            [
                _policy(
                    GUANGDONG_PLAN,
                    guangdong,
                    region="广东省",
                    doc_type="行动计划",
                    period_start=2019,
                    period_end=2022,
                )
            ],
            [
                _target(
                    "累计建成5G基站17万座", guangdong, "广东省", 2022, "5G基站", 170000, "座", GUANGDONG_PLAN
                )
            ],
        ),
    ]


def build_sample_db(path: Path) -> Path:
    """A real crawl database written by the store, with the search index filled (hooked or not)."""
    store = Store(path)
    store.ensure_site(
        "hunan_gov",
        "gov_portal",
        title="湖南省工业和信息化厅",
        base_url="http://gxt.hunan.example.cn/",
        region_code="430000",
    )
    store.ensure_site("news_daily", "news", title="每日新闻", base_url="http://news.example.cn/")
    store.ensure_site(
        "gd_telecom",
        "gov_portal",
        title="广东省通信管理局",
        base_url="http://gdca.example.cn/",
        region_code="440000",
    )
    run = store.start_run({"sample": True})
    for page in sample_pages():
        store.save_article(page, run)
    store.finish_run(run, "ok", 0)
    store.engine.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=ON")
    with conn:
        create_search_schema(conn)  # a no-op once the store creates it on open
        rebuild_search_index(conn)  # idempotent: the same rows whether the store indexed them or not
    conn.close()
    return path


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    return build_sample_db(tmp_path_factory.mktemp("datasette") / "policy.db")


@pytest.fixture(scope="module")
def ds(db_path):
    return datasette_app(db_path)


def get(ds, path: str):
    return asyncio.run(ds.client.get(path))


def get_json(ds, path: str) -> dict[str, Any]:
    response = get(ds, path)
    assert response.status_code == 200, response.text[:500]
    return response.json()


def _titles(data: dict[str, Any]) -> list[str]:
    return sorted(row["title"] for row in data["rows"])


# --- the home page and the database page ---------------------------------------------------------------

ANALYST_TABLES = [
    "articles",
    "policies",
    "targets",
    "regions",
    "sites",
    "crawl_runs",
    "errors",
    "attachments",
    "keywords",
    "policy_mentions",
    "article_regions",
]
VIEWS = ["v_targets", "v_policies", "v_articles"]


def _table_guide(html: str) -> dict[str, str]:
    """The table → description pairs listed on a page."""
    pairs = re.findall(r'<dt><a href="/policy/(\w+)">\w+</a></dt>\s*<dd>(.*?)</dd>', html, re.S)
    return {name: unescape(description) for name, description in pairs}


def test_home_page_shows_title_licence_source_and_the_tables_with_descriptions(ds):
    html = get(ds, "/").text
    for expected in (
        "中国政策新闻与政府公告",
        "Code Apache-2.0",
        "crawled by policy-crawler",
        'href="/policy"',
    ):
        assert expected in html
    guide = _table_guide(html)
    assert set(ANALYST_TABLES + VIEWS) <= set(guide)
    assert guide["targets"].startswith(
        "Numeric targets promised in the texts (到2023年建成10个以上区块链公共服务平台)"
    )


def test_database_page_lists_tables_views_and_queries_with_descriptions(ds):
    html = get(ds, "/policy").text
    meta = metadata()["databases"]["policy"]["tables"]
    guide = _table_guide(html)
    assert {name: guide.get(name) for name in ANALYST_TABLES + VIEWS} == {
        name: meta[name]["description"] for name in ANALYST_TABLES + VIEWS
    }
    for table in ANALYST_TABLES + VIEWS:
        assert f'href="/policy/{table}"' in html, table
    assert "articles_search" not in guide and 'href="/policy/articles_search"' not in html  # internal, hidden
    assert "Numeric targets promised" in get(ds, "/policy/targets").text


def test_every_column_an_analyst_sees_has_a_description(db_path):
    meta = metadata()["databases"]["policy"]["tables"]
    conn = sqlite3.connect(db_path)
    missing = []
    for table in ANALYST_TABLES + VIEWS + ["pages", "article_versions"]:
        assert meta[table].get("description"), table
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        missing += [f"{table}.{c}" for c in columns if c not in meta[table].get("columns", {})]
    assert missing == []


def test_column_description_is_shown_on_the_table_page(ds):
    html = get(ds, "/policy/targets").text
    assert "Year by which the target is to be reached" in html


def test_metadata_follows_the_database_file_name(tmp_path, db_path):
    other = tmp_path / "nightly.db"
    other.write_bytes(db_path.read_bytes())
    ds = datasette_app(other)
    assert get(ds, "/nightly/targets").status_code == 200
    assert "Numeric targets promised" in get(ds, "/nightly/targets").text
    assert get_json(ds, "/nightly/articles.json?_search=区块链&_shape=objects")["rows"]


def test_missing_database_is_refused_with_advice(tmp_path):
    with pytest.raises(PublishError, match="policycrawl crawl"):
        datasette_app(tmp_path / "none.db")


# --- Chinese full-text search ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        (
            "区块链",
            [
                "关于印发《湖南省区块链产业发展三年行动计划（2021-2023年）》的通知",
                "湖南出台区块链产业三年行动计划",
                "湖南出台区块链产业三年行动计划",
            ],
        ),
        ("公共服务平台", ["湖南出台区块链产业三年行动计划", "湖南出台区块链产业三年行动计划"]),
        (
            "区块",
            [
                "关于印发《湖南省区块链产业发展三年行动计划（2021-2023年）》的通知",
                "湖南出台区块链产业三年行动计划",
                "湖南出台区块链产业三年行动计划",
            ],
        ),
        (
            "政务",
            [
                "浙江发布数字政府建设“十四五”规划",
                "湖南出台区块链产业三年行动计划",
                "湖南出台区块链产业三年行动计划",
            ],
        ),
        ("上链", ["浙江发布数字政府建设“十四五”规划"]),
        ("5G基站", ["广东5G基站建设提速"]),
        ("数字政府 一网通办", ["浙江发布数字政府建设“十四五”规划"]),
        ("区块链 5G", []),
        (
            "湖南区块链产业",
            [
                "关于印发《湖南省区块链产业发展三年行动计划（2021-2023年）》的通知",
                "湖南出台区块链产业三年行动计划",
                "湖南出台区块链产业三年行动计划",
            ],
        ),  # typed without spaces
    ],
)
def test_search_box_on_articles_finds_chinese_words(ds, query, expected):
    data = get_json(ds, f"/policy/articles.json?_search={query}&_shape=objects")
    assert _titles(data) == sorted(expected)


def test_search_box_finds_simplified_text_for_a_traditional_query(ds):
    data = get_json(ds, "/policy/articles.json?_search=數字政府 一網通辦&_shape=objects")
    assert _titles(data) == ["浙江发布数字政府建设“十四五”规划"]
    rows = _canned(ds, "search_articles", q="公共服務平臺")
    assert [r["title"] for r in rows] == ["湖南出台区块链产业三年行动计划"] * 2


def test_search_box_works_on_the_articles_view_and_shows_on_the_html_page(ds):
    assert _titles(get_json(ds, "/policy/v_articles.json?_search=上链&_shape=objects")) == [
        "浙江发布数字政府建设“十四五”规划"
    ]
    html = get(ds, "/policy/articles?_search=公共服务平台").text
    assert 'name="_search"' in html and "2 rows" in html


def test_search_box_on_policies(ds):
    data = get_json(ds, "/policy/policies.json?_search=行动计划&_shape=objects")
    assert _titles(data) == sorted([HUNAN_PLAN, GUANGDONG_PLAN])


def test_plain_unicode61_index_over_the_same_texts_finds_nothing(db_path, ds):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.plain_fts USING fts5(title, text)")
    conn.execute("INSERT INTO temp.plain_fts (rowid, title, text) SELECT id, title, text FROM articles")
    for query in ("区块链", "公共服务平台", "政务", "区块"):
        plain = conn.execute(
            "SELECT COUNT(*) FROM plain_fts WHERE plain_fts MATCH ?", (f'"{query}"',)
        ).fetchone()[0]
        ours = get_json(ds, f"/policy/articles.json?_search={query}&_shape=objects")["rows"]
        assert plain == 0 and len(ours) >= 1, query


# --- facets and labels -----------------------------------------------------------------------------------


def test_targets_table_has_facets_by_region_and_year(ds):
    data = get_json(ds, "/policy/targets.json?_extra=facet_results")
    facets = data["facet_results"]
    results = facets["results"] if "results" in facets else facets
    regions = {v["value"]: v["count"] for v in results["region"]["results"]}
    years = {v["value"]: v["count"] for v in results["year"]["results"]}
    assert regions == {"湖南省": 4, "浙江省": 1, "广东省": 1}
    assert years == {2023: 4, 2025: 1, 2022: 1}


def _facets(ds, path: str) -> dict[str, dict[Any, str]]:
    facets = get_json(ds, path)["facet_results"]
    results = facets["results"] if "results" in facets else facets
    return {name: {v["value"]: v["label"] for v in facet["results"]} for name, facet in results.items()}


def test_asking_for_a_facet_already_shown_shows_it_once(ds):
    for table in ("targets", "v_targets"):  # a table and a view, both with a region facet in metadata.yaml
        facets = _facets(ds, f"/policy/{table}.json?_facet=region&_facet=year&_extra=facet_results")
        assert "region" in facets and "year" in facets
        assert not [name for name in facets if name.endswith("_2")], table
        assert get(ds, f"/policy/{table}?_facet=region").text.count('<p class="facet-info-name">') == len(facets)


def test_region_facet_of_articles_shows_division_names_not_codes(ds):
    facets = _facets(ds, "/policy/articles.json?_extra=facet_results")
    assert facets["region_code"] == {"430000": "湖南省", "330000": "浙江省", "440000": "广东省"}
    html = get(ds, "/policy/articles").text
    assert "湖南省" in html and "广东省" in html
    assert get_json(ds, "/policy/articles.json?region_code=440000&_shape=objects")["rows"]  # the link still filters


def test_targets_page_shows_facets_and_policy_titles_instead_of_ids(ds):
    html = get(ds, "/policy/targets").text
    assert 'class="facet-info' in html and "湖南省" in html
    assert HUNAN_PLAN in html  # policy_id is labelled with the policy's title
    assert "湖南出台区块链产业三年行动计划" in html  # article_id labelled with the article's title


def test_articles_default_sort_is_newest_first(ds):
    rows = get_json(ds, "/policy/articles.json?_shape=objects")["rows"]
    dates = [r["published_at"] for r in rows]
    assert dates == sorted(dates, reverse=True)


# --- canned queries --------------------------------------------------------------------------------------


def _canned(ds, name: str, **params: str) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return get_json(ds, f"/policy/{name}.json?_shape=objects&{query}")["rows"]


def test_every_canned_query_is_listed_on_the_database_page(ds):
    html = get(ds, "/policy").text
    for name in metadata()["databases"]["policy"]["queries"]:
        assert f'href="/policy/{name}"' in html, name


def test_targets_by_region_and_year(ds):
    rows = _canned(ds, "targets_by_region_and_year", metric="区块链")
    assert [
        (r["region"], r["year"], r["metric"], r["min_value"], r["unit"], r["articles"]) for r in rows
    ] == [
        ("湖南省", 2023, "区块链公共服务平台", 10, "个", 2),
        ("湖南省", 2023, "区块链骨干企业", 50, "家", 2),
    ]
    assert len(_canned(ds, "targets_by_region_and_year")) == 4


def test_targets_without_a_region_come_after_the_regions(tmp_path):
    db = build_sample_db(tmp_path / "policy.db")
    with sqlite3.connect(db) as con:  # a target whose sentence names no region (到2025年建成充电桩5000个)
        con.execute("INSERT INTO targets (article_id, region, region_code, year, metric, value, unit, qualifier, "
                    "text, span_start, span_end) SELECT article_id, NULL, NULL, 2025, '公共充电桩', 5000, '个', "
                    "qualifier, text, span_start, span_end FROM targets LIMIT 1")
    regions = [r["region"] for r in _canned(datasette_app(db), "targets_by_region_and_year")]
    assert regions[0] != "（未注明）" and regions[-1] == "（未注明）" and regions.count("（未注明）") == 1


def test_whole_target_values_read_as_integers(ds):
    rows = get_json(ds, "/policy/targets.json?_shape=array&_col=value&_col=unit")
    assert rows and all(type(r["value"]) is int for r in rows), rows  # 10, not 10.0
    assert '"min_value": 10,' in get(ds, "/policy/targets_by_region_and_year.json?_shape=array&metric=区块链").text


def test_the_regions_an_article_mentions_are_faceted_by_name(ds):
    facets = _facets(ds, "/policy/article_regions.json?_extra=facet_results")
    assert set(facets["region_code"].values()) >= {"湖南省", "浙江省"}
    assert not [label for label in facets["region_code"].values() if str(label).isdigit()]


def test_policies_by_region_timeline(ds):
    rows = _canned(ds, "policies_by_region_timeline")
    assert [(r["region"], r["issued_on"], r["title"], r["articles"]) for r in rows] == [
        ("广东省", None, GUANGDONG_PLAN, 1),
        ("浙江省", "2021-12-30", ZHEJIANG_PLAN, 1),
        ("湖南省", "2021-04-27", HUNAN_PLAN, 3),
    ]
    assert [r["title"] for r in _canned(ds, "policies_by_region_timeline", region="浙江")] == [ZHEJIANG_PLAN]


def test_articles_mentioning_a_policy(ds):
    rows = _canned(ds, "articles_mentioning_policy", policy="区块链产业发展")
    assert sorted(r["site"] for r in rows) == ["hunan_gov", "hunan_gov", "news_daily"]
    assert all(HUNAN_PLAN in r["context"] for r in rows)


def test_newest_notices_per_site(ds):
    rows = _canned(ds, "newest_notices_per_site", per_site="1")
    assert [(r["site"], r["published_at"]) for r in rows] == [
        ("gd_telecom", "2021-06-01"),
        ("hunan_gov", "2021-04-29"),
        ("news_daily", "2022-01-10"),
    ]
    assert len(_canned(ds, "newest_notices_per_site")) == 5


def test_same_story_on_several_sites(ds):
    rows = _canned(ds, "same_story_on_several_sites")
    assert [(r["title"], r["sites"], r["site_names"].split(",")) for r in rows] == [
        ("湖南出台区块链产业三年行动计划", 2, ["hunan_gov", "news_daily"])
    ]


def test_same_story_groups_by_story_id_not_by_title(tmp_path, db_path):
    path = tmp_path / "policy.db"
    path.write_bytes(db_path.read_bytes())
    conn = sqlite3.connect(path)
    with conn:  # a syndicated copy under another headline is still the same story
        conn.execute("UPDATE articles SET title = '湖南区块链计划出台' WHERE url LIKE '%b2.html'")
    conn.close()
    rows = _canned(datasette_app(path), "same_story_on_several_sites")
    assert [(r["sites"], r["copies"]) for r in rows] == [(2, 2)]


def test_search_articles_canned_query_ranks_and_shows_an_excerpt(ds):
    rows = _canned(ds, "search_articles", q="公共服务平台")
    assert [r["title"] for r in rows] == ["湖南出台区块链产业三年行动计划"] * 2
    assert "【公共服务平台】" in rows[0]["excerpt"]
    assert _canned(ds, "search_articles", q="") == []


def test_search_policies_canned_query(ds):
    rows = _canned(ds, "search_policies", q="数字政府")
    assert [r["title"] for r in rows] == [ZHEJIANG_PLAN]
