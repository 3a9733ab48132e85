"""The bundled sample sites behave like the real sources a crawler meets: fetched over real HTTP with urllib."""

from __future__ import annotations

import html
import io
import json
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest

from crawler.sample_sites import SITE_NAMES, ExpectedArticle, SampleSites

LIST_PAGES = {
    "sample_policy_library": ["/"],
    "sample_gov_portal": [
        "/col/col_tzgg/index.html",
        "/col/col_tzgg/index_1.html",
        "/col/col_tzgg/index_2.html",
    ],
    "sample_news_hans": ["/news/list_1.html", "/news/list_2.html"],
    "sample_news_hant": ["/zh-tw/policy/page/1/", "/zh-tw/policy/page/2/"],
    "sample_news_mangled": ["/kuaixun/index.html", "/kuaixun/index_2.html"],
    "sample_feed": ["/"],  # its crawl reads /rss.xml and /sitemap_index.xml; the home page links every story too
}


class Fetched:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def text(self, encoding: str = "utf-8") -> str:
        return html.unescape(self.body.decode(encoding))


def encoding_of(site: str) -> str:
    return "gb18030" if site == "sample_gov_portal" else "utf-8"


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Fetched:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return Fetched(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:  # 304, 404, 500 arrive here
        return Fetched(error.code, dict(error.headers), error.read())


@pytest.fixture(scope="module")
def sites() -> Iterator[SampleSites]:
    with SampleSites(version=1) as running:
        yield running


def url(sites: SampleSites, site: str, path: str) -> str:
    return sites.base_urls[site] + path


def all_expected(sites: SampleSites) -> list[ExpectedArticle]:
    return [a for site in SITE_NAMES for a in sites.expected_articles(site)]


def by_path(sites: SampleSites, site: str, path: str) -> ExpectedArticle:
    return next(a for a in sites.expected_articles(site) if urlsplit(a.url).path == path)


def links_on(page_html: str, base: str) -> set[str]:
    return {urljoin(base, href) for href in re.findall(r'href="([^"]+)"', page_html)}


# --- starting and stopping -------------------------------------------------------------------------------------


def test_start_takes_under_a_second_and_stop_closes_every_port() -> None:
    started = time.perf_counter()
    running = SampleSites().start()
    elapsed = time.perf_counter() - started
    ports = [urlsplit(base).port for base in running.base_urls.values()]
    assert fetch(running.base_urls["sample_news_hans"] + "/robots.txt").status == 200
    running.stop()
    assert elapsed < 1.0
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_each_site_has_its_own_local_port(sites: SampleSites) -> None:
    assert list(sites.base_urls) == list(SITE_NAMES)
    hosts = {urlsplit(base).netloc for base in sites.base_urls.values()}
    assert len(hosts) == len(SITE_NAMES)
    assert all(base.startswith("http://127.0.0.1:") for base in sites.base_urls.values())


def test_context_manager_closes_the_ports_on_exit() -> None:
    with SampleSites() as running:
        port = urlsplit(running.base_urls["sample_gov_portal"]).port
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_stable_urls_do_not_depend_on_the_random_port(sites: SampleSites) -> None:
    live = url(sites, "sample_news_hans", "/news/list_1.html?x=1")
    stable = sites.stable_url(live)
    assert stable == "http://sample_news_hans.sample.invalid/news/list_1.html?x=1"
    assert sites.live_url(stable) == live
    assert sites.stable_url("https://www.gov.cn/zhengce/") == "https://www.gov.cn/zhengce/"
    with SampleSites() as other:
        assert other.stable_url(url(other, "sample_news_hans", "/news/list_1.html?x=1")) == stable


# --- ground truth ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("site", "at_least"),
    [
        ("sample_policy_library", 12),
        ("sample_gov_portal", 10),
        ("sample_news_hans", 8),
        ("sample_news_hant", 6),
        ("sample_news_mangled", 5),
    ],
)
def test_each_site_has_enough_readable_articles(sites: SampleSites, site: str, at_least: int) -> None:
    readable = [a for a in sites.expected_articles(site) if a.expected_status in ("ok", "500_once")]
    assert len(readable) >= at_least


