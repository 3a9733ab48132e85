"""Feeds and sitemaps: RSS 2.0, Atom and sitemap.xml (urlset or sitemapindex) → the entries they list.

Where a site offers one, a feed is the cheapest and most stable way to find its new pages: no list-page
layout to break. Pure functions over bytes (lxml, no network, entities never resolved).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree

from crawler.settings import FEED_MAX_BYTES
from extract.inflate import GZIP_MAGIC, inflate

logger = logging.getLogger(__name__)

_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_CN_DATE = re.compile(r"(\d{4})\s*[年/.]\s*(\d{1,2})\s*[月/.]\s*(\d{1,2})")
# Year 0001 is a placeholder ("0001-01-01T00:00:00"), not a date; policy libraries list documents from 1949 on.
MIN_FEED_YEAR = 1900


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
        return _real_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return _real_date(moment.year, moment.month, moment.day, value) if moment else None


def _real_date(year: int, month: int, day: int, written: str) -> str | None:
    """YYYY-MM-DD for a day that exists; None (logged) for 2024-13-45, 2024-02-30 or 0000-00-00, which feeds
    print and which must not become a publication date."""
    try:
        real = dt.date(year, month, day)
    except ValueError:
        logger.info("impossible feed date %r", written[:40])
        return None
    if real.year < MIN_FEED_YEAR:
        logger.info("feed date %r is before %d", written[:40], MIN_FEED_YEAR)
        return None
    return real.isoformat()


def maybe_gunzip(body: bytes, max_bytes: int = FEED_MAX_BYTES) -> bytes:
    """sitemap.xml.gz is served gzipped (sometimes without Content-Encoding). Inflated to at most `max_bytes`
    (a bomb costs no more than a big sitemap); a cut-off file keeps the entries it holds."""
    if body[:2] != GZIP_MAGIC:
        return body
    inflated = inflate(body, max_bytes=max_bytes)
    if inflated.problem == "too_large":
        logger.warning("gzipped feed inflates past %d bytes: reading its head only", max_bytes)
    elif inflated.problem:
        logger.warning("gzipped feed is %s after %d bytes: reading what it gave", inflated.problem,
                       len(inflated.data))
    return inflated.data if inflated.data or not inflated.problem else body


def parse_feed(body: bytes, base_url: str | None = None, *, max_bytes: int = FEED_MAX_BYTES) -> Feed:
    """Entries of an RSS, Atom or sitemap document; an unreadable document gives kind `unknown`, no entries."""
    body = maybe_gunzip(body or b"", max_bytes).lstrip()
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
