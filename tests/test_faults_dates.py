"""Impossible dates (issue 21, item 6): 2024-13-45, 2024-02-30 and 0000-00-00 printed by feeds and list pages
never become a publication date; the real dates beside them still do."""

from __future__ import annotations

import pytest
from faults.harness import crawl, site_entry
from faults.server import FaultServer, FaultSite, Reply

from crawler.items import FetchedPage
from crawler.processing import understand_page
from extract.feeds import feed_date, parse_feed
from extract.listing import detail_links

IMPOSSIBLE = ["2024-13-45", "2024-02-30", "0000-00-00", "2023-02-29", "2024-00-10", "2024-04-31",
              "2024年13月45日", "2024/02/30", "Fri, 30 Feb 2024 10:00:00 +0800", "0001-01-01T00:00:00Z"]


@pytest.mark.parametrize(
    ("written", "day"),
    [*((value, None) for value in IMPOSSIBLE),
     ("2024-02-29", "2024-02-29"), ("2024-3-5T08:00:00+08:00", "2024-03-05"), ("2024年3月5日", "2024-03-05"),
     ("Tue, 05 Mar 2024 10:00:00 +0800", "2024-03-05"), ("1978-12-18", "1978-12-18")],
)
def test_feed_dates_are_real_days_or_none(written, day):
    assert feed_date(written) == day


def _rss(dates: list[str], base: str = "http://www.gov.cn") -> bytes:
    items = "".join(f"<item><title>通知{i}</title><link>{base}/art/2024/{i}.html</link><pubDate>{d}</pubDate></item>"
                    for i, d in enumerate(dates))
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


def test_every_kind_of_feed_drops_an_impossible_date_and_keeps_its_entry():
    atom = ('<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>通知</title><link href="/a.html"/>'
            "<updated>2024-13-45T00:00:00Z</updated></entry></feed>").encode()
    sitemap = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://www.gov.cn/a.html</loc>'
               b"<lastmod>0000-00-00</lastmod></url></urlset>")
    for body in (_rss(["2024-02-30"]), atom, sitemap):
        entries = parse_feed(body, "http://www.gov.cn/").entries
        assert len(entries) == 1 and entries[0].date is None


def test_a_list_page_date_that_cannot_be_is_not_the_link_date():
    page = ('<ul><li><a href="/t20240301_1.html">通知</a><span>2024-13-45</span></li>'
            '<li><a href="/t20240301_2.html">通知</a><span>2024-02-30 2024-02-28</span></li></ul>')
    links = detail_links(page, "http://www.gov.cn/", r"/t\d{8}_\d+\.html$")
    assert [link.date for link in links] == [None, "2024-02-28"]


def _dateless_notice(title: str) -> bytes:
    paragraph = "<p>各市州人民政府，省直有关单位：为加快充电基础设施建设，现将有关事项通知如下。到2025年，全省新建公共充电桩3000个。</p>"
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><div class='article'>"
            f"<h1>{title}</h1><div class='content'>{paragraph * 4}</div></div></body></html>").encode()


@pytest.mark.parametrize(("hint", "published_on"), [("2024-02-30", None), ("2024-02-29", "2024-02-29")])
def test_a_stored_hint_with_an_impossible_date_does_not_reach_published_on(hint, published_on):
    """Reextract reads hints stored before dates were checked."""
    url = "http://www.gov.cn/art/2024/1.html"
    item = FetchedPage(site="s", url=url, final_url=url, status=200, content_type="text/html",
                       declared_encoding="utf-8", body=_dateless_notice("关于开展充电设施建设的通知"),
                       fetched_at="2024-03-01T00:00:00+00:00", hint={"date": hint})
    assert understand_page(item).record.published_on == published_on


@pytest.mark.slow
def test_a_crawled_feed_with_impossible_dates_stores_its_articles_without_them(tmp_path):
    dates = ["2024-13-45", "2024-02-30", "0000-00-00", "Tue, 05 Mar 2024 10:00:00 +0800"]
    routes: dict = {f"/art/2024/{i}.html": Reply(body=_dateless_notice(f"关于开展第{i}批充电设施建设的通知"))
                    for i in range(len(dates))}
    with FaultServer(FaultSite(routes), max_requests=50, max_seconds=120) as server:
        server.site.routes["/feed.xml"] = Reply(body=_rss(dates, server.base_url), content_type="application/rss+xml")
        outcome = crawl(tmp_path, [site_entry("fault_feed_dates", server.base_url, start="/feed.xml",
                                              detail=r"/art/2024/\d\.html$", kind="feed")])
    rows = dict(outcome.query("SELECT url, published_at FROM articles"))
    assert {url.rsplit("/", 1)[1]: day for url, day in rows.items()} == {
        "0.html": None, "1.html": None, "2.html": None, "3.html": "2024-03-05"}
