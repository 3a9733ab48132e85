"""发文字号 → (issuer code, year, serial), however a site writes the brackets, and only what is a number."""

from __future__ import annotations

import sqlite3
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.items import FetchedPage
from crawler.models import SCHEMA_VERSION
from crawler.processing import extract_page_facts
from crawler.store import Store
from extract.doc_numbers import find_doc_numbers, parse_doc_number
from extract.records import PageRecord


@pytest.mark.parametrize(
    "text, expected",
    [
        ("国发〔2021〕29号", ("国发", 2021, 29, "国发〔2021〕29号")),
        ("国办发〔2020〕19号", ("国办发", 2020, 19, "国办发〔2020〕19号")),
        ("京政办发〔2020〕19号", ("京政办发", 2020, 19, "京政办发〔2020〕19号")),
        ("工信部联科〔2022〕3号", ("工信部联科", 2022, 3, "工信部联科〔2022〕3号")),
        ("京政办发[2020]19号", ("京政办发", 2020, 19, "京政办发〔2020〕19号")),
        ("沪府办规（2019）7号", ("沪府办规", 2019, 7, "沪府办规〔2019〕7号")),
        ("粤府函(2023)118号", ("粤府函", 2023, 118, "粤府函〔2023〕118号")),
        ("川办发［2022］41号", ("川办发", 2022, 41, "川办发〔2022〕41号")),
        ("浙政发【2021】8号", ("浙政发", 2021, 8, "浙政发〔2021〕8号")),
        ("苏政办发﹝2021﹞ 64 号", ("苏政办发", 2021, 64, "苏政办发〔2021〕64号")),
        ("国发〔2021〕第29号", ("国发", 2021, 29, "国发〔2021〕29号")),
        ("发改能源〔2022〕０２０６号", ("发改能源", 2022, 206, "发改能源〔2022〕206号")),
        ("中华人民共和国国务院令第708号", ("国务院令", None, 708, "国务院令第708号")),
        ("国家税务总局公告2021年第5号", ("国家税务总局公告", 2021, 5, "国家税务总局公告2021年第5号")),
        ("发文字号：鄂政办函〔2024〕12号", ("鄂政办函", 2024, 12, "鄂政办函〔2024〕12号")),
        ("（湘政发〔2018〕3号）", ("湘政发", 2018, 3, "湘政发〔2018〕3号")),
    ],
)
def test_a_field_value_is_parsed_into_its_series(text, expected):
    number = parse_doc_number(text)
    assert number is not None
    assert (number.issuer_code, number.year, number.serial, number.canonical) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("根据国务院印发的国发〔2021〕29号文件精神", [("国发", 2021, 29)]),
        ("按照国办发〔2020〕19号和京政办发（2020）19号要求", [("国办发", 2020, 19), ("京政办发", 2020, 19)]),
        ("现将《关于印发方案的通知》（工信部联科〔2022〕3号）转发给你们", [("工信部联科", 2022, 3)]),
        ("依据中华人民共和国商务部令2019年第1号执行", [("商务部令", 2019, 1)]),
        ("2021年第29号文件和〔2021〕29号都不是字号", []),  # no issuer code before the year
        ("国发〔2021〕0号", []),  # serials start at 1
        ("国发〔1850〕3号", []),  # not a year of the People's Republic's documents
        ("令第5号", []),  # 令 alone names no issuer
        ("ABC〔2021〕5号", []),
    ],
)
def test_numbers_in_running_text_lose_the_words_before_them(text, expected):
    assert [(n.issuer_code, n.year, n.serial) for n in find_doc_numbers(text)] == expected


def test_spans_point_at_the_number_in_the_text():
    text = "根据国务院印发的国发[2021]29号文件"
    (number,) = find_doc_numbers(text)
    assert text[number.start : number.end] == "国发[2021]29号"


def test_empty_values_give_none():
    assert parse_doc_number(None) is None
    assert parse_doc_number("") is None
    assert parse_doc_number("无") is None


@given(st.text(alphabet=st.sampled_from("国发办京〔〕[]()（）第号年令公告20219 根据的和"), max_size=80))
def test_any_text_parses_without_error_and_spans_are_inside(text):
    for number in find_doc_numbers(text):
        assert 0 <= number.start < number.end <= len(text)
        assert number.serial > 0 and len(number.issuer_code) >= 2