def test_at_least_forty_readable_articles_in_all(sites: SampleSites) -> None:
    assert len([a for a in all_expected(sites) if a.expected_status in ("ok", "500_once")]) >= 40


def test_the_broken_pages_are_recorded_in_the_ground_truth(sites: SampleSites) -> None:
    statuses = sorted(a.expected_status for a in all_expected(sites) if a.expected_status != "ok")
    assert statuses == ["404", "500", "500_once"]
    no_charset = [a for a in all_expected(sites) if a.declared_charset is None]
    assert [(a.site, a.encoding) for a in no_charset] == [("sample_gov_portal", "gbk")]


def test_unknown_site_name_is_refused(sites: SampleSites) -> None:
    with pytest.raises(KeyError, match="sample_news_hans"):
        sites.expected_articles("sample_news")


# --- every detail page answers as the ground truth says --------------------------------------------------------


def test_every_article_answers_with_its_expected_status() -> None:
    with SampleSites() as running:  # its own servers: the 500-once page must see its first request here
        for article in all_expected(running):
            first = fetch(article.url)
            second = fetch(article.url)
            expected = {"ok": (200, 200), "404": (404, 404), "500": (500, 500), "500_once": (500, 200)}
            assert (first.status, second.status) == expected[article.expected_status], article.url
            if second.status == 200:
                page = second.text("gb18030" if article.encoding == "gbk" else "utf-8")
                assert article.title in page, article.url
                assert article.snippet in page, article.url


@pytest.mark.parametrize("site", SITE_NAMES)
def test_list_pages_link_every_expected_article(sites: SampleSites, site: str) -> None:
    linked: set[str] = set()
    for path in LIST_PAGES[site]:
        page = fetch(url(sites, site, path))
        assert page.status == 200
        linked |= links_on(page.text(encoding_of(site)), url(sites, site, path))
    expected = {a.url for a in sites.expected_articles(site)}
    if site == "sample_policy_library":  # its articles are listed by the JSON API instead
        api = [json.loads(fetch(url(sites, site, f"/api/search?page={n}")).body) for n in (1, 2)]
        linked = {url(sites, site, item["url"]) for page in api for item in page["items"]}
    assert expected <= linked


# --- robots.txt and the disallowed area ------------------------------------------------------------------------


@pytest.mark.parametrize("site", SITE_NAMES)
def test_robots_txt_disallows_admin(sites: SampleSites, site: str) -> None:
    robots = fetch(url(sites, site, "/robots.txt"))
    assert robots.status == 200
    assert robots.text().splitlines() == ["User-agent: *", "Disallow: /admin/"]


@pytest.mark.parametrize("site", SITE_NAMES)
def test_a_list_page_links_into_the_disallowed_admin_area(sites: SampleSites, site: str) -> None:
    first_list = url(sites, site, LIST_PAGES[site][0])
    links = links_on(fetch(first_list).text(encoding_of(site)), first_list)
    assert any(urlsplit(link).path.startswith("/admin/") for link in links)


@pytest.mark.parametrize("site", SITE_NAMES)
def test_unknown_paths_are_404(sites: SampleSites, site: str) -> None:
    assert fetch(url(sites, site, "/no/such/page.html")).status == 404


# --- the central policy library --------------------------------------------------------------------------------


