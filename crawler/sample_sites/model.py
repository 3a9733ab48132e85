"""Plain records of the sample sites: what a page is, what a test may expect, what a client asked for."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

SITE_NAMES: tuple[str, ...] = (
    "sample_policy_library",
    "sample_gov_portal",
    "sample_news_hans",
    "sample_news_hant",
    "sample_news_mangled",
    "sample_feed",
)


@dataclass(frozen=True)
class ExpectedArticle:
    """Ground truth for one detail page linked from a sample site (what a correct crawl must find)."""

    site: str
    url: str  # absolute
    title: str  # as served (Traditional on sample_news_hant, mangled punctuation on sample_news_mangled)
    published_on: str  # YYYY-MM-DD
    language: str  # zh-Hans | zh-Hant
    has_attachments: bool
    expected_status: str  # ok | 404 | 500_once (500 on the first GET, then 200) | 500 (always)
    encoding: str = "utf-8"  # the bytes on the wire
    declared_charset: str | None = "utf-8"  # what the page declares (header or meta); None: nothing at all
    attachment_urls: tuple[str, ...] = ()
    snippet: str = ""  # a phrase of the body exactly as served, to check decoding
    modified_in_version: int | None = None  # the version whose body differs from version 1


@dataclass(frozen=True)
class RequestLogEntry:
    """One request a sample server answered: enough to count fetches and check politeness and caching."""

    site: str
    method: str
    path: str  # path with query string, as requested
    status: int
    if_none_match: str | None = None
    if_modified_since: str | None = None
    user_agent: str | None = None


@dataclass
class Resource:
    """One servable URL. Detail pages and attachments carry `last_modified`, which turns on ETag and 304."""

    content_type: str
    body: bytes | None = None
    build: Callable[[], bytes] | None = None  # lazy body (attachments), cached by the builder
    status: str = "ok"  # ok | 500_once | 500
    last_modified: datetime | None = None

    def payload(self) -> bytes:
        if self.body is None and self.build is not None:
            self.body = self.build()
        return self.body or b""

    def etag(self) -> str:
        return '"' + hashlib.sha1(self.payload()).hexdigest()[:16] + '"'


@dataclass
class BuiltSite:
    """A site rendered for one content version: its URLs (paths) and its ground truth (relative URLs)."""

    name: str
    resources: dict[str, Resource] = field(default_factory=dict)
    api_pages: dict[int, bytes] = field(default_factory=dict)  # /api/search?page=N
    api_page_count: int = 0
    expected: list[ExpectedArticle] = field(default_factory=list)
