"""The three news sites: Simplified, Traditional (syndicated copies, 區塊鍊, trailer) and mangled punctuation."""

from __future__ import annotations

from html import escape
from typing import Any

from crawler.sample_sites.model import BuiltSite, ExpectedArticle, Resource
from crawler.sample_sites.render_gov import HTML_UTF8, current, snippet_of, visible
from crawler.sample_sites.texts import (
    beijing_time,
    load_site_content,
    mangle_punctuation,
    paragraphs,
    to_traditional,
)

HANS = "sample_news_hans"
HANT = "sample_news_hant"
MANGLED = "sample_news_mangled"
HANS_PAGE_SIZE = 5
HANT_PAGE_SIZE = 4
MANGLED_PAGE_SIZE = 4
COMMENTS = [
    ("数字游民", "政策力度很大，关键看落实。"),
    ("湘江边的老王", "希望县城的网络也能早点跟上。"),
    ("一只程序猿", "目标定得很具体，期待三年后再看。"),
]


def syndicated(article: dict[str, Any], version: int) -> dict[str, Any]:
    """A copy of a sample_news_hans story: its body trimmed to the first `keep_paragraphs` paragraphs."""
    if "syndicated_from" not in article:
        return article
    originals = {a["id"]: a for a in load_site_content(HANS)["articles"]}
    original = current(originals[article["syndicated_from"]], version)
    kept = paragraphs(original["body"])[: int(article.get("keep_paragraphs", 3))]
    return {**article, "body": "\n".join(kept)}


def news_expected(
    site: str, article: dict[str, Any], path: str, title: str, body: str, language: str
) -> ExpectedArticle:
    return ExpectedArticle(
        site=site,
        url=path,
        title=title,
        published_on=str(article["published_at"])[:10],
        language=language,
        has_attachments=False,
        expected_status=str(article.get("status", "ok")),
        snippet=snippet_of(body),
        modified_in_version=2 if article.get("v2") else None,
    )


def add_article(site: BuiltSite, path: str, html: str, article: dict[str, Any]) -> None:
    modified = beijing_time(article.get("modified_at", article["published_at"]))
    status = str(article.get("status", "ok"))
    site.resources[path] = Resource(HTML_UTF8, html.encode("utf-8"), status=status, last_modified=modified)


def home_page(title: str, list_url: str) -> Resource:
    html = (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f'<body><a href="{list_url}">{escape(title)}</a> <a href="/admin/">后台</a></body></html>'
    )
    return Resource(HTML_UTF8, html.encode("utf-8"))


# --- sample_news_hans ------------------------------------------------------------------------------------------


def hans_path(article: dict[str, Any]) -> str:
    day = str(article["published_at"])[:10].replace("-", "")
    return f"/news/{day}/{article['id']:04d}.html"


def hans_article_page(article: dict[str, Any], related: list[dict[str, Any]], site_name: str) -> str:
    title = escape(article["title"])
    stamp = str(article["published_at"])
    iso = stamp.replace(" ", "T") + ":00+08:00"
    related_items = "\n".join(
        f'<li><a href="{hans_path(r)}">{escape(r["title"])}</a><span>{str(r["published_at"])[:10]}</span></li>'
        for r in related
    )
    comments = "\n".join(f"<li><b>{escape(u)}</b>：{escape(c)}</li>" for u, c in COMMENTS)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title} - {site_name}</title>
<meta name="description" content="{escape(paragraphs(article["body"])[0][:60])}">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{site_name}">
<meta property="article:published_time" content="{iso}">
</head>
<body>
<header class="site-header"><a class="logo" href="/">{site_name}</a>
<nav><a href="/">首页</a><a href="/news/list_1.html">政策</a><a href="/news/list_1.html">产业</a><a href="/news/list_1.html">数据</a><a href="/admin/">投稿管理</a></nav></header>
<div class="breadcrumb"><a href="/">首页</a> &gt; <a href="/news/list_1.html">政策</a> &gt; 正文</div>
<article>
<h1 class="article-title">{title}</h1>
<div class="article-meta"><span class="time">{stamp}</span> <span class="source">来源：{escape(article["source"])}</span> <span class="author">作者：{escape(article["author"])}</span></div>
<div class="share-bar">分享到：<a>微信</a> <a>微博</a> <a>QQ空间</a> <a>复制链接</a></div>
<div class="article-content">
{chr(10).join(f"<p>{escape(p)}</p>" for p in paragraphs(article["body"]))}
</div>
<p class="editor">（责任编辑：赵敏）</p>
</article>
<section class="comments"><h3>网友评论（{len(COMMENTS)}）</h3><ul>
{comments}
</ul><form><textarea placeholder="文明上网，理性发言"></textarea><button>发表评论</button></form></section>
<section class="related"><h3>相关阅读</h3><ul>
{related_items}
</ul></section>
<footer>© 2024 {site_name} 版权所有　未经授权禁止转载</footer>
</body>
</html>
"""


def list_page(
    site_name: str,
    entries: list[tuple[str, str, str]],
    prev_url: str | None,
    next_url: str | None,
    lang: str = "zh-CN",
) -> bytes:
    items = "\n".join(
        f'<li><a href="{u}">{escape(t)}</a><span class="date">{d}</span></li>' for u, t, d in entries
    )
    prev_label, next_label = ("上一頁", "下一頁") if lang == "zh-Hant-TW" else ("上一页", "下一页")
    nav = ""
    if prev_url:
        nav += f'<a class="prev" href="{prev_url}">{prev_label}</a> '
    if next_url:
        nav += f'<a class="next" href="{next_url}">{next_label}</a>'
    html = f"""<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>{escape(site_name)}</title></head>