def test_search_api_pages_ten_items_at_a_time(sites: SampleSites) -> None:
    first = json.loads(fetch(url(sites, "sample_policy_library", "/api/search?page=1")).body)
    second = json.loads(fetch(url(sites, "sample_policy_library", "/api/search?page=2")).body)
    assert (first["page"], first["pages"], first["total"], len(first["items"])) == (1, 2, 13, 10)
    assert (second["page"], second["pages"], len(second["items"])) == (2, 2, 3)
    item = first["items"][0]
    assert set(item) == {"title", "url", "pubDate", "docNumber", "issuer"}
    assert re.fullmatch(r"/zhengce/content/\d{4}-\d{2}/\d{2}/content_\d{7}\.htm", item["url"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", item["pubDate"])
    dates = [i["pubDate"] for i in first["items"] + second["items"]]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    ("query", "status", "items"),
    [
        ("page=3", 200, 0),
        ("", 200, 10),
        ("page=1&q=5G", 200, 10),
        ("page=abc", 400, None),
        ("page=0", 400, None),
    ],
)
def test_search_api_edges(sites: SampleSites, query: str, status: int, items: int | None) -> None:
    answer = fetch(url(sites, "sample_policy_library", f"/api/search?{query}"))
    assert answer.status == status
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    if items is not None:
        assert len(json.loads(answer.body)["items"]) == items


@pytest.mark.parametrize(
    "fragment",
    [
        '<meta name="ArticleTitle" content="工业和信息化部关于印发《5G融合应用深化行动计划（2021-2023年）》的通知">',
        '<meta name="PubDate" content="2021-04-27 16:30">',
        '<meta name="ContentSource" content="工业和信息化部网站">',
        '<meta name="SiteName" content="中国政府网">',
        '<meta name="SiteIDCode" content="bm01000001">',
        '<meta name="ColumnName" content="国务院部门文件">',
        '<meta name="firstpublishedtime" content="2021-04-27-16:30:00">',
        "<b>索 引 号：</b></td><td>000014349/2021-00045</td>",
        "<b>主题分类：</b></td><td>工业、交通\\信息产业（含电信）</td>",
        "<b>发文机关：</b></td><td>工业和信息化部</td>",
        "<b>成文日期：</b></td><td>2021年04月23日</td>",
        "<b>标　　题：</b>",
        "<b>发文字号：</b></td><td>工信部通信〔2021〕64号</td>",
        "<b>发布日期：</b></td><td>2021年04月27日</td>",
        '<div class="pages_content" id="UCAP-CONTENT">',
        "到2023年，5G个人用户普及率超过40%",
    ],
)
def test_library_detail_page_carries_government_metadata(
    retried_library_page: tuple[int, Fetched], fragment: str
) -> None:
    first_status, page = retried_library_page
    assert (first_status, page.status) == (500, 200)
    assert fragment in page.body.decode("utf-8")


@pytest.fixture(scope="module")
def retried_library_page() -> tuple[int, Fetched]:
    """The 5G plan page fails on its first request: fetch it twice on fresh servers, as a retrying crawler would."""
    path = "/zhengce/content/2021-04/27/content_5601234.htm"
    with SampleSites() as running:
        first = fetch(url(running, "sample_policy_library", path))
        return first.status, fetch(url(running, "sample_policy_library", path))


@pytest.mark.parametrize("doc_number", ["国办发〔2020〕35号", "发改高技[2021]415号", "工信部企业(2022)18号"])
def test_library_doc_numbers_come_in_bracket_variants(sites: SampleSites, doc_number: str) -> None:
    api = [
        json.loads(fetch(url(sites, "sample_policy_library", f"/api/search?page={n}")).body) for n in (1, 2)
    ]
    assert doc_number in {item["docNumber"] for page in api for item in page["items"]}


# --- the GBK provincial portal ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("index", "page"), [(0, "index.html"), (1, "index_1.html"), (2, "index_2.html")])
def test_portal_list_pages_page_the_trs_way(sites: SampleSites, index: int, page: str) -> None:
    answer = fetch(url(sites, "sample_gov_portal", f"/col/col_tzgg/{page}"))
    assert answer.headers["Content-Type"] == "text/html; charset=gbk"
    with pytest.raises(UnicodeDecodeError):
        answer.body.decode("utf-8")
    text = answer.text("gb18030")
    assert f'createPageHTML(3, {index}, "index", "html");' in text
    assert '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />' in text
    assert "通知公告" in text
    assert (f'<a href="index_{index + 1}.html">下一页</a>' in text) == (index < 2)


def test_portal_gbk_pages_hold_characters_that_gb2312_cannot_decode(sites: SampleSites) -> None:
    article = sites.expected_articles("sample_gov_portal")[0]
    body = fetch(article.url).body
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    text = body.decode("gb18030")
    assert "责任编辑：王镕" in text


@pytest.mark.parametrize(
    ("path", "content_type", "meta", "phrase"),
    [
        (
            "/col/col_tzgg/202104/t20210427_1452317.html",
            "text/html; charset=gbk",
            True,
            "联系人：省工业和信息化厅 刘堃",
        ),
        ("/col/col_tzgg/202106/t20210628_1471156.html", "text/html", True, "联系人：王喆"),
        ("/col/col_tzgg/202308/t20230825_1533906.html", "text/html", False, "联系人：李喆"),
    ],
)
def test_portal_charset_declarations(
    sites: SampleSites, path: str, content_type: str, meta: bool, phrase: str
) -> None:
    answer = fetch(url(sites, "sample_gov_portal", path))
    assert answer.headers["Content-Type"] == content_type
    assert (b"charset" in answer.body) == meta
    assert phrase in answer.text("gb18030")


@pytest.mark.parametrize(
    "fragment",
    [
        '<meta name="SiteIDCode" content="4300000035">',
        '<meta name="ArticleTitle" content="湖南省人民政府办公厅关于印发《湖南省数字经济发展三年行动计划（2021-2023年）》的通知">',
        '<meta name="PubDate" content="2021-04-27 10:15">',
        '<meta name="ContentSource" content="湖南省人民政府办公厅">',
        "<th>发文字号：</th><td>湘政办发〔2021〕12号</td>",
        "<th>标　　题：</th>",
        '<div class="TRS_Editor">',
        "力争到2023年，全省数字经济总量突破1.5万亿元，年均增长15%左右",
        '<a href="./P020210427014523170001.pdf" OLDSRC="/col/col_tzgg/202104/P020210427014523170001.pdf">',
    ],
)
def test_portal_notice_page_shape(sites: SampleSites, fragment: str) -> None:
    page = fetch(url(sites, "sample_gov_portal", "/col/col_tzgg/202104/t20210427_1452317.html"))
    assert fragment in page.body.decode("gb18030")


def test_portal_has_two_plans_of_one_province_with_different_targets(sites: SampleSites) -> None:
    titles = [a.title for a in sites.expected_articles("sample_gov_portal")]
    assert any("湖南省数字经济发展三年行动计划（2021-2023年）" in t for t in titles)
    assert any("湖南省数字经济发展总体规划（2021-2025年）" in t for t in titles)
    plan = fetch(url(sites, "sample_gov_portal", "/col/col_tzgg/202106/t20210615_1468802.html")).text(
        "gb18030"
    )
    assert "到2025年，全省数字经济规模达到2.5万亿元" in plan
    assert "1.5万亿元" not in plan


@pytest.mark.parametrize(
    ("notice_path", "kind", "phrase"),
    [
        ("/col/col_tzgg/202104/t20210427_1452317.html", "pdf", "力争到2023年全省建成5G基站8万个以上"),
        ("/col/col_tzgg/202104/t20210427_1452317.html", "docx", "填报说明：总投资1000万元以上的项目方可申报"),
        ("/col/col_tzgg/202106/t20210615_1468802.html", "pdf", "到2025年，全省数字经济规模达到2.5万亿元"),
        ("/col/col_tzgg/202106/t20210628_1471156.html", "docx", "本企业承诺所填内容真实有效。"),
        ("/col/col_tzgg/202208/t20220816_1507741.html", "pdf", "2022年拟评选5G应用标杆项目50个左右。"),
        ("/col/col_tzgg/202403/t20240308_1558019.html", "docx", "申报单位承诺所报材料真实、准确。"),
        (
            "/col/col_tzgg/202403/t20240308_1558019.html",
            "pdf",
            "场景上线运行不少于6个月，上链数据量不少于10万条。",
        ),
    ],
)
def test_portal_attachments_are_readable_documents(
    sites: SampleSites, notice_path: str, kind: str, phrase: str
) -> None:
    article = by_path(sites, "sample_gov_portal", notice_path)
    assert article.has_attachments
    attachment = next(u for u in article.attachment_urls if u.endswith("." + kind))
    assert re.search(r"/col/col_tzgg/\d{6}/P0\d{8}\d+\.(pdf|docx)$", attachment)
    answer = fetch(attachment)
    assert answer.status == 200
    assert answer.headers["ETag"] and answer.headers["Last-Modified"]
    assert phrase in read_document(answer.body, kind)


def read_document(body: bytes, kind: str) -> str:
    if kind == "pdf":
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(body))
        return "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    import docx

    document = docx.Document(io.BytesIO(body))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_portal_notices_without_attachments_say_so(sites: SampleSites) -> None:
    with_files = [a for a in sites.expected_articles("sample_gov_portal") if a.has_attachments]
    assert 3 <= len(with_files) < len(sites.expected_articles("sample_gov_portal"))
    assert all(a.attachment_urls for a in with_files)