def test_linear_in_the_input():
    """A page of brackets and Han runs (the worst case of the backtracking) is parsed in well under a second."""
    text = ("国务院办公厅关于进一步加强管理工作的通知〔2021〕" * 5000) + "国发〔2021〕29号"
    started = time.perf_counter()
    numbers = find_doc_numbers(text)
    assert time.perf_counter() - started < 2.0
    assert numbers[-1].canonical == "国发〔2021〕29号"


# --- stored: doc_numbers filled with the articles and policies, and the series view -------------------------


def _notice(url: str, doc_number: str, cites: str = "") -> FetchedPage:
    title = f"国务院关于{doc_number}事项的通知"
    text = f"{doc_number}\n各省、自治区、直辖市人民政府：{cites}现予印发。\n国务院"
    record = PageRecord(
        url=url,
        title=title,
        published_at="2021-06-01",
        source=None,
        text=text,
        text_original=text,
        language="zh-Hans",
        encoding="utf-8",
        doc_number=doc_number,
    )
    return extract_page_facts(
        FetchedPage(
            site="sample_gov",
            url=url,
            final_url=url,
            status=200,
            content_type="text/html",
            declared_encoding="utf-8",
            body=f"<html><body><p>{text}</p></body></html>".encode(),
            fetched_at="2021-06-02T00:00:00+00:00",
            record=record,
        )
    )


def test_the_series_view_shows_numbers_seen_largest_holes_and_coverage(tmp_path):
    store = Store(tmp_path / "policy.db")
    run = store.start_run({})
    for i, number in enumerate(
        [
            "国发〔2021〕1号",
            "国发[2021]2号",
            "国发〔2021〕5号",
            "国发（2021）9号",
            "国办发〔2020〕19号",
            "国务院令第708号",
        ]
    ):
        store.save_article(_notice(f"http://www.gov.cn/zhengce/{i}.html", number), run)
    # a number only cited counts as seen (the document exists), not as held
    store.save_article(
        _notice("http://www.gov.cn/zhengce/x.html", "国发〔2021〕3号", "根据国发〔2021〕7号文件，"), run
    )
    con = sqlite3.connect(store.db_path)
    con.row_factory = sqlite3.Row
    series = {
        (r["issuer_code"], r["year"]): dict(r) for r in con.execute("SELECT * FROM v_doc_number_series")
    }
    gf = series[("国发", 2021)]
    assert (gf["numbers_seen"], gf["held"], gf["largest"], gf["holes"], gf["coverage"]) == (6, 5, 9, 3, 0.667)
    assert gf["numbers"] == "1,2,3,5,7,9" and gf["missing"] == "4,6,8"
    assert gf["bar"] == "█" * 13 + "░" * 7
    assert (series[("国办发", 2020)]["missing"], series[("国办发", 2020)]["numbers_seen"]) == ("1-18", 1)
    assert series[("国务院令", None)]["largest"] == 708
    sources = dict(con.execute("SELECT source, COUNT(*) FROM doc_numbers GROUP BY source").fetchall())
    assert sources["article"] == 7 and sources["citation"] == 1


def test_reextract_and_a_changed_notice_replace_its_numbers(tmp_path):
    store = Store(tmp_path / "policy.db")
    run = store.start_run({})
    store.save_article(
        _notice(
            "http://www.gov.cn/zhengce/x.html",
            "国发〔2021〕3号",
            "根据《国务院关于加强数字政府建设的指导意见》（国发〔2021〕7号），",
        ),
        run,
    )
    store.save_article(
        _notice("http://www.gov.cn/zhengce/x.html", "国发〔2021〕4号", "根据国发〔2021〕8号，"), run
    )
    con = sqlite3.connect(store.db_path)
    rows = con.execute(
        "SELECT doc_number, source FROM doc_numbers WHERE article_id IS NOT NULL ORDER BY doc_number"
    ).fetchall()
    assert rows == [("国发〔2021〕4号", "article"), ("国发〔2021〕8号", "citation")]


def test_an_older_database_is_migrated_and_its_numbers_filled(tmp_path):
    db = tmp_path / "policy.db"
    store = Store(db)
    run = store.start_run({})
    store.save_article(_notice("http://www.gov.cn/zhengce/1.html", "国发〔2021〕29号"), run)
    con = sqlite3.connect(db)
    con.executescript(
        "DROP VIEW v_doc_number_series; DROP VIEW v_policy_citations; DROP TABLE policy_citations;"
        "DROP TABLE doc_numbers; PRAGMA user_version = 3;"
    )
    con.close()
    Store(db)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("SELECT issuer_code, year, numbers_seen FROM v_doc_number_series").fetchall() == [
        ("国发", 2021, 1)
    ]
