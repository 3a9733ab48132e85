"""One policies row per real document: title variants folded, drafts and other plans kept apart, fields merged."""

from __future__ import annotations

import json
import sqlite3

import pytest
from story_texts import PLAN, gansu_reports

from crawler.consolidate import merge_duplicate_policies
from crawler.store import Store
from extract.policy_identity import merge_policy_fields, policy_key


@pytest.mark.parametrize(
    "variant",
    [
        "江西省新能源汽车产业发展三年行动计划(2022-2024年)",
        "《江西省新能源汽车产业发展三年行动计划(2022—2024年)》",
        "江西省新能源汽车产业发展三年行动计划（2022－2024年）",
        "江西省新能源汽车产业发展三年行动计划（2022–2024年）",
        "江西省新能源汽车产业发展三年行动计划 (2022年-2024年)",
        "江西省新能源汽车产业发展三年行动计划【2022-2024年】",
        "江西省新能源汽车产业发展三年行动计划〔2022~2024年〕",
        "江西省新能源汽车产业发展三年行动计划(2022至2024年)",
        "江西省新能源汽车产业发展三年行动计划2022-2024年",
        "江西省 新能源汽车 产业发展三年行动计划(2022-2024)",
        "江西省新能源汽车产业发展三年行动计划（２０２２－２０２４年）",
        "江西省新能源汽車產業發展三年行動計劃（2022—2024年）",
    ],
)
def test_ways_of_writing_one_plan_share_one_key(variant):
    assert policy_key(variant) == "江西省新能源汽车产业发展三年行动计划(2022-2024年)"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("宁夏回族自治区“东数西算”示范工程实施方案", "宁夏回族自治区「东数西算」示范工程实施方案"),
        ("云南省5G应用扬帆行动方案", "云南省5g应用“扬帆”行动方案"),
        ("重庆市区块链产业发展行动计划(征求意见稿)", "重庆市区块链产业发展行动计划征求意见稿"),
        ("厦门市公共数据开放管理办法(试行)", "厦门市公共数据开放管理办法（试行）"),
        ("福建省数字政府建设规划(2021-2025年)(征求意见稿)", "福建省数字政府建设规划（2021—2025年）（征求意见稿）"),
    ],
)
def test_quotes_case_and_bracketed_marks_do_not_split_a_document(a, b):
    assert policy_key(a) == policy_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # the draft is not the final text
        ("重庆市区块链产业发展行动计划(2023-2025年)", "重庆市区块链产业发展行动计划(2023-2025年)(征求意见稿)"),
        # a 2020-2022 action plan and a 2020-2025 master plan of the same province
        ("湖北省数字经济发展三年行动计划(2020-2022年)", "湖北省数字经济发展总体规划(2020-2025年)"),
        # the same plan title for another period is another edition
        ("湖北省数字经济发展三年行动计划(2020-2022年)", "湖北省数字经济发展三年行动计划(2023-2025年)"),
        # another province
        ("湖北省数字经济发展三年行动计划(2020-2022年)", "湖南省数字经济发展三年行动计划(2020-2022年)"),
        # a trial version is not the final one
        ("厦门市公共数据开放管理办法(试行)", "厦门市公共数据开放管理办法"),
    ],
)
def test_different_documents_keep_different_keys(a, b):
    assert policy_key(a) != policy_key(b)


def test_merging_fills_empty_fields_with_their_source_and_keeps_conflicts_beside():
    values, sources = merge_policy_fields({"issuer": None, "issued_on": None}, {},
                                          {"issuer": "江西省人民政府办公厅"}, 11)
    values, sources = merge_policy_fields(values, sources, {"issued_on": "2022-05-06", "issuer": None}, 12)
    values, sources = merge_policy_fields(values, sources, {"issuer": "江西省工业和信息化厅"}, 13)
    assert values["issuer"] == "江西省人民政府办公厅"  # not overwritten
    assert values["issued_on"] == "2022-05-06"
    assert sources["issuer"] == 11 and sources["issued_on"] == 12
    assert sources["conflicts"] == {"issuer": [{"value": "江西省工业和信息化厅", "article_id": 13}]}
    again, sources_again = merge_policy_fields(values, sources, {"issuer": "江西省工业和信息化厅"}, 13)
    assert sources_again["conflicts"]["issuer"] == sources["conflicts"]["issuer"]  # a repeat adds nothing


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(tmp_path / "policy.db")
    run = store.start_run({})
    for item in gansu_reports().values():
        store.save_article(item, run)
    return store