# --- the news sites --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fragment",
    [
        '<meta property="og:title" content="湖南发布数字经济三年行动计划 力争2023年数字经济总量突破1.5万亿元">',
        '<meta property="article:published_time" content="2021-04-28T08:35:00+08:00">',
        '<span class="source">来源：潇湘财经报</span> <span class="author">作者：记者 李 婧</span>',
        '<div class="breadcrumb"><a href="/">首页</a> &gt; <a href="/news/list_1.html">政策</a> &gt; 正文</div>',
        '<div class="share-bar">分享到：',
        "<h3>网友评论（3）</h3>",
        "<h3>相关阅读</h3>",
        "4月27日，湖南省人民政府办公厅印发《湖南省数字经济发展三年行动计划（2021-2023年）》",
    ],
)
def test_news_hans_article_shape(sites: SampleSites, fragment: str) -> None:
    page = fetch(url(sites, "sample_news_hans", "/news/20210428/3101.html"))
    assert fragment in page.body.decode("utf-8")


def test_news_hans_list_links_a_page_that_is_gone(sites: SampleSites) -> None:
    gone = [a for a in sites.expected_articles("sample_news_hans") if a.expected_status == "404"]
    assert len(gone) == 1
    listed = set()
    for path in LIST_PAGES["sample_news_hans"]:
        listed |= links_on(
            fetch(url(sites, "sample_news_hans", path)).text(), url(sites, "sample_news_hans", path)
        )
    assert gone[0].url in listed
    assert fetch(gone[0].url).status == 404


