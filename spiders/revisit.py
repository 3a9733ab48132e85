"""The revisit spider: asks each stored document's URL once more and says what became of it.

It requests only the stored URLs it is given (and the redirects they answer with, which it follows itself, a
few hops at most, so that a move and a redirect to the home page can be told apart), conditionally when the
page had an ETag or Last-Modified. Every answer goes to the recorder (crawler/revisit.py) as it comes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.article_writer import content_hash
from crawler.items import FetchedPage
from crawler.processing import NotAnArticle, normalize_record, understand_page
from crawler.redirect_guard import REDIRECT_STATUSES
from extract.article import parse_page
from extract.liveness import is_home_page, looks_gone, rebase, same_site

MAX_HOPS = 5
UNREACHABLE_STATUSES = frozenset({401, 403, 407, 408, 429})  # the door is shut for us, not the document gone


class RevisitSpider(scrapy.Spider):
    name = "revisit"

    def __init__(
        self, pages: list[Any], recorder: Any, served_bases: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        """`served_bases`: {canonical base: where it is served} for sites stored under a canonical base (the
        sample sites, a mirror); URLs are recorded back under the canonical base."""
        super().__init__(**kwargs)
        self.pages = pages
        self.recorder = recorder
        self.to_served = served_bases or {}
        self.to_identity = {served: canonical for canonical, served in self.to_served.items()}

    async def start(self):
        for request in self._first_requests():
            yield request

    def _first_requests(self) -> Iterator[scrapy.Request]:
        for page in self.pages:
            headers = {}
            if page.etag:
                headers["If-None-Match"] = page.etag
            if page.last_modified:
                headers["If-Modified-Since"] = page.last_modified
            yield self._request(page, rebase(page.url, self.to_served), 0, headers)

    def _request(
        self, page: Any, url: str, hops: int, headers: dict[str, str] | None = None
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            headers=headers or {},
            callback=self.parse,
            errback=self.failed,
            dont_filter=True,
            meta={"dont_redirect": True, "handle_httpstatus_all": True, "page": page, "hops": hops},
        )

    def _record(
        self, page: Any, outcome: str, status: int | None, url: str | None, detail: str, **kwargs: Any
    ) -> None:
        url = rebase(url, self.to_identity) if url else url
        self.recorder.record(page, outcome, status, url, detail, **kwargs)

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        page, hops = response.meta["page"], response.meta["hops"]
        status = response.status
        if status == 304:
            self._record(page, "alive", status, response.url, "304 Not Modified")
        elif status in REDIRECT_STATUSES and b"Location" in response.headers:
            target = urljoin(response.url, response.headers[b"Location"].decode("latin-1"))
            if is_home_page(target, page.base_url):
                self._record(page, "gone", status, target, "redirected to the site's home page")
            elif not same_site(response.url, target):
                self._record(page, "gone", status, target, "redirected off the site (not followed)")
            elif hops >= MAX_HOPS:
                self._record(page, "unreachable", status, target, f"more than {MAX_HOPS} redirects")
            else:
                yield self._request(page, target, hops + 1)
        elif status in (404, 410):
            self._record(page, "gone", status, response.url, f"HTTP {status}")
        elif status in UNREACHABLE_STATUSES or status >= 500:
            self._record(page, "unreachable", status, response.url, f"HTTP {status}")
        elif status >= 400 or status < 200 or status >= 300:
            self._record(page, "gone", status, response.url, f"HTTP {status}")
        else:
            self._judge_page(page, response, hops)

    def _judge_page(self, page: Any, response: Response, hops: int) -> None:
        """A 200: the same text (alive), another text (changed), the same document elsewhere (moved), or a page
        that says the document is not there (gone)."""
        if hops and is_home_page(response.url, page.base_url):
            self._record(page, "gone", 200, response.url, "redirected to the site's home page")
            return
        encoding = response.headers.get(b"Content-Type", b"").decode("latin-1")
        item = FetchedPage(
            site=page.site or "",
            url=page.url,
            final_url=response.url,
            status=200,
            content_type=encoding or None,
            declared_encoding=getattr(response, "encoding", None),
            body=response.body,
        )
        try:
            record = normalize_record(understand_page(item)).record
        except NotAnArticle as dropped:
            if dropped.reason == "waf_challenge":
                self._record(page, "unreachable", 200, response.url, "a WAF challenge page answered")
                return
            seen = parse_page(response.body, response.url)
            why = (
                "a page saying it is not there"
                if looks_gone(seen.title, seen.text)
                else "no document any more"
            )
            self._record(page, "gone", 200, response.url, f"{why} ({dropped.reason})")
            return
        if looks_gone(record.title, record.text):
            self._record(page, "gone", 200, response.url, "a page saying it is not there (soft 404)")
            return
        digest = content_hash(record.title, record.text)
        if hops:
            if digest == page.content_hash or (record.title or "") == (page.title or ""):
                self._record(
                    page, "moved", 200, response.url, f"now at {rebase(response.url, self.to_identity)}"
                )
            else:
                self._record(page, "gone", 200, response.url, "redirected to another page")
            return
        if digest == page.content_hash:
            self._record(page, "alive", 200, response.url, "same text")
        else:
            self._record(
                page,
                "changed",
                200,
                response.url,
                "text changed",
                version=(record.title, record.text, digest),
            )

    def failed(self, failure: Failure) -> None:
        request = failure.request
        page = request.meta["page"]
        if failure.check(IgnoreRequest):
            detail = f"not requested: {failure.value}"  # robots.txt forbids it now, or the redirect guard
        else:
            detail = f"{type(failure.value).__name__}: {failure.value}"
        self._record(page, "unreachable", None, request.url, detail[:500])
