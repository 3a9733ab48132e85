"""One promise, many reports: consolidated targets, their independent sources and disagreements.

Seven of our own reports go through the crawler's own analysis steps into a real SQLite file (tests/story_texts.py):
one story carried by three sites (Simplified, Traditional, mangled punctuation), an independent report on the same
plan, a report that gets one figure wrong, another plan of the same province, and the plan's draft.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from story_texts import PLAN, fetched, gansu_reports

from crawler.consolidate import amount_key, metric_key
from crawler.items import FetchedAttachment, FetchedPage, FetchError
from crawler.store import Store
from extract.facts import extract_facts


@pytest.fixture
def crawled(tmp_path) -> tuple[Store, dict[str, int]]:
    store = Store(tmp_path / "policy.db")
    run = store.start_run({})
    reports = gansu_reports()
    for item in reports.values():
        assert store.save_article(item, run) == "new"
    con = sqlite3.connect(store.db_path)
    ids = {name: con.execute("SELECT id FROM articles WHERE url = ?", (item.url,)).fetchone()[0]
           for name, item in reports.items()}
    return store, ids


def _consensus(con: sqlite3.Connection, value: float, policy_like: str = PLAN + "(2023-2025年)") -> dict:
    con.row_factory = sqlite3.Row
    rows = con.execute(
        "SELECT * FROM v_target_consensus WHERE metric = '数据中心标准机架' AND value = ? AND policy_title = ?",
        (value, policy_like),
    ).fetchall()
    assert len(rows) == 1, [dict(r) for r in rows]
    return dict(rows[0])


def test_one_promise_reported_by_four_articles_is_one_consolidated_target(crawled):
    store, ids = crawled
    con = sqlite3.connect(store.db_path)
    row = _consensus(con, 200000)
    assert (row["region"], row["year"], row["unit"]) == ("甘肃省", 2025, "架")
    # original + Traditional copy + mangled copy (one story) and the independent report
    assert row["articles"] == 4
    assert row["sites"] == 4
    assert row["independent_sources"] == 2
    linked = {r[0] for r in con.execute("SELECT article_id FROM targets WHERE consolidated_id = ?", (row["id"],))}
    assert linked == {ids["original"], ids["traditional_copy"], ids["mangled_copy"], ids["independent"]}


def test_a_different_value_for_the_same_plan_is_flagged_as_a_disagreement(crawled):
    store, _ids = crawled
    con = sqlite3.connect(store.db_path)
    right, wrong = _consensus(con, 200000), _consensus(con, 250000)
    assert right["disagreement"] == 1 and wrong["disagreement"] == 1
    assert f"(#{wrong['id']})" in right["disagreeing_values"]
    assert f"(#{right['id']})" in wrong["disagreeing_values"]
    assert wrong["independent_sources"] == 1


def test_another_plan_and_the_draft_are_neither_merged_nor_disagreements(crawled):
    store, _ids = crawled
    con = sqlite3.connect(store.db_path)
    master = _consensus(con, 300000, "甘肃省数字经济创新发展规划(2021-2025年)")
    draft = _consensus(con, 180000, PLAN + "(2023-2025年)(征求意见稿)")
    for row in (master, draft):
        assert row["disagreement"] == 0, row
        assert row["articles"] == 1
    right = _consensus(con, 200000)
    assert "300000" not in right["disagreeing_values"] and "180000" not in right["disagreeing_values"]


def test_every_target_row_is_linked_and_no_consolidated_row_is_orphaned(crawled):
    store, _ids = crawled
    con = sqlite3.connect(store.db_path)
    assert con.execute("SELECT COUNT(*) FROM targets WHERE consolidated_id IS NULL").fetchone()[0] == 0
    orphans = con.execute(
        "SELECT COUNT(*) FROM consolidated_targets c WHERE NOT EXISTS "
        "(SELECT 1 FROM targets t WHERE t.consolidated_id = c.id)"
    ).fetchone()[0]
    assert orphans == 0


def test_a_corrected_report_joins_the_consensus_and_its_old_figure_disappears(crawled):
    store, ids = crawled
    old = gansu_reports()["wrong_figure"]
    corrected = fetched(old.site, old.url, "甘肃算力计划：2025年机架目标20万", "2023-03-20T08:00:00+08:00", [
        f"甘肃省发展和改革委员会日前印发《{PLAN}（2023—2025年）》，明确到2025年全省数据中心标准机架达到20万架以上。",
        "多位受访企业人士表示，甘肃的土地和电力成本较低，适合部署对时延不敏感的存储和训练业务。",
    ], "西部商业周刊")
    assert store.save_article(corrected, store.start_run({})) == "updated"
    con = sqlite3.connect(store.db_path)
    row = _consensus(con, 200000)
    assert row["independent_sources"] == 3
    assert row["disagreement"] == 0
    assert con.execute("SELECT COUNT(*) FROM consolidated_targets WHERE value = 250000").fetchone()[0] == 0


def test_the_whole_database_pass_gives_the_same_consensus(crawled):
    store, _ids = crawled
    query = ("SELECT region, year, metric, value, unit, policy_title, independent_sources, sites, articles, "
             "disagreement FROM v_target_consensus ORDER BY 1, 2, 3, 4, 6")
    con = sqlite3.connect(store.db_path)
    before = con.execute(query).fetchall()
    con.close()
    from crawler.consolidate import rebuild_all

    stories, consolidation = rebuild_all(store.engine)
    con = sqlite3.connect(store.db_path)
    assert con.execute(query).fetchall() == before
    assert consolidation.disagreements == 2
    assert stories.shared == 1


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("5G基站", "5g 基站", True),
        ("“专精特新”企业", "专精特新企业", True),
        ("数据中心标准机架", "数据中心机架", False),
    ],
)
def test_metric_key_folds_spelling_not_meaning(a, b, same):
    assert (metric_key(a) == metric_key(b)) is same


def test_amount_key_ignores_float_noise_from_chinese_magnitudes():
    assert amount_key(1.1 * 10000, None) == amount_key(11000, None)
    assert amount_key(3, 5) != amount_key(3, None)


def test_field_sources_show_which_report_gave_each_field(crawled):
    store, ids = crawled
    con = sqlite3.connect(store.db_path)
    sources = json.loads(con.execute(
        "SELECT field_sources FROM policies WHERE norm_title = ?", (PLAN + "(2023-2025年)",)).fetchone()[0])
    assert sources["issuer"] == ids["traditional_copy"]  # the first report that named the issuer
    assert sources["issued_on"] == ids["independent"]
    assert sources["doc_number"] == ids["independent"]


def test_a_version_1_database_migrates_and_gets_its_stories_and_consolidation(crawled):
    """The tables of schema 3 dropped and the version set back to 1, as a database of the first schema."""
    store, ids = crawled
    query = "SELECT metric, value, independent_sources, articles, disagreement FROM v_target_consensus ORDER BY 1, 2"
    con = sqlite3.connect(store.db_path)
    before = con.execute(query).fetchall()
    con.execute("DROP VIEW v_target_consensus")
    con.execute("DROP TRIGGER targets_consolidated_ad")
    con.execute("DROP TRIGGER targets_consolidated_au")
    for table in ("stories", "story_bands", "consolidated_targets"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DROP INDEX ix_articles_story")
    con.execute("UPDATE articles SET story_id = NULL")
    con.execute("UPDATE targets SET consolidated_id = NULL")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    from crawler.db import open_database
    from crawler.models import SCHEMA_VERSION

    open_database(store.db_path)
    con = sqlite3.connect(store.db_path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute(query).fetchall() == before
    assert con.execute("SELECT size FROM stories WHERE canonical_article_id = ?", (ids["original"],)).fetchone() == (3,)
    indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"ix_articles_story", "ix_targets_consolidated", "ix_story_bands_hash"} <= indexes


def test_a_failing_grouping_step_never_costs_the_article(tmp_path, monkeypatch, caplog):
    import crawler.stories

    def broken(conn, article_id):
        conn.exec_driver_sql("INSERT INTO stories (canonical_article_id, size) VALUES (?, 1)", (article_id,))
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(crawler.stories, "assign_story", broken)
    store = Store(tmp_path / "policy.db")
    item = gansu_reports()["original"]
    assert store.save_article(item, store.start_run({})) == "new"
    con = sqlite3.connect(store.db_path)
    assert con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
    assert con.execute("SELECT COUNT(*) FROM targets").fetchone()[0] == len(item.facts.targets)
    assert con.execute("SELECT COUNT(*) FROM stories").fetchone()[0] == 0  # the half-done step rolled back
    assert "policycrawl stories --rebuild" in caplog.text


# --- the order of arrival ---------------------------------------------------------------------------------------
# Workers of a distributed crawl store what they finish, in any order: an attachment may be stored before its
# notice (another worker fetched it first) and reports of one plan arrive in any order. The rows must not show it.
SCHEDULE = ("甘肃省算力基础设施建设三年行动计划（2023-2025年）重点任务分工方案\n"
            "一、总体目标\n到2025年，全省建成智能算力中心3个以上，数据中心标准机架达到20万架以上，培育算力服务企业50家以上。\n"
            "二、任务分工\n庆阳市负责国家算力枢纽节点起步区建设，到2024年新增标准机架5万架。兰州新区负责建设省级算力调度平台。")


def _with_attachments(reports: dict[str, FetchedPage]) -> list[FetchedAttachment | FetchError]:
    """Two files linked from the original report: one read (its facts as the attachment pipeline gives them),
    one that failed to download."""
    original = reports["original"]
    read_url, failed_url = original.url[:-5] + "_fj1.docx", original.url[:-5] + "_fj2.pdf"
    original.attachment_links = [{"url": read_url, "name": "重点任务分工方案", "type": "docx"},
                                 {"url": failed_url, "name": "申报表", "type": "pdf"}]
    read = FetchedAttachment(site=original.site, article_url=original.url, url=read_url, name="重点任务分工方案",
                             declared_type="docx", status=200, body=SCHEDULE.encode(), type="docx", text=SCHEDULE,
                             text_status="ok", facts=extract_facts(SCHEDULE, file=read_url))
    failed = FetchError(site=original.site, url=failed_url, kind="http_500", attempts=3, last_status=500,
                        message="500 Internal Server Error", is_attachment=True, article_url=original.url)
    return [read, failed]


def _stored_in_order(db, items: list) -> dict[str, set]:
    store = Store(db)
    run = store.start_run({})
    for item in items:
        if isinstance(item, FetchedPage):
            store.save_article(item, run)
        elif isinstance(item, FetchedAttachment):
            store.save_attachment(item, run)
        else:
            store.save_error(item, run)
    con = sqlite3.connect(db)

    def q(sql: str) -> set:
        return set(con.execute(sql).fetchall())

    return {  # by URL and title, never by id: ids follow the order of arrival
        "articles": q("SELECT url, content_hash, region_code FROM articles"),
        "attachments": q("SELECT t.url, t.status, a.url FROM attachments t LEFT JOIN articles a ON a.id = t.article_id"),
        "policies": q("SELECT norm_title, title, issuer, region, region_code, issued_on, doc_number, period_start, "
                      "period_end, doc_type, status FROM policies"),
        "targets": q("SELECT a.url, f.url, p.norm_title, t.region_code, t.year, t.metric, t.value, t.unit "
                     "FROM targets t JOIN articles a ON a.id = t.article_id LEFT JOIN attachments f "
                     "ON f.id = t.attachment_id LEFT JOIN policies p ON p.id = t.policy_id"),
        "mentions": q("SELECT a.url, f.url, p.norm_title, m.span_start FROM policy_mentions m JOIN articles a "
                      "ON a.id = m.article_id LEFT JOIN attachments f ON f.id = m.attachment_id "
                      "JOIN policies p ON p.id = m.policy_id"),
        "promises": q("SELECT region_code, year, metric, value, unit, policy_title, articles, sites, independent_sources, "
                      "disagreement FROM v_target_consensus"),
        "searchable policies": q("SELECT p.norm_title, s.title_seg FROM policies_search s "
                                 "JOIN policies p ON p.id = s.policy_id"),
    }


def test_the_rows_do_not_depend_on_the_order_things_are_stored_in(tmp_path):
    reports = gansu_reports()
    files = _with_attachments(reports)
    notices_first = _stored_in_order(tmp_path / "a.db", [*reports.values(), *files])
    files_first = _stored_in_order(tmp_path / "b.db", [*files, *reversed(list(reports.values()))])
    assert files_first == notices_first
    # and the file's facts are there in both: its plan, its figures, linked to the notice that links it
    original = reports["original"].url
    from_file = {row for row in notices_first["targets"] if row[1] is not None}
    assert {(a, metric, value) for a, _f, _p, _rc, _y, metric, value, _u in from_file} >= {
        (original, "智能算力中心", 3), (original, "新增标准机架", 50000)}
    assert {(url, status, article) for url, status, article in notices_first["attachments"]} == {
        (files[0].url, "ok", original), (files[1].url, "fetch_failed", original)}
