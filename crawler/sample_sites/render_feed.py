"""The feed site: a policy news site whose new stories come through RSS 2.0 and all stories through a
sitemap index (one sitemap per year) — the `feed` spider kind crawls it without reading any list page.

It also lists a sitemap URL that is not a story (/about.html), which the registry's detail pattern must skip.
"""

from __future__ import annotations

from email.utils import format_datetime
from html import escape
from typing import Any

from crawler.sample_sites.model import BuiltSite, ExpectedArticle, Resource
from crawler.sample_sites.render_gov import HTML_UTF8, snippet_of, visible
from crawler.sample_sites.texts import beijing_time, load_site_content, paragraphs

FEED = "sample_feed"
XML_UTF8 = "application/xml; charset=utf-8"
RSS_UTF8 = "application/rss+xml; charset=utf-8"


def feed_path(article: dict[str, Any]) -> str:
    day = str(article["published_at"])[:10]
    return f"/kb/{day[:4]}/{day[5:7]}{day[8:10]}/{article['id']}.html"


def article_page(article: dict[str, Any], site_name: str) -> str:
    title = escape(article["title"])
    stamp = str(article["published_at"])
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}_{escape(site_name)}</title>
<meta name="publishdate" content="{stamp[:10]}">
<meta property="og:title" content="{title}">
<link rel="alternate" type="application/rss+xml" title="{escape(site_name)}" href="/rss.xml">
</head>
<body>
<div class="topbar"><a href="/">首页</a> <a href="/rss.xml">RSS订阅</a> <a href="/admin/">登录</a></div>
<div class="main">
<h1 class="title">{title}</h1>
<p class="info">{stamp}　来源：{escape(article["source"])}　{escape(article["author"])}</p>
<div class="content">
{chr(10).join(f"<p>{escape(p)}</p>" for p in paragraphs(article["body"]))}
</div>
<p class="editor">【编辑：陈 思】</p>
</div>
<div class="footer">{escape(site_name)} 版权所有</div>
</body>
</html>
"""


def rss(articles: list[dict[str, Any]], site_name: str) -> bytes:
    items = "\n".join(
        f"""<item>
<title>{escape(a["title"])}</title>
<link>{feed_path(a)}</link>
<description>{escape(paragraphs(a["body"])[0][:60])}</description>
<pubDate>{format_datetime(beijing_time(str(a["published_at"])))}</pubDate>
</item>"""
        for a in articles
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>{escape(site_name)}</title>
<link>/</link>
<description>{escape(site_name)}最新政策资讯</description>
<language>zh-cn</language>
{items}
</channel>
</rss>
""".encode()


def sitemap(locs: list[tuple[str, str]]) -> bytes:
    urls = "\n".join(f"<url><loc>{loc}</loc><lastmod>{day}</lastmod></url>" for loc, day in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}\n</urlset>\n'
    ).encode()


def sitemap_index(children: list[str]) -> bytes:
    items = "\n".join(f"<sitemap><loc>{c}</loc></sitemap>" for c in children)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{items}\n</sitemapindex>\n'
    ).encode()


def home_page(articles: list[dict[str, Any]], site_name: str) -> bytes:
    links = "\n".join(f'<li><a href="{feed_path(a)}">{escape(a["title"])}</a></li>' for a in articles)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(site_name)}</title></head>
<body><a href="/rss.xml">RSS</a> <a href="/sitemap_index.xml">网站地图</a> <a href="/admin/">后台</a>
<ul>
{links}
</ul></body></html>
""".encode()


def build_feed_site(version: int) -> BuiltSite:
    content = load_site_content(FEED)
    articles = visible(content["articles"], version)
    site = BuiltSite(FEED)
    site.resources["/"] = Resource(HTML_UTF8, home_page(articles, content["site_name"]))
    site.resources["/about.html"] = Resource(HTML_UTF8, home_page([], content["site_name"]))
    site.resources["/rss.xml"] = Resource(RSS_UTF8, rss([a for a in articles if a.get("in_rss")], content["site_name"]))
    years = sorted({str(a["published_at"])[:4] for a in articles}, reverse=True)
    for year in years:
        locs = [(feed_path(a), str(a["published_at"])[:10]) for a in articles if str(a["published_at"]).startswith(year)]
        if year == years[0]:
            locs.append(("/about.html", f"{year}-01-01"))
        site.resources[f"/sitemap-{year}.xml"] = Resource(XML_UTF8, sitemap(locs))
    site.resources["/sitemap_index.xml"] = Resource(XML_UTF8, sitemap_index([f"/sitemap-{y}.xml" for y in years]))
    for article in articles:
        path = feed_path(article)
        site.resources[path] = Resource(
            HTML_UTF8,
            article_page(article, content["site_name"]).encode("utf-8"),
            last_modified=beijing_time(str(article["published_at"])),
        )
        site.expected.append(
            ExpectedArticle(
                site=FEED,
                url=path,
                title=article["title"],
                published_on=str(article["published_at"])[:10],
                language="zh-Hans",
                has_attachments=False,
                expected_status="ok",
                snippet=snippet_of(article["body"]),
            )
        )
    return site