<body>
<header><a href="/">{escape(site_name)}</a> <a href="/admin/">后台</a></header>
<ul class="news-list">
{items}
</ul>
<div class="pager">{nav}</div>
<footer>© {escape(site_name)}</footer>
</body>
</html>
"""
    return html.encode("utf-8")


def paginate(entries: list[Any], size: int) -> list[list[Any]]:
    return [entries[i : i + size] for i in range(0, len(entries), size)] or [[]]


def build_news_hans(version: int) -> BuiltSite:
    content = load_site_content(HANS)
    articles = visible(content["articles"], version)
    broken = content.get("broken_links", [])
    site = BuiltSite(HANS)
    site.resources["/"] = home_page(content["site_name"], "/news/list_1.html")
    for article in articles:
        related = [a for a in articles if a["id"] != article["id"]][:4]
        add_article(
            site, hans_path(article), hans_article_page(article, related, content["site_name"]), article
        )
        site.expected.append(
            news_expected(HANS, article, hans_path(article), article["title"], article["body"], "zh-Hans")
        )
    for link in broken:
        site.expected.append(
            news_expected(HANS, {**link, "body": "-"}, hans_path(link), link["title"], "-", "zh-Hans")
        )
    listed = sorted(articles + broken, key=lambda a: str(a["published_at"]), reverse=True)
    entries = [(hans_path(a), a["title"], str(a["published_at"])[:10]) for a in listed]
    pages = paginate(entries, HANS_PAGE_SIZE)
    for n, chunk in enumerate(pages, start=1):
        prev_url = f"/news/list_{n - 1}.html" if n > 1 else None
        next_url = f"/news/list_{n + 1}.html" if n < len(pages) else None
        site.resources[f"/news/list_{n}.html"] = Resource(
            HTML_UTF8, list_page(content["site_name"], chunk, prev_url, next_url)
        )
    return site


# --- sample_news_hant ------------------------------------------------------------------------------------------


def hant_path(article: dict[str, Any]) -> str:
    return f"/zh-tw/article/{article['id']}.html"


def hant_article_page(
    article: dict[str, Any], related: list[tuple[str | None, str, str]], site_name: str, editor: str
) -> tuple[str, str, str]:
    """(html, title, body) in Traditional script; the trailer and related list are part of the page body."""
    chain = bool(article.get("chain_variant"))
    title = to_traditional(article["title"], chain)
    body = to_traditional(article["body"], chain)
    source = to_traditional(article["source"])
    stamp = str(article["published_at"])
    trailer = to_traditional(
        f"以上资讯由{article['source']}编辑部综合整理，仅供参考，不构成投资建议。\n"
        f"更多资讯请关注{article['source']}政策频道，或订阅本站电子报。\n责任编辑：{editor}"
    )
    related_items = "\n".join(
        f'<li><a href="{url}">{escape(date)} {escape(source)}發布了《{escape(t)}》的文章</a></li>'
        if url
        else f"<li>{escape(date)} {escape(source)}發布了《{escape(t)}》的文章</li>"
        for url, t, date in related
    )
    author = (
        f'<span class="author">作者：{escape(to_traditional(article["author"]))}</span>'
        if article.get("author")
        else ""
    )
    html = f"""<!DOCTYPE html>