@pytest.mark.parametrize(
    ("site", "first", "second"),
    [
        ("sample_news_hans", "/news/list_1.html", "/news/list_2.html"),
        ("sample_news_hant", "/zh-tw/policy/page/1/", "/zh-tw/policy/page/2/"),
        ("sample_news_mangled", "/kuaixun/index.html", "/kuaixun/index_2.html"),
    ],
)
def test_news_list_pages_chain_with_a_next_link(
    sites: SampleSites, site: str, first: str, second: str
) -> None:
    text = fetch(url(sites, site, first)).text()
    assert re.search(rf'<a class="next" href="{re.escape(second)}">下一[页頁]</a>', text)
    assert 'class="next"' not in fetch(url(sites, site, second)).text()


def hant_page(sites: SampleSites, article_id: int) -> str:
    return fetch(url(sites, "sample_news_hant", f"/zh-tw/article/{article_id}.html")).text()


@pytest.mark.parametrize(
    ("article_id", "fragment"),
    [
        (8807, "區塊鍊"),
        (8868, "推動5萬家以上企業上鍊"),
        (8807, "<p>以上資訊由兩岸財經網編輯部綜合整理，僅供參考，不構成投資建議。</p>"),
        (8807, "<p>更多資訊請關注兩岸財經網政策頻道，或訂閱本站電子報。</p>"),
        (8807, "<p>責任編輯：陳冠宇</p>"),
        (8801, "力爭到2023年，湖南數字經濟總量突破1.5萬億元"),
        (8852, '<meta property="og:title" content="江蘇打造長三角算力樞紐 2025年數據中心機架達到60萬架">'),
        (8839, "香港特區政府"),
    ],
)
def test_news_hant_is_traditional_with_variant_trailer_and_related(
    sites: SampleSites, article_id: int, fragment: str
) -> None:
    assert fragment in hant_page(sites, article_id)


