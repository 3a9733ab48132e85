"""gov_portal: recorded list pages of real portals (our pages, in their structure) → detail requests with hints
and the next list pages; a recorded notice → the FetchedPage item, compared whole, and the fields it reads as."""

from __future__ import annotations

import pytest
from spider_helpers import PAGES, live_entry, recorded, spider_for, summary

import spiders.base
from crawler.items import FetchedPage
from crawler.processing import understand_page
from spiders.gov_portal import GovPortalSpider

HUNAN = "https://www.hunan.gov.cn/hnszf/xxgk/wjk/szfbgt/"
GUIZHOU = "https://www.guizhou.gov.cn/zwgk/zcfg/szfwj/qff/"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spiders.base, "utc_now", lambda: "2024-06-01T08:00:00+00:00")


def test_next_link_list_page_gives_detail_requests_with_hints_and_the_next_page():
    spider = spider_for(GovPortalSpider, live_entry("hunan"))
    out = summary(spider.parse_list(recorded("hunan", "wjk_glrb_2.html", HUNAN + "wjk_glrb_2.html")))
    details = [row for row in out if row["page_kind"] == "detail"]
    assert details == [
        {"url": HUNAN + "202401/t20240115_32801122.html", "page_kind": "detail",
         "hint": {"title": "湖南省人民政府办公厅关于加快发展县域冷链物流的实施意见", "date": "2024-01-15"}},
        {"url": HUNAN + "202401/t20240109_32796650.html", "page_kind": "detail",
         "hint": {"title": "湖南省人民政府办公厅关于印发《湖南省2024年为民办实事项目实施方案》的通知", "date": "2024-01-09"}},
    ]  # the #xgwj repeat and the 图解 page of another column are not notices of this list
    assert {"url": HUNAN + "wjk_glrb_3.html", "page_kind": "list"} in out


def test_trs_list_page_pages_by_create_page_html():
    spider = spider_for(GovPortalSpider, live_entry("guizhou"))
    out = summary(spider.parse_list(recorded("guizhou", "index_1.html", GUIZHOU + "index_1.html")))
    assert [row for row in out if row["page_kind"] == "detail"] == [
        {"url": GUIZHOU + "202311/t20231120_83120455.html", "page_kind": "detail",
         "hint": {"title": "省人民政府关于支持黔东南州加快民族文化旅游发展的意见（黔府发〔2023〕19号）", "date": "2023-11-20"}},
        {"url": GUIZHOU + "202310/t20231027_82966310.html", "page_kind": "detail",
         "hint": {"title": "省人民政府关于推进新型工业化的实施意见（黔府发〔2023〕17号）", "date": "2023-10-27"}},
    ]
    lists = {row["url"] for row in out if row["page_kind"] == "list"}
    assert lists and lists <= {GUIZHOU + "index.html", GUIZHOU + "index_2.html"}


def test_notice_page_becomes_one_fetched_page_and_its_attachment_request():
    spider = spider_for(GovPortalSpider, live_entry("hunan"))
    url = HUNAN + "202401/t20240115_32801122.html"
    hint = {"title": "湖南省人民政府办公厅关于加快发展县域冷链物流的实施意见", "date": "2024-01-15"}
    response = recorded("hunan", "t20240115_32801122.html", url, headers={"Content-Type": "text/html; charset=utf-8"},
                        meta={"page_kind": "detail", "hint": hint})
    out = list(spider.parse_detail(response))
    pdf = HUNAN + "202401/P020240115612345678901.pdf"
    assert out[0] == FetchedPage(
        site="hunan", url=url, final_url=url, status=200, content_type="text/html; charset=utf-8",
        declared_encoding="utf-8", body=(PAGES / "hunan" / "t20240115_32801122.html").read_bytes(),
        fetched_at="2024-06-01T08:00:00+00:00", hint=hint,
        attachment_links=[{"url": pdf, "name": "县域冷链物流重点项目清单.pdf", "type": "pdf"}],
    )
    assert summary(out[1:]) == [{"url": pdf, "page_kind": "attachment"}]
    record = understand_page(out[0]).record
    assert (record.title, record.doc_number, record.issuer, record.index_no, record.published_on, record.written_on) == (
        "湖南省人民政府办公厅关于加快发展县域冷链物流的实施意见", "湘政办发〔2024〕2号", "湖南省人民政府办公厅",
        "430000-2024-00012", "2024-01-15", "2024-01-10")
    assert "县级冷链物流集配中心80个以上" in record.text