<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<title>{escape(title)} | {escape(source)}</title>
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(title)}">
<meta property="og:site_name" content="{escape(source)}">
<meta property="article:published_time" content="{stamp.replace(" ", "T")}:00+08:00">
</head>
<body>
<header><a href="/zh-tw/">{escape(site_name)}</a>
<nav><a href="/zh-tw/policy/page/1/">政策</a> <a href="/zh-tw/policy/page/1/">產業</a> <a href="/admin/">會員中心</a></nav></header>
<div class="crumbs"><a href="/zh-tw/">首頁</a> › <a href="/zh-tw/policy/page/1/">政策</a></div>
<article class="post">
<h1 class="post-title">{escape(title)}</h1>
<div class="post-meta"><time datetime="{stamp.replace(" ", "T")}:00+08:00">{stamp}</time> <span class="source">來源：{escape(source)}</span> {author}</div>
<div class="post-content">
{chr(10).join(f"<p>{escape(p)}</p>" for p in paragraphs(body))}
{chr(10).join(f"<p>{escape(p)}</p>" for p in paragraphs(trailer))}
</div>
<div class="related-posts"><h3>相關文章</h3><ul>
{related_items}
</ul></div>
</article>
<footer>© 2024 {escape(site_name)}</footer>
</body>
</html>
"""
    return html, title, body


def hant_related(
    article: dict[str, Any], articles: list[dict[str, Any]], extras: list[str]
) -> list[tuple[str | None, str, str]]:
    """Other stories of the site (linked) and a few headlines of elsewhere (unlinked), dated like such lists are."""
    day = str(article["published_at"])[:10]
    linked = [
        (hant_path(a), to_traditional(a["title"], bool(a.get("chain_variant"))), str(a["published_at"])[:10])
        for a in articles
        if a["id"] != article["id"]
    ][:3]
    return linked + [(None, to_traditional(t), day) for t in extras]


def build_news_hant(version: int) -> BuiltSite:
    content = load_site_content(HANT)
    articles = [syndicated(a, version) for a in visible(content["articles"], version)]
    site_name = to_traditional(content["site_name"])
    site = BuiltSite(HANT)
    site.resources["/zh-tw/"] = home_page(site_name, "/zh-tw/policy/page/1/")
    site.resources["/"] = site.resources["/zh-tw/"]
    entries = []
    for n, article in enumerate(articles):
        editor = content["editors"][n % len(content["editors"])]
        related = hant_related(article, articles, content.get("related_extra", []))
        html, title, body = hant_article_page(article, related, site_name, editor)
        add_article(site, hant_path(article), html, article)
        site.expected.append(news_expected(HANT, article, hant_path(article), title, body, "zh-Hant"))
        entries.append((hant_path(article), title, str(article["published_at"])[:10]))
    pages = paginate(entries, HANT_PAGE_SIZE)
    for n, chunk in enumerate(pages, start=1):
        prev_url = f"/zh-tw/policy/page/{n - 1}/" if n > 1 else None
        next_url = f"/zh-tw/policy/page/{n + 1}/" if n < len(pages) else None
        site.resources[f"/zh-tw/policy/page/{n}/"] = Resource(
            HTML_UTF8, list_page(site_name, chunk, prev_url, next_url, lang="zh-Hant-TW")
        )
    return site


# --- sample_news_mangled ---------------------------------------------------------------------------------------


def mangled_path(article: dict[str, Any]) -> str:
    return f"/kuaixun/{article['id']}.html"


def mangled_article_page(title: str, body: str, article: dict[str, Any]) -> str:
    return f"""<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>{escape(title)}_{escape(article["source"])}</title></head>
<body>
<div class="top"><a href="/">首页</a> <a href="/kuaixun/index.html">快讯</a></div>
<div class="kx-title">{escape(title)}</div>
<div class="kx-info">{str(article["published_at"])}  来源:{escape(article["source"])}</div>
<div class="kx-body"><p>{escape(body)}</p></div>
</body>
</html>
"""


def build_news_mangled(version: int) -> BuiltSite:
    content = load_site_content(MANGLED)
    articles = [syndicated(a, version) for a in visible(content["articles"], version)]
    site = BuiltSite(MANGLED)
    site.resources["/"] = home_page(content["site_name"], "/kuaixun/index.html")
    entries = []
    for article in articles:
        title = mangle_punctuation(article["title"])
        body = mangle_punctuation("".join(paragraphs(article["body"])))
        add_article(site, mangled_path(article), mangled_article_page(title, body, article), article)
        site.expected.append(news_expected(MANGLED, article, mangled_path(article), title, body, "zh-Hans"))
        entries.append((mangled_path(article), title, str(article["published_at"])[:10]))
    pages = paginate(entries, MANGLED_PAGE_SIZE)
    for n, chunk in enumerate(pages, start=1):
        name = "index.html" if n == 1 else f"index_{n}.html"
        prev_url = None if n == 1 else ("/kuaixun/index.html" if n == 2 else f"/kuaixun/index_{n - 1}.html")
        next_url = f"/kuaixun/index_{n + 1}.html" if n < len(pages) else None
        site.resources[f"/kuaixun/{name}"] = Resource(
            HTML_UTF8, list_page(content["site_name"], chunk, prev_url, next_url)
        )
    return site
