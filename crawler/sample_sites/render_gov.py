"""The two government sites: the central policy library (JSON API + detail pages) and the GBK provincial portal."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from crawler.sample_sites.attachments import build_docx, build_ofd, build_pdf, build_xlsx
from crawler.sample_sites.model import BuiltSite, ExpectedArticle, Resource
from crawler.sample_sites.texts import beijing_time, load_site_content, paragraphs

LIBRARY = "sample_policy_library"
PORTAL = "sample_gov_portal"
API_PAGE_SIZE = 10
PORTAL_PAGE_SIZE = 4
HTML_UTF8 = "text/html; charset=utf-8"
ADMIN_LINK = '<a href="/admin/cms/login.html">网站管理</a>'
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ofd": "application/ofd",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BUILDERS = {"pdf": build_pdf, "docx": build_docx, "ofd": build_ofd, "xlsx": build_xlsx}


def current(item: dict[str, Any], version: int) -> dict[str, Any]:
    """The item as served in `version`: its `v2` overrides apply from version 2 on."""
    if version >= 2 and item.get("v2"):
        return {**item, **item["v2"]}
    return item


def visible(items: list[dict[str, Any]], version: int) -> list[dict[str, Any]]:
    shown = [current(i, version) for i in items if int(i.get("since_version", 1)) <= version]
    return sorted(shown, key=lambda i: str(i["published_at"]), reverse=True)


def cn_date(day: str) -> str:
    """'2021-04-27' → '2021年04月27日', as 信息公开 tables print it."""
    y, m, d = str(day)[:10].split("-")
    return f"{y}年{m}月{d}日"


def body_html(body: str, indent: bool = True) -> str:
    style = ' style="text-indent: 2em;"' if indent else ""
    return "\n".join(f"<p{style}>{escape(p)}</p>" for p in paragraphs(body))


def snippet_of(body: str) -> str:
    return next((p for p in paragraphs(body) if len(p) >= 30), paragraphs(body)[0])[:20]


# --- the central policy library ------------------------------------------------------------------------------


def library_path(item: dict[str, Any]) -> str:
    day = str(item["published_at"])[:10]
    return f"/zhengce/content/{day[:7]}/{day[8:10]}/content_{item['id']}.htm"


def library_info_table(item: dict[str, Any]) -> str:
    rows = [
        ("索 引 号：", item["index_no"], "主题分类：", item["topic"]),
        ("发文机关：", item["issuer"], "成文日期：", cn_date(item["written_on"])),
    ]
    html = ['<table class="bd1" cellpadding="0" cellspacing="0" border="0" width="100%">']
    for a, b, c, d in rows:
        html.append(
            f'<tr><td width="15%"><b>{a}</b></td><td>{escape(b)}</td><td><b>{c}</b></td><td>{escape(d)}</td></tr>'
        )
    html.append(f'<tr><td><b>标　　题：</b></td><td colspan="3">{escape(item["title"])}</td></tr>')
    html.append(
        f"<tr><td><b>发文字号：</b></td><td>{escape(item['doc_number'])}</td>"
        f"<td><b>发布日期：</b></td><td>{cn_date(item['published_at'])}</td></tr>"
    )
    html.append("</table>")
    return "\n".join(html)


def library_detail_page(item: dict[str, Any], site_name: str) -> str:
    title, pub = escape(item["title"]), str(item["published_at"])
    first = pub.replace(" ", "-") + ":00"
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}_{escape(item["column"])}_{site_name}</title>
<meta name="SiteName" content="{site_name}">
<meta name="SiteDomain" content="www.gov.cn">
<meta name="SiteIDCode" content="bm01000001">
<meta name="ColumnName" content="{escape(item["column"])}">
<meta name="ColumnType" content="政策文件">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{pub}">
<meta name="ContentSource" content="{escape(item["source"])}">
<meta name="Keywords" content="{escape(item["issuer"])}">
<meta name="firstpublishedtime" content="{first}">
<link rel="stylesheet" href="/css/policy.css">
</head>
<body>
<div class="header"><div class="nav"><a href="/">首页</a> | <a href="/">新闻</a> | <a href="/">政策</a> | <a href="/">互动</a> | <a href="/">服务</a> | <a href="/">数据</a></div></div>
<div class="BreadcrumbNav"><a href="/">首页</a> &gt; <a href="/">政策</a> &gt; <a href="/">{escape(item["column"])}</a></div>
<div class="policyLibraryOverview_header">
{library_info_table(item)}
</div>
<div class="pages_content" id="UCAP-CONTENT">
{body_html(item["body"])}
</div>
<div class="pages-date">{pub}&nbsp;&nbsp;来源：{escape(item["source"])}</div>
<div class="editor">【我要纠错】 责任编辑：张宁</div>
<div class="footer">主办单位：国务院办公厅　运行维护单位：中国政府网运行中心<br>
版权所有：中国政府网　网站标识码bm01000001　京ICP备05070218号　{ADMIN_LINK}</div>
</body>
</html>
"""


