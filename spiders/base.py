"""What every registry-driven spider shares: the site entry, detail fetches, attachments, failure records.

A spider fetches and labels; it never analyses. Subclasses only say how list pages lead to detail pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.failures import classify_failure
from crawler.incremental import IncrementalPlan
from crawler.items import FetchedAttachment, FetchedPage, FetchError, NotModifiedPage
from crawler.registry import RegistryError, SiteEntry, load_registry
from crawler.urls import canonical_url


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class ListTally:
    """What one list page held: whether anything on it was worth fetching, and the dates it printed."""

    news: int = 0
    links: int = 0
    dates: list[str | None] = field(default_factory=list)


@dataclass
class _Chain:
    """The list pages reached from one start URL, walked one after the other so paging can stop early."""

    queue: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    known_pages: int = 0
    stopped: bool = False


class RegistrySpider(scrapy.Spider):
    """Base of the spider kinds; `site` names a registry entry (or `entry` passes one in directly).

    Incremental by default (crawler/incremental.py): `full=1` fetches everything again, `revisit=1` sends a
    conditional request for every known page, `since=YYYY-MM-DD` leaves older list entries alone.
    """

    kind: str = ""

    def __init__(self, site: str | None = None, entry: SiteEntry | None = None, max_pages: int | str | None = None,
                 registry_path: str | None = None, full: bool | str = False, revisit: bool | str = False,
                 since: dt.date | str | None = None, **kwargs: Any) -> None:
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
        self.full, self.revisit = _flag(full), _flag(revisit)
        try:
            self.since = dt.date.fromisoformat(since) if isinstance(since, str) and since else since or None
        except ValueError as exc:
            raise CloseSpider(f"bad_since_argument: {since!r} is not a date like 2024-05-01") from exc
        self.plan: IncrementalPlan | None = None  # loaded from the database when the crawl starts
        self.walk_cut_short: list[str] = []  # why this run did not cover the site's list (bounded, failed pages)
        self._chains: dict[int, _Chain] = {}
        self._fetched_attachments: set[str] = set()
        self._pending_attachments: list[dict[str, Any]] = []
        self.detail_requests = 0
        self.list_pages = 0
        self._seen: set[str] = set()  # canonical URLs: ?utm_source=…, ?spm=… and #fragments are one page
        self.list_pages_not_followed = 0
        self._list_cap_note: FetchError | None = None  # recorded once per run when the list page cap bites
        start = urlsplit(entry.start_urls[0])
        self._served_base = f"{start.scheme}://{start.netloc}"  # the dupefilter drops repeats too, but the page caps must not count them

    def identity(self, url: str) -> str:
        """The article's stable URL: canonical, and on the site's canonical base when it is served elsewhere."""
        url = canonical_url(url)
        base = self.entry.canonical_base
        if base and url.startswith(self._served_base):
            url = base.rstrip("/") + url[len(self._served_base):]
        return url

    def served_url(self, identity: str) -> str:
        """The inverse of `identity`: where this run fetches a page stored under its canonical base."""
        base = (self.entry.canonical_base or "").rstrip("/")
        if base and identity.startswith(base + "/"):
            return self._served_base + identity[len(base):]
        return identity

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> RegistrySpider:
        """A bad `-a` argument closes the spider with its reason (close reason + one log line), not a traceback."""
        try:
            return super().from_crawler(crawler, *args, **kwargs)
        except CloseSpider as exc:
            spider = cls.__new__(cls)
            scrapy.Spider.__init__(spider)
            spider._set_crawler(crawler)
            spider.argument_error = exc.reason
            return spider

    async def start(self):
        if getattr(self, "argument_error", None):
            self.logger.error("%s: %s", self.name, self.argument_error)
            raise CloseSpider(self.argument_error)
        self.open_plan()
        for chain, url in enumerate(self.entry.start_urls):
            request = self.list_request(url, chain=chain)
            if request is not None:
                yield request
        for pending in self._pending_attachments:
            self.logger.info("%s: fetching attachment left pending by an earlier run: %s", self.site_name, pending["url"])
            yield self.attachment_request(self.served_url(pending["url"]), pending["article_url"], pending["name"],
                                          pending["type"])

    # --- incremental crawling (crawler/incremental.py decides) ------------------------------------
    def open_plan(self) -> None:
        """Read what the database knows about this site; from now on a killed run means a full walk next time."""
        from crawler.store import Store

        store = Store(self.settings.get("DB_PATH"), migrate=False)  # the storage pipeline opened it already
        cursor, walked_at = store.site_walk_state(self.site_name)
        known = {} if self.full else store.known_pages(self.site_name)
        revisit_days = self.settings.get("REVISIT_AFTER_DAYS")
        self.plan = IncrementalPlan(
            known=known,
            now=dt.datetime.now(dt.timezone.utc),
            revisit_after_days=float(revisit_days) if revisit_days not in (None, "") else None,
            full=self.full,
            revisit=self.revisit,
            since=self.since,
            walked_before=walked_at is not None,
            stop_after_known_pages=self.settings.getint("INCREMENTAL_STOP_AFTER_KNOWN_PAGES", 1),
            cursor=cursor,
        )
        if not self.full:
            self._fetched_attachments = store.fetched_attachment_urls(self.site_name)
        self._pending_attachments = store.pending_attachments(self.site_name)
        store.begin_walk(self.site_name)
        if self.since:  # a bounded run skips old entries it has never seen: the next run must page through again
            self.cut_short(f"--since {self.since}")
        self.logger.info(
            "%s: %d known pages, %d pending attachments, list walked before: %s, mode: %s",
            self.site_name, len(known), len(self._pending_attachments), walked_at or "never",
            "full" if self.full else "revisit" if self.revisit else "incremental",
        )

    @property
    def walk_complete(self) -> bool:
        """Did this run see the whole list, down to known ground or its end? (Then the next may stop early.)"""
        return not self.walk_cut_short

    def cut_short(self, reason: str) -> None:
        if reason not in self.walk_cut_short:
            self.walk_cut_short.append(reason)

    def continue_paging(self, response: Response, more: Iterable[tuple[str, dict[str, Any]]],
                        tally: ListTally) -> Iterator[scrapy.Request]:
        """Queue the list pages found on this one, then follow the next — unless this page held nothing new on
        a site walked before (nightly runs read a page or two), or only entries older than --since."""
        chain_id = int(response.meta.get("chain", 0))
        chain = self._chains.setdefault(chain_id, _Chain())
        queued = {u for u, _m in chain.queue}
        for url, meta in more:
            if canonical_url(url) not in self._seen and url not in queued:
                chain.queue.append((url, meta))
                queued.add(url)
        chain.known_pages = 0 if tally.news else chain.known_pages + 1
        plan = self.plan
        if plan is not None and plan.all_before_since(tally.dates):
            if chain.queue:
                self.logger.info("%s: %s lists only entries before %s; not paging further", self.site_name,
                                 response.url, plan.since)
                self.cut_short(f"--since {plan.since}")
            chain.stopped = True
        elif plan is not None and plan.may_stop_early and chain.known_pages >= plan.stop_after_known_pages:
            if chain.queue:
                self.logger.info("%s: nothing new on %s; %d further list page(s) left for another day",
                                 self.site_name, response.url, len(chain.queue))
                self.crawler.stats.inc_value("policy/lists/stopped_early")
            chain.stopped = True
        if not chain.stopped:
            yield from self._next_list_page(chain_id)

    def _next_list_page(self, chain_id: int) -> Iterator[scrapy.Request]:
        chain = self._chains.setdefault(chain_id, _Chain())
        while chain.queue and not chain.stopped:
            url, meta = chain.queue.pop(0)
            request = self.list_request(url, chain=chain_id, meta=meta)
            if request is not None:
                yield request
                return

    # --- requests ---------------------------------------------------------------------------------
    @property
    def list_page_cap(self) -> int:
        """The entry's own `max_list_pages` when it sets one, else MAX_LIST_PAGES (crawler/settings.py)."""
        if "max_list_pages" in self.entry.model_fields_set or not hasattr(self, "settings"):
            return self.entry.max_list_pages
        return self.settings.getint("MAX_LIST_PAGES", self.entry.max_list_pages)

    def list_request(self, url: str, chain: int = 0, meta: dict[str, Any] | None = None) -> scrapy.Request | None:
        key = canonical_url(url)
        if key in self._seen:
            return None
        if self.list_pages >= self.list_page_cap:
            self._note_list_cap(url)
            return None
        self.list_pages += 1
        self._seen.add(key)
        return scrapy.Request(url, callback=self.parse_list_noting_cap, errback=self.on_error,
                              meta={"page_kind": "list", "chain": chain, **(meta or {})},
                              headers=self.entry.request_headers or None)

    def detail_request(self, url: str, hint: dict[str, Any] | None = None,
                       tally: ListTally | None = None) -> scrapy.Request | None:
        """The request for a detail link, or None when it is a repeat, known (skipped) or over --max-pages.

        `tally` (from a list page) learns whether the link was news, which decides whether paging goes on."""
        key = canonical_url(url)
        if key in self._seen:
            return None
        hint = hint or {}
        headers: dict[str, str] = dict(self.entry.request_headers or {})
        if tally is not None:
            tally.links += 1
            tally.dates.append(hint.get("date"))
        conditional = False
        if self.plan is not None:
            decision = self.plan.decide(self.identity(url), hint.get("date"))
            stats = self.crawler.stats
            if not decision.fetch:
                self._seen.add(key)
                stats.inc_value(f"policy/links/skipped/{decision.reason}")
                stats.inc_value("policy/links/skipped")
                return None
            stats.inc_value(f"policy/links/fetch/{decision.reason}")
            headers.update(decision.headers)
            conditional = bool(decision.headers)
            if tally is not None and decision.is_news:
                tally.news += 1
        elif tally is not None:
            tally.news += 1
        if self.max_pages is not None and self.detail_requests >= self.max_pages:
            self.cut_short(f"--max-pages {self.max_pages}")
            return None
        self.detail_requests += 1
        self._seen.add(key)
        meta: dict[str, Any] = {"page_kind": "detail", "hint": hint}
        if conditional:
            meta["handle_httpstatus_list"] = [304]
        return scrapy.Request(url, callback=self.parse_detail, errback=self.on_error, meta=meta, headers=headers or None)

    def parse_list(self, response: Response) -> Iterator[Any]:
        raise NotImplementedError

    def parse_list_noting_cap(self, response: Response) -> Iterator[Any]:
        """`parse_list`, then an `errors` row (kind list_page_cap) the first time the cap stopped paging."""
        yield from self.parse_list(response)
        note, self._list_cap_note = self._list_cap_note, None
        if note is not None:
            yield note

    def _note_list_cap(self, url: str) -> None:
        """A pagination trap (a calendar paging forever) or a very long listing: logged and recorded once."""
        self.list_pages_not_followed += 1
        if getattr(self, "crawler", None) is not None:
            self.crawler.stats.inc_value(f"policy/{self.site_name}/list_pages_not_followed")
        if self.list_pages_not_followed > 1:
            return
        cap = self.list_page_cap
        self.logger.warning("%s: list page cap %d reached, not following %s and later list pages", self.site_name, cap, url)
        self._list_cap_note = FetchError(
            site=self.site_name, url=self.identity(url), kind="list_page_cap", attempts=0, last_status=None,
            message=f"list page cap {cap} reached (MAX_LIST_PAGES or the entry's max_list_pages): this list page "
            "and any after it were not followed in this run",
        )

    # --- detail pages and attachments ------------------------------------------------------------
    def parse_detail(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            yield NotModifiedPage(site=self.site_name, url=self.identity(response.request.url), checked_at=utc_now())
            return
        headers = response.headers
        content_type = (headers.get(b"Content-Type") or b"").decode("latin-1") or None
        declared = None
        if content_type and "charset=" in content_type.lower():
            declared = content_type.lower().split("charset=", 1)[1].split(";")[0].strip() or None
        if self.entry.encoding and not declared:
            declared = self.entry.encoding
        url = self.identity(response.request.url)
        links = self._attachment_links(response)
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
            hint=self.detail_hint(response),
            attachment_links=[{"url": self.identity(link.url), "name": link.name, "type": link.type} for link in links],
        )
        for link in links:
            if self.identity(link.url) in self._fetched_attachments:
                self.crawler.stats.inc_value("policy/attachments/skipped_known")
                continue
            refused = self.refused_attachment(link.url)
            if refused:  # its row says why, instead of staying `pending` for every later run
                self.logger.info("%s: attachment link not followed (%s): %s", self.site_name, refused, link.url)
                yield FetchError(site=self.site_name, url=self.identity(link.url), kind="attachment_refused",
                                 attempts=0, last_status=None, message=refused, is_attachment=True, article_url=url)
                continue
            yield self.attachment_request(link.url, url, link.name, link.type)

    def refused_attachment(self, url: str) -> str | None:
        """Why the crawl will not request this attachment link (the offsite filter would drop it unseen), or
        None: only http(s) on the site's own domains (a `file://` path, the link-local metadata service never)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return f"not http(s) but {parts.scheme or 'no scheme'}:"
        host = (parts.hostname or "").lower()
        if self.allowed_domains and not any(host == d or host.endswith(f".{d}") for d in self.allowed_domains):
            return f"{host or '?'} is not on the site ({', '.join(self.allowed_domains)})"
        return None

    def detail_hint(self, response: Response) -> dict[str, Any]:
        """What the list page said, overridden by the entry's `selectors` (fields the generic reader misses)."""
        hint = dict(response.meta.get("hint") or {})
        if self.entry.selectors:
            from extract.encoding import decode_html
            from extract.selectors import select_fields

            text, _encoding = decode_html(response.body, self.entry.encoding)
            hint.update(select_fields(text, self.entry.selectors, response.url))
        return hint

    def _attachment_links(self, response: Response) -> list:
        from extract.article import MAX_HTML_CHARS
        from extract.encoding import decode_html
        from extract.listing import attachment_links

        wanted = set(self.settings.getlist("ATTACHMENT_TYPES"))
        try:
            text, _encoding = decode_html(response.body, self.entry.encoding)
            # Only the part the page reader keeps: parsing all of a 20 MB page would cost hundreds of MB.
            links = attachment_links(text[:MAX_HTML_CHARS], response.url)
        except Exception as exc:  # an extractor bug must not cost us the page
            self.logger.warning("attachment links of %s unreadable: %s", response.url, exc)
            return []
        return [link for link in links if link.type in wanted]

    def attachment_requests(self, response: Response, article_url: str) -> Iterator[scrapy.Request]:
        for link in self._attachment_links(response):
            yield self.attachment_request(link.url, article_url, link.name, link.type)

    def attachment_request(self, url: str, article_url: str, name: str | None, declared_type: str | None) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_attachment,
            errback=self.on_attachment_error,
            meta={
                "page_kind": "attachment",
                "article_url": article_url,
                "name": name,
                "declared_type": declared_type,
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
    def on_error(self, failure: Failure) -> Iterator[Any]:
        yield self._error(failure, is_attachment=False)
        request = failure.request
        if request.meta.get("page_kind") == "list":  # the walk goes on with the next list page it knows of
            self.cut_short(f"list page failed: {request.url}")
            yield from self._next_list_page(int(request.meta.get("chain", 0)))

    def on_attachment_error(self, failure: Failure) -> Iterator[FetchError]:
        yield self._error(failure, is_attachment=True)

    def _error(self, failure: Failure, is_attachment: bool) -> FetchError:
        kind, status, message = classify_failure(failure)
        request = failure.request
        attempts = int(request.meta.get("retry_times", 0)) + 1
        page_kind = request.meta.get("page_kind", "detail")
        self.logger.warning("%s: %s page failed after %d attempt(s): %s %s", self.site_name, page_kind, attempts, kind, request.url)
        linked = (request.meta.get("redirect_urls") or [request.url])[0]  # the URL the site linked, not a hop
        if linked != request.url:
            message = f"{message} (redirected to {request.url})"
        return FetchError(
            site=self.site_name,
            url=self.identity(linked),
            kind=kind if page_kind == "detail" else f"{page_kind}_{kind}",
            attempts=attempts,
            last_status=status,
            message=message,
            is_attachment=is_attachment,
            article_url=request.meta.get("article_url") if is_attachment else None,
        )


def _flag(value: bool | str | None) -> bool:
    """Spider arguments arrive as strings from `scrapy crawl -a full=1`."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
