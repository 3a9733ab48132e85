"""List pages: which links lead to detail pages and where the next list page is.

Generic rules for the paging styles Chinese portals use (TRS `createPageHTML`, `index_N.html`, "下一页"
links, JSON APIs with a page count), so a site needs a URL pattern, not its own code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html

NEXT_LINK_TEXTS = ("下一页", "下页", "后一页", "下一頁", "下頁", "next", "Next", "›", "»")
_CREATE_PAGE = re.compile(r"createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")
_DATE_NEAR = re.compile(r"(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
# A page count beyond this is a trap or a typo (createPageHTML(999999999, …)); the spider's list page cap
# (MAX_LIST_PAGES) is far lower anyway, this only keeps the URL list itself small.
MAX_TRS_PAGES = 10_000


@dataclass
class ListedLink:
    url: str
    text: str
    date: str | None  # a YYYY-MM-DD printed next to the link, if any


def _absolute(base_url: str, href: str) -> str | None:
    """The link's absolute URL without its fragment; None for an unparseable href ("http://[::1")."""
    try:
        return urljoin(base_url, href).split("#", 1)[0]
    except ValueError:
        return None


def _parse(text: str):
    try:
        return lxml_html.fromstring(text) if text and text.strip() else None
    except (ValueError, lxml_html.etree.ParserError):
        return None


def detail_links(page_html: str, base_url: str, detail_pattern: str,
                 normalize: Callable[[str], str] | None = None) -> list[ListedLink]:
    """Links whose absolute URL matches `detail_pattern`, in page order, de-duplicated.

    `normalize` (the crawler's canonical URL) runs first, so `t20240301_1.html?spm=…` still matches a pattern
    ending in `html$` and is listed once, without its tracking parameters.
    """
    root = _parse(page_html)
    if root is None:
        return []
    pattern = re.compile(detail_pattern)
    seen: set[str] = set()
    links: list[ListedLink] = []
    dates: dict[Any, str | None] = {}  # parent element → the date printed in it
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = _absolute(base_url, href)
        if url is not None and normalize is not None:
            try:
                url = normalize(url)
            except ValueError:
                url = None
        if url is None or url in seen or not pattern.search(url):
            continue
        seen.add(url)
        text = " ".join((a.text_content() or "").split()) or (a.get("title") or "").strip()
        parent = a.getparent()
        if parent not in dates:  # once per parent: 16k links in one <div> read its text once, not 16k times
            dates[parent] = _date_near(parent.text_content() if parent is not None else "")
        links.append(ListedLink(url=url, text=text, date=dates[parent]))
    return links


def _date_near(context: str | None) -> str | None:
    """The first real day printed in `context` (2024-13-45 is a typo or a counter, not a date)."""
    for m in _DATE_NEAR.finditer(context or ""):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            continue
    return None


def next_list_pages(page_html: str, base_url: str, paging: str, list_pattern: str | None = None) -> list[str]:
    """Further list pages to fetch from this one, by the site's paging style."""
    urls: list[str] = []
    if paging == "trs":
        urls += trs_pages(page_html, base_url)
    if paging in ("trs", "next_link"):
        urls += next_links(page_html, base_url)
    if list_pattern:
        root = _parse(page_html)
        if root is not None:
            pattern = re.compile(list_pattern)
            for a in root.iter("a"):
                href = (a.get("href") or "").strip()
                url = (_absolute(base_url, href) or "") if href else ""
                if url and pattern.search(url):
                    urls.append(url)
    return [u for u in dict.fromkeys(urls) if u != base_url]


def trs_pages(page_html: str, base_url: str) -> list[str]:
    """TRS/集约化 portals print `createPageHTML(total, current, "index", "html")`: index.html, index_1.html …"""
    m = _CREATE_PAGE.search(page_html or "")
    if not m:
        return []
    total, _current, stem, ext = min(int(m.group(1)), MAX_TRS_PAGES), int(m.group(2)), m.group(3), m.group(4)
    return [urljoin(base_url, f"{stem}.{ext}" if i == 0 else f"{stem}_{i}.{ext}") for i in range(total)]


def next_links(page_html: str, base_url: str) -> list[str]:
    root = _parse(page_html)
    if root is None:
        return []
    out = []
    for a in root.iter("a"):
        label = " ".join((a.text_content() or "").split())
        href = (a.get("href") or "").strip()
        if href and not href.startswith("javascript:") and label in NEXT_LINK_TEXTS:
            url = _absolute(base_url, href)
            if url:
                out.append(url)
    return out


def attachment_links(page_html: str, base_url: str) -> list:
    """Attachment links (PDF, DOCX …) of a detail page, for the spider to fetch."""
    from extract.attachments import find_attachment_links

    root = _parse(page_html)
    return find_attachment_links(root, base_url) if root is not None else []


def dig(data: Any, dotted: str | None) -> Any:
    """`dig(d, "searchVO.listVO")` → d["searchVO"]["listVO"], or None when a step is missing."""
    if not dotted:
        return None
    for key in dotted.split("."):
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        else:
            return None
    return data


def with_page_param(url: str, param: str, page: int) -> str:
    """The same API URL asking for another page."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != param]
    query.append((param, str(page)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