def test_five_reports_of_one_plan_in_four_spellings_make_one_row_with_merged_fields(store):
    con = sqlite3.connect(store.db_path)
    rows = con.execute(
        "SELECT title, issuer, region, issued_on, doc_number, period_start, period_end, status, field_sources "
        "FROM policies WHERE norm_title LIKE ?", (PLAN + "%",)).fetchall()
    by_status = {r[7]: r for r in rows}
    assert sorted(by_status) == ["draft", "final"]
    final = by_status["final"]
    assert final[1:8] == ("甘肃省人民政府办公厅", "甘肃省", "2023-03-12", "甘政办发〔2023〕21号", 2023, 2025, "final")
    conflicts = json.loads(final[8])["conflicts"]
    assert [c["value"] for c in conflicts["issuer"]] == ["甘肃省发展和改革委员会"]


def test_policy_sources_view_lists_every_report_with_what_it_gave(store):
    con = sqlite3.connect(store.db_path)
    rows = con.execute(
        "SELECT site, fields_given, fields_disputed FROM v_policy_sources WHERE title LIKE ? AND status = 'final' "
        "ORDER BY site", (PLAN + "%",)).fetchall()
    assert [r[0] for r in rows] == ["biz_weekly", "gov_daily", "hans_news", "kuaixun", "tw_news"]
    given = {site: set((fields or "").split(",")) for site, fields, _ in rows}
    assert {"issued_on", "doc_number"} <= given["gov_daily"]
    assert "issuer" in given["tw_news"]
    assert dict((site, disputed) for site, _, disputed in rows)["biz_weekly"] == "issuer"


def test_rows_written_under_an_older_key_are_folded_into_one(store):
    """A database from before policy_key: two rows for one plan (full-width dash) become one, links moved."""
    con = sqlite3.connect(store.db_path)
    final_id, mentions = con.execute(
        "SELECT p.id, COUNT(m.id) FROM policies p JOIN policy_mentions m ON m.policy_id = p.id "
        "WHERE norm_title = ? GROUP BY p.id", (PLAN + "(2023-2025年)",)).fetchone()
    article = con.execute("SELECT id FROM articles LIMIT 1").fetchone()[0]
    con.execute("INSERT INTO policies (title, norm_title, issuer, field_sources) VALUES (?, ?, ?, ?)",
                (PLAN + "（2023－2025年）", PLAN + "(2023－2025年)", "甘肃省数据局", json.dumps({"issuer": article})))
    dup = con.execute("SELECT last_insert_rowid()").fetchone()[0]
    con.execute("INSERT INTO policy_mentions (policy_id, article_id) VALUES (?, ?)", (dup, article))
    con.commit()
    con.close()
    with store.engine.begin() as conn:
        assert merge_duplicate_policies(conn) == 1
    con = sqlite3.connect(store.db_path)
    assert con.execute("SELECT COUNT(*) FROM policies WHERE id = ?", (dup,)).fetchone()[0] == 0
    assert con.execute("SELECT COUNT(*) FROM policy_mentions WHERE policy_id = ?", (final_id,)).fetchone()[0] \
        == mentions + 1
    sources = json.loads(con.execute("SELECT field_sources FROM policies WHERE id = ?", (final_id,)).fetchone()[0])
    assert {"value": "甘肃省数据局", "article_id": article} in sources["conflicts"]["issuer"]
