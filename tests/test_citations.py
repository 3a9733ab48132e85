"""Citations: what a notice cites by 发文字号 and/or title, stored and resolved to the articles we hold, in
whichever order they arrive, and rebuilt by reextract."""

from __future__ import annotations

import asyncio
import sqlite3
from urllib.parse import quote

import pytest

from crawler.items import FetchedPage
from crawler.offline import reextract_all
from crawler.processing import extract_page_facts
from crawler.publish import datasette_app
from crawler.store import Store
from extract.citations import Citation, find_citations, own_doc_number
from extract.records import PageRecord, Policy

BEIJING_TITLE = "北京市人民政府办公厅关于印发《北京市促进数字经济创新发展行动纲要（2020—2022年）》的通知"
BEIJING_TEXT = (
    "京政办发〔2020〕19号\n各区人民政府，市政府各委、办、局：\n"
    "为贯彻落实《国务院关于印发“十四五”数字经济发展规划的通知》（国发〔2021〕29号）和国办发〔2020〕27号文件精神，"
    "根据《工业和信息化部等部门关于印发〈制造业数字化转型行动方案〉的通知》（工信部联科〔2022〕3号），"
    "现将《北京市促进数字经济创新发展行动纲要（2020—2022年）》印发给你们，请认真贯彻落实。\n"
    "到2022年，全市数字经济增加值占地区生产总值比重达到55%。\n北京市人民政府办公厅\n2020年9月22日"
)
STATE_TITLE = "国务院关于印发“十四五”数字经济发展规划的通知"
STATE_TEXT = (
    "国发〔2021〕29号\n各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n"
    "现将《“十四五”数字经济发展规划》印发给你们，请认真贯彻执行。\n国务院\n2021年12月12日"
)


def test_titles_with_their_numbers_and_bare_numbers_are_cited_but_not_the_text_itself():
    policies = [
        Policy(
            title="北京市促进数字经济创新发展行动纲要(2020—2022年)",
            doc_number="京政办发〔2020〕19号",
            spans=[(5, 20)],
        ),
        Policy(
            title=STATE_TITLE,
            doc_number="京政办发〔2020〕19号",  # the number the extractor lent it
            spans=[(BEIJING_TEXT.index("国务院关于"), BEIJING_TEXT.index("》（国发"))],
        ),
    ]
    citations = find_citations(
        BEIJING_TEXT, policies, own_title=BEIJING_TITLE, own_doc_number="京政办发〔2020〕19号"
    )
    start = BEIJING_TEXT.index("国务院关于")
    assert citations[0] == Citation("国发〔2021〕29号", STATE_TITLE, start, start + len(STATE_TITLE))
    assert [(c.doc_number, c.title) for c in citations[1:]] == [
        ("国办发〔2020〕27号", None),
        ("工信部联科〔2022〕3号", None),
    ]
    bare = citations[1]
    assert BEIJING_TEXT[bare.start : bare.end] == "国办发〔2020〕27号"


def test_a_text_without_policies_cites_its_numbers_once():
    text = "依据国发〔2021〕29号、国发[2021]29号和国务院令第708号办理。"
    assert [c.doc_number for c in find_citations(text)] == ["国发〔2021〕29号", "国务院令第708号"]


def test_the_own_number_comes_from_the_policy_bearing_the_title_when_the_page_has_no_field():
    policies = [Policy(title=STATE_TITLE, doc_number="国发〔2021〕29号")]
    assert own_doc_number(STATE_TITLE, None, policies) == "国发〔2021〕29号"
    assert own_doc_number(STATE_TITLE, "国发〔2021〕30号", policies) == "国发〔2021〕30号"
    assert own_doc_number("另一篇新闻", None, policies) is None


def _notice(url: str, title: str, text: str, doc_number: str | None) -> FetchedPage:
    record = PageRecord(
        url=url,
        title=title,
        published_at="2021-12-20",
        source=None,
        text=text,
        text_original=text,
        language="zh-Hans",
        encoding="utf-8",
        doc_number=doc_number,
    )
    item = FetchedPage(
        site="sample_gov",
        url=url,
        final_url=url,
        status=200,
        content_type="text/html",
        declared_encoding="utf-8",
        body=f"<html><body><h1>{title}</h1><p>{text}</p></body></html>".encode(),
        fetched_at="2021-12-21T00:00:00+00:00",
        record=record,
    )
    return extract_page_facts(item)


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "policy.db")


