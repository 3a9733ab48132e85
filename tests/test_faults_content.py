"""Content faults: pages that arrive whole but are not what they claim — firewall challenges with status 200,
empty and binary bodies, wrong and mixed charsets, 50 000 nested <div>s, 300 nested <font>s and 10 000 nested
<article>s with text between the tags (past libxml2's depth limit), a 20 MB page, calendars that page
forever and list pages that link to themselves. Each is stored correctly or dropped with its reason in the
run's counts and an `errors` row; the good pages beside them are all stored; memory stays bounded.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from faults.harness import assert_no_half_written_rows, crawl, site_entry
from faults.pages import (
    NOTICES,
    WAF_JS_SHELL,
    WAF_RUISHU_SHELL,
    WAF_SLIDER,
    WAF_TOO_FREQUENT,
    list_html,
    notice_html,
)
from faults.server import FaultServer, FaultSite, Reply

from extract.article import is_probably_article, parse_page
from extract.challenge import detect_challenge
from extract.encoding import decode_html
from extract.listing import next_list_pages, trs_pages

MAX_LIST_PAGES = 15  # the crawl's setting here; the default is 50


def _binary() -> bytes:
    rng = random.Random(11)
    return b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(40_000))


def _gbk_declared_utf8() -> bytes:
    return notice_html(NOTICES[3], charset="utf-8").encode("gb18030")


GBK_PARAGRAPH = NOTICES[4].paragraphs[1]  # pasted from a GBK system into a UTF-8 page


def _mixed() -> bytes:
    before, after = notice_html(NOTICES[4]).split(GBK_PARAGRAPH)
    return before.encode("utf-8") + GBK_PARAGRAPH.encode("gb18030") + after.encode("utf-8")


def _deep(depth: int = 50_000) -> bytes:
    page = notice_html(NOTICES[5])
    page = page.replace('<div class="content">', '<div class="content">' + "<div>" * depth, 1)
    return page.replace('</div></div><div class="footer">', "</div>" * depth + '</div></div><div class="footer">', 1).encode()


def _deep_with_text(tag: str, depth: int) -> bytes:
    """Past libxml2's 256 open elements with text between the tags: each nested `<tag>` opens on a sentence, the
    way an editor's unclosed <font>s pile up (issue 21 item 7). The notice's own paragraphs sit at the bottom."""
    page = notice_html(NOTICES[1])
    run = "".join(f"<{tag}>第{i}条。" for i in range(depth))
    page = page.replace('<div class="content">', f'<div class="content">{run}', 1)
    return page.replace('</div></div><div class="footer">', f"</{tag}>" * depth + '</div></div><div class="footer">',
                        1).encode()


DROPPED = {  # path → (reply, reason)
    "/art/2024/201.html": (Reply(body=WAF_SLIDER.encode()), "waf_challenge"),
    "/art/2024/202.html": (Reply(body=WAF_TOO_FREQUENT.encode()), "waf_challenge"),
    "/art/2024/203.html": (Reply(body=WAF_JS_SHELL.encode()), "waf_challenge"),
    "/art/2024/204.html": (Reply(body=WAF_RUISHU_SHELL.encode()), "waf_challenge"),
    "/art/2024/205.html": (Reply(body=b""), "empty_body"),
    "/art/2024/206.html": (Reply(body=b" \r\n\t \n"), "empty_body"),
    "/art/2024/207.html": (Reply(body=_binary()), "binary_body"),
}
STORED = {  # path → (reply, the notice whose sentences must come out intact)
    "/art/2024/1.html": (Reply(body=notice_html(NOTICES[0]).encode()), NOTICES[0]),
    "/art/2024/2.html": (Reply(body=notice_html(NOTICES[1]).encode()), NOTICES[1]),
    "/art/2024/3.html": (Reply(body=notice_html(NOTICES[2]).encode()), NOTICES[2]),
    "/art/2024/208.html": (Reply(body=_gbk_declared_utf8(), content_type="text/html; charset=utf-8"), NOTICES[3]),
    "/art/2024/209.html": (Reply(body=_mixed(), content_type="text/html; charset=utf-8"), NOTICES[4]),
    "/art/2024/210.html": (Reply(body=_deep()), NOTICES[5]),
    "/art/2024/211.html": (Reply(body=_deep_with_text("font", 300)), NOTICES[1]),
    "/art/2024/212.html": (Reply(body=_deep_with_text("article", 10_000)), NOTICES[1]),
}


def _calendar_day(raw_path: str) -> Reply:
    """A 工作日历 list page: one notice a day and a 下一页 to the next day, for ever."""
    day = dt.date.fromisoformat(urlsplit(raw_path).path.rsplit("/", 1)[1][:10])
    following = day + dt.timedelta(days=1)
    return Reply(body=list_html([(f"/cal/art/{day}.html", f"{day} 工作动态")], next_href=f"/cal/{following}.html",
                                title=f"{day} 工作日历").encode())


def _calendar_notice(raw_path: str) -> Reply:
    day = urlsplit(raw_path).path.rsplit("/", 1)[1][:10]
    notice = NOTICES[int(day[-2:]) % len(NOTICES)]
    return Reply(body=notice_html(replace(notice, title=f"{notice.title}（{day}）")).encode())


def _content_site() -> FaultSite:
    routes: dict = {path: reply for path, (reply, _reason) in DROPPED.items()}
    routes.update({path: reply for path, (reply, _notice) in STORED.items()})
    routes["/list/index.html"] = Reply(body=list_html([(p, "通知") for p in sorted(routes)]).encode())
    # TRS paging that claims a billion list pages
    routes["/trs/index.html"] = Reply(body=(list_html([("/trs/t20240105_1.html", "通知")])
                                            + '<script>createPageHTML(1000000000, 0, "index", "html");</script>').encode())
    routes["/trs/t20240105_1.html"] = Reply(body=notice_html(NOTICES[1]).encode())
    # a list page whose 下一页 and list links point back at itself, dressed up with tracking junk
    routes["/self/index.html"] = Reply(body=list_html(
        [("/self/a1.html", "通知"), ("/self/a2.html#comments", "通知"), ("/self/index.html?utm_source=nav", "首页")],
        next_href="/self/index.html?utm_source=nav#top").encode())
    routes["/self/a1.html"] = Reply(body=notice_html(NOTICES[2]).encode())
    routes["/self/a2.html"] = Reply(body=notice_html(NOTICES[3]).encode())
    return FaultSite(routes, prefixes={
        "/cal/art/": _calendar_notice, "/cal/": _calendar_day,
        "/trs/index_": lambda _raw: Reply(body=list_html([]).encode()),
    })


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("content")
    with FaultServer(_content_site(), max_requests=400, max_seconds=240) as server:
        base = server.base_url
        sites = [
            site_entry("fault_content", base, start="/list/index.html", detail=r"/art/2024/\d+\.html$"),
            site_entry("fault_calendar", base, start="/cal/2024-01-01.html", detail=r"/cal/art/[\d-]+\.html$",
                       list_pattern=r"/cal/[\d-]+\.html$"),
            site_entry("fault_trs_trap", base, start="/trs/index.html", detail=r"/trs/t\d{8}_\d+\.html$", paging="trs"),
            site_entry("fault_self_link", base, start="/self/index.html", detail=r"/self/a\d+\.html$",
                       list_pattern=r"/self/index\.html"),
        ]
        outcome = crawl(tmp, sites, settings={"MAX_LIST_PAGES": MAX_LIST_PAGES})
    print(f"\ncontent faults and pagination traps: {len(DROPPED) + len(STORED) + 3} cases, exit {outcome.exit_code}, "
          f"{outcome.seconds} s, peak RSS {outcome.peak_rss_mb} MB (crawl process {outcome.peak_main_rss_mb} MB, "
          f"largest worker {outcome.peak_worker_rss_mb} MB)")
    return outcome, server


def _paths(outcome, site: str) -> set[str]:
    return {urlsplit(u).path for (u,) in outcome.query(
        "SELECT a.url FROM articles a JOIN sites s ON s.id = a.site_id WHERE s.name = ?", site)}


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(DROPPED))
def test_pages_that_are_not_articles_are_dropped_with_their_reason(content, path):
    outcome, server = content
    _reply, reason = DROPPED[path]
    assert outcome.errors()[path] == (f"dropped_{reason}", 1, 200)
    assert server.hits(path) == 1  # a 200 is not retried: the page is what the server meant to send


@pytest.mark.slow
def test_drop_counts_are_in_the_run_record(content):
    outcome, _server = content
    counts = outcome.site_counts("fault_content")
    assert counts["dropped"] == {"waf_challenge": 4, "empty_body": 2, "binary_body": 1}
    assert counts["new"] == len(STORED)


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(STORED))
def test_awkward_pages_are_stored_with_their_text_intact(content, path):
    outcome, _server = content
    _reply, notice = STORED[path]
    [(title, text)] = outcome.query("SELECT title, text FROM articles WHERE url LIKE ?", f"%{path}")
    assert title == notice.title
    for paragraph in notice.paragraphs:
        assert paragraph in text
    assert "\ufffd" not in text


@pytest.mark.slow
def test_a_calendar_that_pages_forever_stops_at_the_cap_and_says_so(content):
    outcome, server = content
    calendar_pages = [p for p in server.paths() if p.startswith("/cal/") and not p.startswith("/cal/art/")]
    assert len(calendar_pages) == MAX_LIST_PAGES
    assert len(_paths(outcome, "fault_calendar")) == MAX_LIST_PAGES  # the notice of each page read is stored
    counts = outcome.site_counts("fault_calendar")
    assert counts["errors"] == {"list_page_cap": 1}
    rows = outcome.query("SELECT e.url, e.attempts, e.message FROM errors e JOIN sites s ON s.id = e.site_id "
                         "WHERE s.name = 'fault_calendar'")
    assert len(rows) == 1 and rows[0][0].endswith(f"/cal/2024-01-{MAX_LIST_PAGES + 1}.html") and rows[0][1] == 0
    assert "fault_calendar" not in outcome.failures  # a capped list is a gap, not a failed site


@pytest.mark.slow
def test_a_billion_trs_pages_cost_nothing_beyond_the_cap(content):
    outcome, server = content
    assert sum(1 for p in server.paths() if p.startswith("/trs/index")) == MAX_LIST_PAGES
    assert outcome.site_counts("fault_trs_trap")["errors"] == {"list_page_cap": 1}
    assert _paths(outcome, "fault_trs_trap") == {"/trs/t20240105_1.html"}
    assert outcome.log.count("list page cap") == 2  # once per trapped site, not once per unfollowed page


@pytest.mark.slow
def test_a_list_page_linking_to_itself_is_read_once(content):
    outcome, server = content
    assert server.hits("/self/index.html") == 1
    assert _paths(outcome, "fault_self_link") == {"/self/a1.html", "/self/a2.html"}
    assert outcome.site_counts("fault_self_link")["errors"] == {}


@pytest.mark.slow
def test_nothing_half_written_and_no_site_but_the_hostile_ones_complains(content):
    outcome, server = content
    assert_no_half_written_rows(outcome.db)
    assert server.over_budget == 0
    assert outcome.exit_code == 0, outcome.failures  # 7 drops of 13 pages are not fetch failures


# --- a 20 MB page and pages over DOWNLOAD_MAXSIZE: memory stays bounded -------------------------------
PAGE_MB = 20


def _twenty_megabytes() -> bytes:
    filler = "<div class='comment'><p>网友留言：希望尽快落实相关政策，把好事办好、实事办实。</p></div>\n"
    return notice_html(NOTICES[2], extra=filler * (PAGE_MB * 1_000_000 // len(filler.encode()))).encode()


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("big")
    over_cap = b"<html><body>" + b"<p>x</p>" * (40_000_000 // 8)  # DOWNLOAD_MAXSIZE is 32 MB
    routes = {
        "/art/2024/1.html": Reply(body=notice_html(NOTICES[0]).encode()),
        "/art/2024/2.html": Reply(body=notice_html(NOTICES[1]).encode()),
        "/art/2024/301.html": Reply(body=_twenty_megabytes()),
        "/art/2024/302.html": Reply(body=over_cap),
        "/art/2024/303.html": Reply(body=over_cap, fault="no_length"),
    }
    routes["/list/index.html"] = Reply(body=list_html([(p, "通知") for p in routes]).encode())
    with FaultServer(FaultSite(routes), max_requests=50, max_seconds=240) as server:
        entry = site_entry("fault_big", server.base_url, start="/list/index.html", detail=r"/art/2024/\d+\.html$")
        outcome = crawl(tmp, [entry], settings={"DOWNLOAD_TIMEOUT": 60})
    print(f"\n{PAGE_MB} MB page: exit {outcome.exit_code}, {outcome.seconds} s, peak RSS {outcome.peak_rss_mb} MB "
          f"(crawl process {outcome.peak_main_rss_mb} MB, largest worker {outcome.peak_worker_rss_mb} MB)")
    return outcome


@pytest.mark.slow
def test_a_twenty_megabyte_page_is_stored_from_its_head(big):
    [(title, text)] = big.query("SELECT title, text FROM articles WHERE url LIKE '%/301.html'")
    assert title == NOTICES[2].title and NOTICES[2].paragraphs[1] in text
    assert len(text) < 2_000_000  # read up to the page reader's limit, not 20 MB of comments
    assert big.article_paths() == {"/art/2024/1.html", "/art/2024/2.html", "/art/2024/301.html"}


@pytest.mark.slow
def test_pages_over_the_download_cap_are_refused_and_recorded(big):
    errors = big.errors()
    assert errors["/art/2024/302.html"] == ("too_large", 1, None)  # told by Content-Length, never downloaded
    assert errors["/art/2024/303.html"] == ("too_large", 1, None)  # no length: cut off at the cap
    assert big.site_counts("fault_big")["errors"] == {"too_large": 2}
    assert_no_half_written_rows(big.db)


@pytest.mark.slow
def test_memory_for_a_twenty_megabyte_page_is_bounded(big, content):
    baseline, _server = content  # the same crawl machinery on small pages
    growth = big.peak_rss_mb - baseline.peak_rss_mb
    print(f"\npeak RSS {big.peak_rss_mb} MB with the {PAGE_MB} MB page vs {baseline.peak_rss_mb} MB on small pages "
          f"(+{growth:.0f} MB)")
    assert growth < 15 * PAGE_MB


# --- the same rules without a crawl --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("html", "kind"),
    [
        (WAF_SLIDER, "captcha"),
        (WAF_TOO_FREQUENT, "rate_limited"),
        (WAF_JS_SHELL, "js_challenge"),
        (WAF_RUISHU_SHELL, "js_challenge"),
        ("<html><body><h1>403 Forbidden</h1><p>您的请求已被拦截，网站防火墙（安全狗）</p></body></html>", "firewall"),
        ("<html><head><title>Just a moment...</title></head><body><noscript>Enable JavaScript and cookies to "
         "continue</noscript></body></html>", "js_required"),
        ('<html><head><script src="/static/app.8f3a.js"></script></head><body><div id="app"></div></body></html>',
         "empty_shell"),
        (notice_html(NOTICES[0]), None),
        # a real notice on a site whose firewall injects its script into every page is still the notice
        (notice_html(NOTICES[1]).replace("</head>", "<script>$_ts=window['$_ts'];$_ts.nsd=1;</script></head>"), None),
        # 安全验证 in an ordinary news item, with a body longer than a challenge's
        ("<html><head><title>我市开展网络安全验证演练</title></head><body>"
         + "<p>为检验关键信息基础设施防护能力，市网信办近日组织开展网络安全验证演练，各单位按照预案完成处置。</p>" * 8
         + "</body></html>", None),
        ("<html><body></body></html>", None),  # empty, not a challenge: dropped as no body elsewhere
    ],
)
def test_challenge_pages_are_told_from_articles(html, kind):
    found = detect_challenge(html)
    assert (found.kind if found else None) == kind


def test_a_gbk_paragraph_inside_a_utf8_page_is_read_in_its_own_charset():
    text, encoding = decode_html(_mixed(), "utf-8")
    assert encoding == "utf-8+gb18030"
    assert GBK_PARAGRAPH in text and NOTICES[4].paragraphs[0] in text and "\ufffd" not in text


def test_gbk_bytes_declared_utf8_are_read_as_gbk():
    text, encoding = decode_html(_gbk_declared_utf8(), "utf-8")
    assert encoding == "gb18030" and NOTICES[3].paragraphs[1] in text


@pytest.mark.parametrize("depth", [255, 1000, 50_000])
def test_text_inside_deeply_nested_wrappers_is_found(depth):
    started = time.perf_counter()
    record = parse_page(_deep(depth), "http://www.example.gov.cn/art/2024/210.html")
    assert time.perf_counter() - started < 5
    assert NOTICES[5].paragraphs[1] in record.text and is_probably_article(record)


def test_trs_paging_that_claims_a_billion_pages_is_capped_at_once():
    started = time.perf_counter()
    pages = trs_pages('createPageHTML(1000000000, 0, "index", "html");', "http://www.example.gov.cn/col/index.html")
    assert time.perf_counter() - started < 1 and 0 < len(pages) <= 10_000


def test_a_list_page_is_never_its_own_next_page():
    html = list_html([("/col/index.html", "首页")], next_href="/col/index.html")
    assert next_list_pages(html, "http://www.example.gov.cn/col/index.html", "next_link", r"/col/index") == []
