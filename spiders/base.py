"""What every registry-driven spider shares: the site entry, detail fetches, attachments, failure records.

A spider fetches and labels; it never analyses. Subclasses only say how list pages lead to detail pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from crawler.items import FetchedAttachment, FetchedPage, FetchError
from crawler.registry import RegistryError, SiteEntry, load_registry
from crawler.urls import canonical_url


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def classify_failure(failure: Failure) -> tuple[str, int | None, str]:
    """(kind, last HTTP status, message) of a failed request, in words ops can grep."""
    exc = failure.value
    if failure.check(HttpError):
        status = exc.response.status
        return f"http_{status}", status, f"HTTP {status}"
    if failure.check(DNSLookupError):
        return "dns", None, f"DNS lookup failed: {exc}"
    if failure.check(TimeoutError, TCPTimedOutError):
        return "timeout", None, f"timed out: {exc}"
    if failure.check(ConnectionRefusedError):
        return "connection", None, f"connection refused: {exc}"
    if failure.check(IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "robots", None, text
        return "ignored", None, text
    text = f"{type(exc).__name__}: {exc}"
    if "larger than" in text or "maxsize" in text.lower():
        return "too_large", None, text
    if "Connection" in type(exc).__name__ or "ResponseNeverReceived" in type(exc).__name__:
        return "connection", None, text
    return "other", None, text


class RegistrySpider(scrapy.Spider):
    """Base of the spider kinds; `site` names a registry entry (or `entry` passes one in directly)."""

    kind: str = ""

    def __init__(self, site: str | None = None, entry: SiteEntry | None = None, max_pages: int | str | None = None,
                 registry_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if entry is None:
            if not site:
                raise CloseSpider(f"missing_site_argument: run `scrapy crawl {self.name} -a site=NAME`")
            try:
                entry = load_registry(registry_path).get(site)
            except RegistryError as exc:
                raise CloseSpider(f"bad_site_argument: {exc}") from exc
        if entry.kind != self.kind:
            raise CloseSpider(f"wrong_kind: site {entry.name} is a {entry.kind} site, not {self.kind}")
        self.entry = entry
        self.site_name = entry.name
        self.allowed_domains = list(entry.allowed_domains)
        self.max_pages = int(max_pages) if max_pages not in (None, "") else None
        self.detail_requests = 0
        self.list_pages = 0
        self._seen: set[str] = set()
        start = urlsplit(entry.start_urls[0])
        self._served_base = f"{start.scheme}://{start.netloc}"  # the dupefilter drops repeats too, but the page caps must not count them

    def identity(self, url: str) -> str:
        """The article's stable URL: canonical, and on the site's canonical base when it is served elsewhere."""
        url = canonical_url(url)
        base = self.entry.canonical_base
        if base and url.startswith(self._served_base):
            url = base.rstrip("/") + url[len(self._served_base):]
        return url

    async def start(self):
        for url in self.entry.start_urls:
            yield self.list_request(url)

    # --- requests ---------------------------------------------------------------------------------
    def list_request(self, url: str) -> scrapy.Request | None:
        if url in self._seen:
            return None
        if self.list_pages >= self.entry.max_list_pages:
            self.logger.warning("%s: list page cap %d reached, not following %s", self.site_name, self.entry.max_list_pages, url)
            return None
        self.list_pages += 1
        self._seen.add(url)
        return scrapy.Request(url, callback=self.parse_list, errback=self.on_error, meta={"page_kind": "list"})

    def detail_request(self, url: str, hint: dict[str, Any] | None = None) -> scrapy.Request | None:
        if url in self._seen:
            return None
        if self.max_pages is not None and self.detail_requests >= self.max_pages:
            return None
        self.detail_requests += 1
        self._seen.add(url)
        return scrapy.Request(
            url, callback=self.parse_detail, errback=self.on_error, meta={"page_kind": "detail", "hint": hint or {}}
        )

    def parse_list(self, response: Response) -> Iterator[Any]:
        raise NotImplementedError

    # --- detail pages and attachments ------------------------------------------------------------
    def parse_detail(self, response: Response) -> Iterator[Any]:
        headers = response.headers
        content_type = (headers.get(b"Content-Type") or b"").decode("latin-1") or None
        declared = None
        if content_type and "charset=" in content_type.lower():
            declared = content_type.lower().split("charset=", 1)[1].split(";")[0].strip() or None
        if self.entry.encoding and not declared:
            declared = self.entry.encoding
        url = self.identity(response.request.url)
        yield FetchedPage(
            site=self.site_name,
            url=url,
            final_url=response.url,
            status=response.status,
            content_type=content_type,
            declared_encoding=declared,
            body=response.body,
            fetched_at=utc_now(),
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            hint=response.meta.get("hint") or {},
        )
        yield from self.attachment_requests(response, url)

    def attachment_requests(self, response: Response, article_url: str) -> Iterator[scrapy.Request]:
        from extract.encoding import decode_html
        from extract.listing import attachment_links

        wanted = set(self.settings.getlist("ATTACHMENT_TYPES"))
        try:
            text, _encoding = decode_html(response.body, self.entry.encoding)
            links = attachment_links(text, response.url)
        except Exception as exc:  # an extractor bug must not cost us the page
            self.logger.warning("attachment links of %s unreadable: %s", response.url, exc)
            return
        for link in links:
            if link.type not in wanted:
                continue
            yield scrapy.Request(
                link.url,
                callback=self.parse_attachment,
                errback=self.on_attachment_error,
                meta={
                    "page_kind": "attachment",
                    "article_url": article_url,
                    "name": link.name,
                    "declared_type": link.type,
                    "download_maxsize": self.settings.getint("ATTACHMENT_MAX_BYTES"),
                },
            )

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        yield FetchedAttachment(
            site=self.site_name,
            article_url=response.meta["article_url"],
            url=self.identity(response.request.url),
            name=response.meta.get("name") or response.url.rsplit("/", 1)[-1],
            declared_type=response.meta.get("declared_type"),
            status=response.status,
            body=response.body,
            content_type=_header(response, b"Content-Type"),
            fetched_at=utc_now(),
        )

    # --- failures --------------------------------------------------------------------------------
    def on_error(self, failure: Failure) -> Iterator[FetchError]:
        yield self._error(failure, is_attachment=False)

    def on_attachment_error(self, failure: Failure) -> Iterator[FetchError]:
        yield self._error(failure, is_attachment=True)

    def _error(self, failure: Failure, is_attachment: bool) -> FetchError:
        kind, status, message = classify_failure(failure)
        request = failure.request
        attempts = int(request.meta.get("retry_times", 0)) + 1
        page_kind = request.meta.get("page_kind", "detail")
        self.logger.warning("%s: %s page failed after %d attempt(s): %s %s", self.site_name, page_kind, attempts, kind, request.url)
        return FetchError(
            site=self.site_name,
            url=self.identity(request.url),
            kind=kind if page_kind == "detail" else f"{page_kind}_{kind}",
            attempts=attempts,
            last_status=status,
            message=message,
            is_attachment=is_attachment,
        )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
