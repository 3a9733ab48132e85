"""policy_api: a recorded answer of the gov.cn policy library's search API → detail requests carrying the API's
title/date/文号/发文机关 as hints, the other result pages; a recorded 国务院文件 → the FetchedPage, whole."""

from __future__ import annotations

import json

import pytest
from spider_helpers import PAGES, live_entry, recorded, spider_for, summary

import spiders.base
from crawler.items import FetchedPage
from crawler.processing import understand_page
from spiders.policy_api import PolicyApiSpider

API = "https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary_gw&q=&sort=pubtime&sortType=1&searchfield=title&p=1&n=20"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spiders.base, "utc_now", lambda: "2024-06-01T08:00:00+00:00")


def test_first_api_page_gives_detail_requests_with_api_hints_and_schedules_the_other_pages():
    spider = spider_for(PolicyApiSpider, live_entry("govcn_policy_library"))
    out = summary(spider.parse_list(recorded("govcn_policy_library", "search_p1.json", API, kind="json")))
    assert [row for row in out if row["page_kind"] == "detail"] == [
        {"url": "https://www.gov.cn/zhengce/content/202402/content_5712001.htm", "page_kind": "detail",
         "hint": {"title": "国务院关于加快构建废弃物循环利用体系的意见", "date": "2024-02-09",
                  "doc_number": "国发〔2024〕7号", "issuer": "国务院"}},
        {"url": "https://www.gov.cn/zhengce/content/202403/content_5711800.htm", "page_kind": "detail",
         "hint": {"title": "国务院办公厅关于进一步优化支付服务提升支付便利性的意见",
                  "doc_number": "国办发〔2024〕10号", "issuer": "国务院办公厅"}},
    ]  # <em> stripped, a null pubtimeStr dropped; the 图解 page does not match the detail pattern
    base = "https://sousuo.www.gov.cn/search-gov/data?t=zhengcelibrary_gw&q=&sort=pubtime&sortType=1&searchfield=title&n=20"
    lists = [row["url"] for row in out if row["page_kind"] == "list"]
    assert lists[0] == base + "&p=2" and set(lists) <= {base + "&p=2", base + "&p=3"}  # pages are walked in order


def test_api_answer_that_is_not_json_is_reported_not_raised(caplog: pytest.LogCaptureFixture):
    spider = spider_for(PolicyApiSpider, live_entry("govcn_policy_library"))
    response = recorded("govcn_policy_library", "content_5712001.htm", API, kind="json")
    assert list(spider.parse_list(response)) == []
    assert "not JSON" in caplog.text
    assert spider.crawler.stats.get_value("policy/govcn_policy_library/broken/api_not_json") == 1


def test_policy_page_becomes_one_fetched_page_read_with_its_information_table():
    spider = spider_for(PolicyApiSpider, live_entry("govcn_policy_library"))
    url = "https://www.gov.cn/zhengce/content/202402/content_5712001.htm"
    hint = {"title": "国务院关于加快构建废弃物循环利用体系的意见", "date": "2024-02-09"}
    response = recorded("govcn_policy_library", "content_5712001.htm", url, meta={"page_kind": "detail", "hint": hint})
    out = list(spider.parse_detail(response))
    assert out == [FetchedPage(
        site="govcn_policy_library", url=url, final_url=url, status=200, content_type=None, declared_encoding=None,
        body=(PAGES / "govcn_policy_library" / "content_5712001.htm").read_bytes(),
        fetched_at="2024-06-01T08:00:00+00:00", hint=hint)]
    record = understand_page(out[0]).record
    assert (record.title, record.doc_number, record.issuer, record.index_no, record.published_on) == (
        "国务院关于加快构建废弃物循环利用体系的意见", "国发〔2024〕7号", "国务院", "000014349/2024-00012", "2024-02-09")


def test_dotted_field_paths_read_nested_api_answers():
    """miit's API nests each hit in groupData[0].data: the registry names the path, the spider follows it."""
    spider = spider_for(PolicyApiSpider, live_entry("miit"))
    answer = {"data": {"searchResult": {"dataResults": [{"groupData": [{"data": {
        "title": "关于开展试点的通知", "url": "/zwgk/zcwj/wjfb/tz/art/2024/art_0a1b2c3d4e5f60718293a4b5c6d7e8f9.html",
        "deploytime": "1718265900000"}}]}]}}}
    from scrapy.http import Request, TextResponse

    url = live_entry("miit").start_urls[0]
    response = TextResponse(url=url, body=json.dumps(answer).encode(), request=Request(url))
    assert summary(spider.parse_list(response)) == [
        {"url": "https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/art/2024/art_0a1b2c3d4e5f60718293a4b5c6d7e8f9.html",
         "page_kind": "detail", "hint": {"title": "关于开展试点的通知"}}]