def test_news_hant_related_list_has_dated_headlines(sites: SampleSites) -> None:
    page = hant_page(sites, 8807)
    related = re.findall(r"(\d{4}-\d{2}-\d{2}) 兩岸財經網發布了《([^》]+)》的文章", page)
    assert len(related) == 6
    assert ("2023-06-26", "浙江以區塊鍊賦能數字經濟 杭州建設區塊鍊產業園") in related


def test_news_hant_body_has_no_simplified_only_characters(sites: SampleSites) -> None:
    for article in sites.expected_articles("sample_news_hant"):
        body = fetch(article.url).text()
        assert "经济" not in body and "数据" not in body and "区块" not in body, article.url


def test_news_hant_syndicates_hans_stories_with_new_headlines_and_trimmed_endings(sites: SampleSites) -> None:
    import opencc

    to_simplified = opencc.OpenCC("t2s.json")
    hans = fetch(url(sites, "sample_news_hans", "/news/20210428/3101.html")).text()
    hant = to_simplified.convert(hant_page(sites, 8801)).replace("区块鍊", "区块链")
    first_paragraph = re.search(r"<p>(4月27日.+?)</p>", hans).group(1)
    ending = "业内专家认为，中西部省份要避免同质化竞争"
    assert first_paragraph in hant
    assert ending in hans and ending not in hant
    hans_title = by_path(sites, "sample_news_hans", "/news/20210428/3101.html").title
    assert (
        to_simplified.convert(by_path(sites, "sample_news_hant", "/zh-tw/article/8801.html").title)
        != hans_title
    )


@pytest.mark.parametrize(
    ("article_id", "fragment"),
    [
        (5512, "累计建成5g基站8万个.培育数字经济领域'独角兽'企业3至5家."),
        (5512, "推动ai与制造业深度融合."),
        (5548, "2025年ai产业规模将超过3000亿元"),
        (5501, "力争到2023年.湖南数字经济总量突破1.5万亿元.年均增长15%左右."),
    ],
)
def test_news_mangled_replaces_punctuation(sites: SampleSites, article_id: int, fragment: str) -> None:
    page = fetch(url(sites, "sample_news_mangled", f"/kuaixun/{article_id}.html")).text()
    assert fragment in page


def test_news_mangled_body_keeps_no_chinese_sentence_punctuation(sites: SampleSites) -> None:
    for article in sites.expected_articles("sample_news_mangled"):
        if article.expected_status != "ok":
            continue
        body = re.search(r'<div class="kx-body"><p>(.+?)</p>', fetch(article.url).text()).group(1)
        assert not re.search(r"[，。；：“”]", body), article.url
        assert "." in body


# --- caching headers, HEAD and the request log -----------------------------------------------------------------