def library_api_page(items: list[dict[str, Any]], page: int, pages: int) -> bytes:
    chunk = items[(page - 1) * API_PAGE_SIZE : page * API_PAGE_SIZE]
    payload = {
        "page": page,
        "pages": pages,
        "total": len(items),
        "items": [
            {
                "title": i["title"],
                "url": library_path(i),
                "pubDate": str(i["published_at"])[:10],
                "docNumber": i["doc_number"],
                "issuer": i["issuer"],
            }
            for i in chunk
        ],
    }
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def build_policy_library(version: int) -> BuiltSite:
    content = load_site_content(LIBRARY)
    items = visible(content["items"], version)
    site = BuiltSite(LIBRARY)
    pages = max(1, -(-len(items) // API_PAGE_SIZE))
    site.api_page_count = pages
    site.api_pages = {n: library_api_page(items, n, pages) for n in range(1, pages + 1)}
    home = (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>国务院政策文件库_{content["site_name"]}</title>'
        f'</head><body><h1>国务院政策文件库</h1><p><a href="/api/search?page=1">政策文件检索</a></p>'
        f'<div class="footer">{ADMIN_LINK}</div></body></html>'
    )
    site.resources["/"] = Resource(HTML_UTF8, home.encode("utf-8"))
    for item in items:
        path = library_path(item)
        status = item.get("status", "ok")
        modified = beijing_time(item.get("modified_at", item["published_at"]))
        html = library_detail_page(item, content["site_name"]).encode("utf-8")
        site.resources[path] = Resource(HTML_UTF8, html, status=status, last_modified=modified)
        site.expected.append(
            ExpectedArticle(
                site=LIBRARY,
                url=path,
                title=item["title"],
                published_on=str(item["published_at"])[:10],
                language="zh-Hans",
                has_attachments=False,
                expected_status=status,
                snippet=snippet_of(item["body"]),
                modified_in_version=2 if item.get("v2") else None,
            )
        )
    return site


# --- the provincial portal (GBK, TRS-style) ------------------------------------------------------------------


def portal_paths(notice: dict[str, Any]) -> tuple[str, str, str]:
    """(month directory, detail path, yyyymmdd) in TRS style: /col/col_tzgg/202104/t20210427_1452317.html."""
    day = str(notice["published_at"])[:10].replace("-", "")
    month_dir = f"/col/col_tzgg/{day[:6]}"
    return month_dir, f"{month_dir}/t{day}_{notice['id']}.html", day


def attachment_path(notice: dict[str, Any], index: int, kind: str) -> str:
    month_dir, _, day = portal_paths(notice)
    return f"{month_dir}/P0{day}{notice['id']:08d}{index:04d}.{kind}"


def portal_head(title: str, meta_charset: bool, extra: str = "") -> str:
    charset = (
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />\n' if meta_charset else ""
    )
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{charset}<title>{title}</title>
<meta name="SiteName" content="湖南省人民政府门户网站">
<meta name="SiteDomain" content="www.hunan.gov.cn">
<meta name="SiteIDCode" content="4300000035">
<meta name="ColumnName" content="通知公告">
<meta name="ColumnType" content="通知公告">
{extra}<script type="text/javascript" src="/js/jquery.min.js"></script>
</head>"""


PORTAL_HEADER = """<div class="header"><div class="logo">湖南省人民政府门户网站</div>
<div class="nav"><a href="/">首页</a><a href="/col/col_tzgg/index.html">通知公告</a><a href="/col/col_tzgg/index.html">政务公开</a><a href="/col/col_tzgg/index.html">政务服务</a><a href="/admin/cms/login.html">内网登录</a></div></div>"""
PORTAL_FOOTER = """<div class="footer">主办：湖南省人民政府办公厅　承办：湖南省电子政务服务中心<br>
网站标识码：4300000035　湘ICP备05001016号　湘公网安备43010502000123号</div>
</body>
</html>"""


def portal_info_table(notice: dict[str, Any]) -> str:
    cells = [
        ("索 引 号：", notice["index_no"], "主题分类：", notice["topic"]),
        ("发文机关：", notice["issuer"], "成文日期：", cn_date(notice["written_on"])),
        ("标　　题：", notice["title"], None, None),
        ("发文字号：", notice["doc_number"], "发布日期：", cn_date(notice["published_at"])),
    ]
    rows = []
    for a, b, c, d in cells:
        if c is None:
            rows.append(f'<tr><th>{a}</th><td colspan="3">{escape(b)}</td></tr>')
        else:
            rows.append(f"<tr><th>{a}</th><td>{escape(b)}</td><th>{c}</th><td>{escape(d)}</td></tr>")
    return '<table class="xxgk_table" width="100%" border="0">\n' + "\n".join(rows) + "\n</table>"


def portal_detail_page(notice: dict[str, Any], meta_charset: bool) -> str:
    title = escape(notice["title"])
    links = []
    for index, attachment in enumerate(notice.get("attachments", []), start=1):
        path = attachment_path(notice, index, attachment["type"])
        name = escape(f"{attachment['name']}.{attachment['type']}")
        links.append(f'<p><a href="./{path.rsplit("/", 1)[1]}" OLDSRC="{path}">{name}</a></p>')
    extra = (
        f'<meta name="ArticleTitle" content="{title}">\n<meta name="PubDate" content="{notice["published_at"]}">\n'
        f'<meta name="ContentSource" content="{escape(notice["source"])}">\n'
        f'<meta name="Keywords" content="{escape(notice["issuer"])}">\n'
    )
    return f"""{portal_head(f"{title}-湖南省人民政府门户网站", meta_charset, extra)}
<body>
{PORTAL_HEADER}
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/col/col_tzgg/index.html">通知公告</a></div>
<div class="xxgk">
{portal_info_table(notice)}
</div>
<div class="main_con">
<h1 class="sp_title">{title}</h1>
<div class="sp_time"><span>发布时间：{str(notice["published_at"])[:10]}</span><span>来源：{escape(notice["source"])}</span>
<span>【字体：<a>大</a> <a>中</a> <a>小</a>】</span><span>【<a>打印</a>】【<a>关闭</a>】</span></div>
<div class="TRS_Editor">
{body_html(notice["body"])}
{"".join(links)}
</div>
<div class="editor">责任编辑：王镕</div>
</div>
{PORTAL_FOOTER}"""


def portal_list_page(notices: list[dict[str, Any]], index: int, pages: int) -> str:
    items = []
    for notice in notices:
        _, path, _ = portal_paths(notice)
        relative = "./" + path.split("/col/col_tzgg/", 1)[1]
        items.append(
            f'<li><span class="date">{str(notice["published_at"])[:10]}</span>'
            f'<a href="{relative}" target="_blank" title="{escape(notice["title"])}">{escape(notice["title"])}</a></li>'
        )
    nav = []
    if index > 0:
        nav.append(f'<a href="{"index.html" if index == 1 else f"index_{index - 1}.html"}">上一页</a>')
    if index < pages - 1:
        nav.append(f'<a href="index_{index + 1}.html">下一页</a>')
        nav.append(f'<a href="index_{pages - 1}.html">尾页</a>')
    return f"""{portal_head("通知公告-湖南省人民政府门户网站", True)}
<body>
{PORTAL_HEADER}
<div class="crumb">当前位置：<a href="/">首页</a> &gt; 通知公告</div>
<div class="list_box"><ul class="list">
{chr(10).join(items)}
</ul></div>
<div class="page">
<script type="text/javascript">createPageHTML({pages}, {index}, "index", "html");</script>
{" ".join(nav)}
</div>
{PORTAL_FOOTER}"""


def gbk(html: str) -> bytes:
    return html.encode("gbk")


def build_gov_portal(version: int) -> BuiltSite:
    content = load_site_content(PORTAL)
    notices = visible(content["notices"], version)
    site = BuiltSite(PORTAL)
    page_chunks = [notices[i : i + PORTAL_PAGE_SIZE] for i in range(0, len(notices), PORTAL_PAGE_SIZE)]
    for index, chunk in enumerate(page_chunks):
        name = "index.html" if index == 0 else f"index_{index}.html"
        site.resources[f"/col/col_tzgg/{name}"] = Resource(
            "text/html; charset=gbk", gbk(portal_list_page(chunk, index, len(page_chunks)))
        )
    site.resources["/"] = Resource(
        "text/html; charset=gbk",
        gbk(f"{portal_head('湖南省人民政府门户网站', True)}<body>{PORTAL_HEADER}{PORTAL_FOOTER}"),
    )
    for notice in notices:
        add_portal_notice(site, notice)
    return site


def add_portal_notice(site: BuiltSite, notice: dict[str, Any]) -> None:
    charset = notice.get("charset", "header")
    _, path, _ = portal_paths(notice)
    modified = beijing_time(notice.get("modified_at", notice["published_at"]))
    content_type = "text/html; charset=gbk" if charset == "header" else "text/html"
    html = gbk(portal_detail_page(notice, meta_charset=charset != "none"))
    site.resources[path] = Resource(content_type, html, last_modified=modified)
    attachment_urls = []
    for index, attachment in enumerate(notice.get("attachments", []), start=1):
        kind = attachment["type"]
        attachment_url = attachment_path(notice, index, kind)
        builder = BUILDERS[kind]
        site.resources[attachment_url] = Resource(
            CONTENT_TYPES[kind],
            build=lambda b=builder, a=attachment: b(a["name"], a["text"]),
            last_modified=beijing_time(notice["published_at"]),
        )
        attachment_urls.append(attachment_url)
    site.expected.append(
        ExpectedArticle(
            site=PORTAL,
            url=path,
            title=notice["title"],
            published_on=str(notice["published_at"])[:10],
            language="zh-Hans",
            has_attachments=bool(attachment_urls),
            expected_status=notice.get("status", "ok"),
            encoding="gbk",
            declared_charset={"header": "gbk", "meta_only": "gb2312"}.get(charset),
            attachment_urls=tuple(attachment_urls),
            snippet=snippet_of(notice["body"]),
            modified_in_version=2 if notice.get("v2") else None,
        )
    )
