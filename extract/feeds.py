"""Feeds and sitemaps: RSS 2.0, Atom and sitemap.xml (urlset or sitemapindex) → the entries they list.

Where a site offers one, a feed is the cheapest and most stable way to find its new pages: no list-page
layout to break. Pure functions over bytes (lxml, no network, entities never resolved).
"""

from __future__ import annotations

import gzip
import logging
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree

logger = logging.getLogger(__name__)

_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_CN_DATE = re.compile(r"(\d{4})\s*[年/.]\s*(\d{1,2})\s*[月/.]\s*(\d{1,2})")


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD as the feed states it
    is_sitemap: bool = False  # a child sitemap of a sitemap index (to fetch, not an article)


@dataclass(frozen=True)
class Feed:
    kind: str  # rss | atom | sitemap | sitemapindex | unknown
    entries: list[FeedEntry]


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str | None:
    for child in element:
        if _local(child.tag) in names:
            text = "".join(child.itertext()).strip()
            if text:
                return text
    return None


def feed_date(value: str | None) -> str | None:
    """RFC 822 (RSS), ISO 8601 (Atom, sitemaps) or 2024年3月5日 → 2024-03-05; the date as written, no time zone shift."""
    if not value:
        return None
    value = value.strip()
    m = _ISO_DATE.match(value) or _CN_DATE.search(value)
    if m:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment.date().isoformat() if moment else None


def maybe_gunzip(body: bytes) -> bytes:
    """sitemap.xml.gz is served gzipped (sometimes without Content-Encoding)."""
    if body[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(body)
        except OSError:
            return body
    return body


def parse_feed(body: bytes, base_url: str | None = None) -> Feed:
    """Entries of an RSS, Atom or sitemap document; an unreadable document gives kind `unknown`, no entries."""
    body = maybe_gunzip(body or b"").lstrip()
    if not body:
        return Feed("unknown", [])
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return Feed("unknown", [])
    kind = _local(root.tag)
    if kind == "rss" or kind == "rdf":
        return Feed("rss", _rss_entries(root, base_url))
    if kind == "feed":
        return Feed("atom", _atom_entries(root, base_url))
    if kind in ("urlset", "sitemapindex"):
        return Feed("sitemap" if kind == "urlset" else "sitemapindex", _sitemap_entries(root, base_url, kind))
    return Feed("unknown", [])


def _absolute(url: str | None, base_url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    return urljoin(base_url, url) if base_url else url


def _rss_entries(root: etree._Element, base_url: str | None) -> list[FeedEntry]:
    entries = []
    for item in root.iter():
        if _local(item.tag) != "item":
            continue
        link = _child_text(item, "link")
        if not link:
            guid = _child_text(item, "guid")
            link = guid if guid and guid.startswith(("http://", "https://", "/")) else None
        url = _absolute(link, base_url)
        if url:
            date = _child_text(item, "pubdate", "date", "published", "updated")
            entries.append(FeedEntry(url=url, title=_child_text(item, "title"), date=feed_date(date)))
    return entries


def _atom_entries(root: etree._Element, base_url: str | None) -> list[FeedEntry]:
    entries = []
    for entry in root:
        if _local(entry.tag) != "entry":
            continue
        href = None
        for child in entry:
            if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate" and child.get("href"):
                href = child.get("href")
                break
        url = _absolute(href, base_url)
        if url:
            date = _child_text(entry, "published", "updated")
            entries.append(FeedEntry(url=url, title=_child_text(entry, "title"), date=feed_date(date)))
    return entries


def _sitemap_entries(root: etree._Element, base_url: str | None, kind: str) -> list[FeedEntry]:
    entries = []
    for node in root:
        if _local(node.tag) not in ("url", "sitemap"):
            continue
        url = _absolute(_child_text(node, "loc"), base_url)
        if url:
            entries.append(FeedEntry(url=url, date=feed_date(_child_text(node, "lastmod")),
                                     is_sitemap=kind == "sitemapindex"))
    return entries