def test_detail_pages_answer_conditional_requests_with_304(sites: SampleSites) -> None:
    article = url(sites, "sample_news_hans", "/news/20220315/3208.html")
    first = fetch(article)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert last_modified == "Tue, 15 Mar 2022 03:30:00 GMT"  # 11:30 in Beijing
    assert fetch(article, headers={"If-None-Match": etag}).status == 304
    assert fetch(article, headers={"If-None-Match": f'W/{etag}, "other"'}).status == 304
    assert fetch(article, headers={"If-Modified-Since": last_modified}).status == 304
    assert fetch(article, headers={"If-Modified-Since": "Mon, 14 Mar 2022 00:00:00 GMT"}).status == 200
    assert (
        fetch(article, headers={"If-None-Match": '"stale"', "If-Modified-Since": last_modified}).status == 200
    )
    not_modified = fetch(article, headers={"If-None-Match": etag})
    assert not_modified.body == b"" and not_modified.headers["ETag"] == etag


def test_list_pages_carry_no_validators(sites: SampleSites) -> None:
    page = fetch(url(sites, "sample_news_hans", "/news/list_1.html"))
    assert "ETag" not in page.headers and "Last-Modified" not in page.headers


def test_head_answers_headers_without_body(sites: SampleSites) -> None:
    target = url(sites, "sample_gov_portal", "/col/col_tzgg/202104/t20210427_1452317.html")
    head, get = fetch(target, method="HEAD"), fetch(target)
    assert head.status == 200 and head.body == b""
    assert head.headers["Content-Length"] == str(len(get.body))
    assert head.headers["ETag"] == get.headers["ETag"]


def test_every_request_is_logged_with_its_conditional_headers() -> None:
    with SampleSites() as running:
        target = url(running, "sample_news_hant", "/zh-tw/article/8807.html")
        etag = fetch(target).headers["ETag"]
        fetch(target, headers={"If-None-Match": etag, "User-Agent": "policy-crawler-test"})
        fetch(url(running, "sample_news_hant", "/missing"), method="HEAD")
        log = running.requests
    assert [(e.site, e.method, e.path, e.status) for e in log] == [
        ("sample_news_hant", "GET", "/zh-tw/article/8807.html", 200),
        ("sample_news_hant", "GET", "/zh-tw/article/8807.html", 304),
        ("sample_news_hant", "HEAD", "/missing", 404),
    ]
    assert (log[1].if_none_match, log[1].user_agent, log[0].if_none_match) == (
        etag,
        "policy-crawler-test",
        None,
    )


# --- version 2 --------------------------------------------------------------------------------------------------


def test_version_two_adds_one_article_and_changes_one() -> None:
    with SampleSites(version=1) as running:
        before = {a.url: a for a in all_expected(running)}
        changed = next(a for a in before.values() if a.modified_in_version == 2)
        old = fetch(changed.url)
        list_before = fetch(url(running, "sample_news_hans", "/news/list_1.html")).text()

        running.set_version(2)

        after = {a.url: a for a in all_expected(running)}
        added = set(after) - set(before)
        assert len(added) == 1 and set(before) <= set(after)
        (new_url,) = added
        list_after = fetch(url(running, "sample_news_hans", "/news/list_1.html")).text()
        assert urlsplit(new_url).path in list_after and urlsplit(new_url).path not in list_before
        assert fetch(new_url).status == 200

        new = fetch(changed.url, headers={"If-None-Match": old.headers["ETag"]})
        assert new.status == 200
        assert new.headers["ETag"] != old.headers["ETag"]
        assert new.headers["Last-Modified"] != old.headers["Last-Modified"]
        assert "到2025年，全省建成充电桩15万个以上" in new.text("gb18030")
        assert "到2025年，全省建成充电桩12万个以上" in old.text("gb18030")
        unchanged = by_path(running, "sample_gov_portal", "/col/col_tzgg/202104/t20210427_1452317.html")
        assert unchanged.modified_in_version is None
