"""news: a recorded GBK list page of a policy news site → article requests; a recorded GBK article whose
byline date only the registry's `selectors` finds → the FetchedPage with that date as a hint, compared whole."""

from __future__ import annotations

import pytest
from spider_helpers import PAGES, live_entry, recorded, spider_for, summary

import spiders.base
from crawler.items import FetchedPage
from crawler.processing import understand_page
from spiders.news import NewsSpider

LIST = "https://www.ce.cn/xwzx/gnsz/gdxw/"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spiders.base, "utc_now", lambda: "2024-06-12T02:00:00+00:00")


def test_gbk_list_page_gives_article_requests():
    spider = spider_for(NewsSpider, live_entry("ce_gnsz"))
    out = summary(spider.parse_list(recorded("ce_gnsz", "gdxw.html", LIST, headers={"Content-Type": "text/html"})))
    assert out == [
        {"url": LIST + "202406/t20240612_39040001.shtml", "page_kind": "detail",
         "hint": {"title": "财政部：上半年将下达地方政府专项债券额度"}},
        {"url": LIST + "202406/t20240611_39038120.shtml", "page_kind": "detail",
         "hint": {"title": "商务部：推动汽车以旧换新政策落地见效"}},
        {"url": "http://www.ce.cn/xwzx/gnsz/szyw/202406/t20240611_39037700.shtml", "page_kind": "detail",
         "hint": {"title": "时政要闻一则"}},
    ]  # paging is `none` for this entry: the 下一页 link is not followed


def test_article_date_comes_from_the_registry_selector():
    spider = spider_for(NewsSpider, live_entry("ce_gnsz"))
    url = LIST + "202406/t20240612_39040001.shtml"
    response = recorded("ce_gnsz", "t20240612_39040001.shtml", url, headers={"Content-Type": "text/html"},
                        meta={"page_kind": "detail", "hint": {"title": "财政部：上半年将下达地方政府专项债券额度"}})
    out = list(spider.parse_detail(response))
    assert out == [FetchedPage(
        site="ce_gnsz", url=url, final_url=url, status=200, content_type="text/html", declared_encoding=None,
        body=(PAGES / "ce_gnsz" / "t20240612_39040001.shtml").read_bytes(), fetched_at="2024-06-12T02:00:00+00:00",
        hint={"title": "财政部：上半年将下达地方政府专项债券额度", "date": "2024-06-12"})]
    record = understand_page(out[0]).record
    assert (record.title, record.published_on, record.fields_from.get("published_on")) == (
        "财政部：上半年将下达地方政府专项债券额度", "2024-06-12", "list")
    assert "专项债券重点支持交通基础设施" in record.text