def _state_notice() -> FetchedPage:
    """The State Council's notice (国发〔2021〕29号): the document the Beijing notice cites."""
    return _notice("http://www.gov.cn/zhengce/2.html", STATE_TITLE, STATE_TEXT, "国发〔2021〕29号")


def _beijing_notice() -> FetchedPage:
    """Beijing's notice (京政办发〔2020〕19号), citing three documents by number and title."""
    return _notice("http://www.beijing.gov.cn/zhengce/1.html", BEIJING_TITLE, BEIJING_TEXT, "京政办发〔2020〕19号")


def _graph(db_path) -> list[tuple]:
    con = sqlite3.connect(db_path)
    return con.execute(
        "SELECT citing_title, cited_doc_number, cited_title, cited_article_title, cited_policy_title IS NOT NULL "
        "FROM v_policy_citations ORDER BY id"
    ).fetchall()


def test_a_citation_resolves_to_the_cited_notice_stored_later(store):
    run = store.start_run({})
    store.save_article(_beijing_notice(), run)
    before = {row[1]: row[3] for row in _graph(store.db_path)}
    assert before == {"国发〔2021〕29号": None, "国办发〔2020〕27号": None, "工信部联科〔2022〕3号": None}
    store.save_article(_state_notice(), run)
    rows = _graph(store.db_path)
    assert (BEIJING_TITLE, "国发〔2021〕29号", STATE_TITLE, STATE_TITLE, 1) in rows
    # the State Council's notice cites nothing but the plan it issues, which is itself: no edge from it
    assert not [r for r in rows if r[0] == STATE_TITLE]


def test_a_citation_resolves_at_once_when_the_cited_notice_is_there(store):
    run = store.start_run({})
    store.save_article(_state_notice(), run)
    store.save_article(_beijing_notice(), run)
    resolved = [r for r in _graph(store.db_path) if r[3] is not None]
    assert resolved == [(BEIJING_TITLE, "国发〔2021〕29号", STATE_TITLE, STATE_TITLE, 1)]


def test_reextract_rebuilds_the_citations_without_duplicates(store):
    run = store.start_run({})
    store.save_article(_state_notice(), run)
    store.save_article(_beijing_notice(), run)
    before = _graph(store.db_path)
    con = sqlite3.connect(store.db_path)
    con.execute("DELETE FROM policy_citations")
    con.commit()
    reextract_all(str(store.db_path), 0)
    after = _graph(store.db_path)
    assert len(after) == len(before) == 3
    assert {r[1] for r in after} == {r[1] for r in before}


# --- in datasette: the citation graph and the series chart as canned queries ---------------------------------


def test_datasette_shows_the_citation_graph_and_the_series_chart(store):
    run = store.start_run({})
    store.save_article(_state_notice(), run)
    store.save_article(_beijing_notice(), run)
    ds = datasette_app(store.db_path)

    def rows(path: str) -> list[dict]:
        response = asyncio.run(ds.client.get(path))
        assert response.status_code == 200, response.text[:300]
        return response.json()["rows"]

    cited_by = rows("/policy/citation_graph.json?_shape=objects&document=" + quote("国发〔2021〕29号"))
    assert [(r["direction"], r["document"], r["other"], r["doc_number"]) for r in cited_by] == [
        ("cited by", STATE_TITLE, BEIJING_TITLE, "京政办发〔2020〕19号")
    ]
    cites = rows("/policy/citation_graph.json?_shape=objects&document=" + quote("京政办发〔2020〕19号"))
    assert {(r["doc_number"], r["resolved"]) for r in cites} == {
        ("国发〔2021〕29号", 1),
        ("国办发〔2020〕27号", 0),
        ("工信部联科〔2022〕3号", 0),
    }
    series = rows("/policy/document_number_series.json?_shape=objects&issuer=" + quote("国发"))
    assert [(r["issuer_code"], r["year"], r["bar"], r["missing"]) for r in series] == [
        ("国发", 2021, "█" + "░" * 19, "1-28")
    ]
    html = asyncio.run(ds.client.get("/policy/document_number_series?issuer=")).text
    assert "发文字号 series and their holes" in html and "京政办发" in html
