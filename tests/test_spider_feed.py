"""feed: a recorded RSS feed → article requests with the feed's titles and dates; a sitemap index → its child
sitemaps (gzipped too) → the URLs matching the detail pattern; the article → the same FetchedPage as any kind."""

from __future__ import annotations

import pytest
from scrapy.http import Request, XmlResponse
from spider_helpers import PAGES, live_entry, recorded, spider_for, summary

import spiders.base
from crawler.items import FetchedPage
from crawler.registry import parse_registry
from spiders.feed import FeedSpider

RSS = "https://www.chinanews.com.cn/rss/china.xml"
SITE = "https://news.example-policy.cn"
SITEMAP_ENTRY = parse_registry(f"""
sites:
  - name: sitemap_site
    kind: feed
    title: 地图站
    start_urls: ["{SITE}/sitemap_index.xml"]
    detail_url_pattern: '/kb/\\d{{4}}/\\d{{4}}/\\d+\\.html$'
    paging: none
""").sites[0]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spiders.base, "utc_now", lambda: "2024-05-14T03:00:00+00:00")


def test_rss_items_matching_the_pattern_become_article_requests_with_title_and_date():
    spider = spider_for(FeedSpider, live_entry("chinanews_china"))
    out = summary(spider.parse_list(recorded("chinanews_china", "china.xml", RSS, kind="xml")))
    assert out == [
        {"url": "https://www.chinanews.com.cn/gn/2024/05-14/10198731.shtml", "page_kind": "detail",
         "hint": {"title": "多地出台措施稳定汽车消费", "date": "2024-05-14"}},
        {"url": "https://www.chinanews.com.cn/gn/2024/05-13/10198012.shtml", "page_kind": "detail",
         "hint": {"title": "国家数据局：推进公共数据资源开发利用", "date": "2024-05-13"}},
    ]  # the /tp/ photo story does not match; the item without a link is skipped


def test_sitemap_index_leads_to_child_sitemaps_and_they_to_articles():
    spider = spider_for(FeedSpider, SITEMAP_ENTRY)
    index = summary(spider.parse_list(recorded("feed_sitemap", "sitemap_index.xml", SITE + "/sitemap_index.xml", kind="xml")))
    assert index == [{"url": SITE + "/sitemap-2024.xml", "page_kind": "list"},
                     {"url": SITE + "/sitemap-2023.xml.gz", "page_kind": "list"}]
    plain = summary(spider.parse_list(recorded("feed_sitemap", "sitemap-2024.xml", SITE + "/sitemap-2024.xml", kind="xml")))
    gzipped_body = (PAGES / "feed_sitemap" / "sitemap-2023.xml.gz").read_bytes()
    url = SITE + "/sitemap-2023.xml.gz"
    gzipped = summary(spider.parse_list(XmlResponse(url=url, body=gzipped_body, request=Request(url))))
    assert plain + gzipped == [
        {"url": SITE + "/kb/2024/0521/5012.html", "page_kind": "detail", "hint": {"date": "2024-05-21"}},
        {"url": SITE + "/kb/2024/0409/5027.html", "page_kind": "detail", "hint": {"date": "2024-04-09"}},
        {"url": SITE + "/kb/2023/1116/4988.html", "page_kind": "detail", "hint": {"date": "2023-11-16"}},
        {"url": SITE + "/kb/2023/0824/4961.html", "page_kind": "detail", "hint": {"date": "2023-08-24"}},
    ]  # /about.html is in the sitemap but is not an article


def test_a_feed_that_is_not_xml_is_reported(caplog: pytest.LogCaptureFixture):
    spider = spider_for(FeedSpider, live_entry("chinanews_china"))
    assert list(spider.parse_list(recorded("chinanews_china", "10198731.shtml", RSS, kind="xml"))) == []
    assert "not an RSS, Atom or sitemap document" in caplog.text
    assert spider.crawler.stats.get_value("policy/chinanews_china/broken/feed_unreadable") == 1


def test_feed_article_becomes_the_same_fetched_page_as_any_kind():
    spider = spider_for(FeedSpider, live_entry("chinanews_china"))
    url = "https://www.chinanews.com.cn/gn/2024/05-14/10198731.shtml"
    hint = {"title": "多地出台措施稳定汽车消费", "date": "2024-05-14"}
    response = recorded("chinanews_china", "10198731.shtml", url, headers={"Content-Type": "text/html; charset=utf-8"},
                        meta={"page_kind": "detail", "hint": hint})
    assert list(spider.parse_detail(response)) == [FetchedPage(
        site="chinanews_china", url=url, final_url=url, status=200, content_type="text/html; charset=utf-8",
        declared_encoding="utf-8", body=(PAGES / "chinanews_china" / "10198731.shtml").read_bytes(),
        fetched_at="2024-05-14T03:00:00+00:00", hint=hint)]
