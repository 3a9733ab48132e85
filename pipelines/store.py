"""Persist items (crawler.store) and keep the site's counts for the run record.

Articles are held and written in batches, one transaction per batch (STORE_BATCH_SIZE articles or
STORE_BATCH_SECONDS, whichever comes first, and whatever is held when the spider closes): a transaction per
article cost more than writing its rows. A crawl killed outright loses the held batch only, and those pages,
never recorded, are fetched again by the next run. Errors, 304s and attachments are written as they come.
A frontier worker (crawler/frontier.py) acknowledges a request once its items are through the pipelines, so
there an article's item is finished only when its batch is written, and an attachment never waits in memory
for its notice: it is stored at once, and linked with its facts when the notice is stored (article_writer).
The counts are written to `crawl_runs` every few seconds too, so a run killed outright still shows how far
it got; the site's cursor and walk state are recorded when its spider closes.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from twisted.internet.defer import Deferred

from crawler.items import FetchedAttachment, FetchedPage, FetchError, NotModifiedPage
from crawler.run_counts import SiteCounts
from crawler.store import Store

logger = logging.getLogger(__name__)

COUNTS_FLUSH_SECONDS = 10.0


class StoragePipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self.store: Store | None = None
        self.run_id: int | None = None
        self.own_run = False
        self.lock = None
        self.counts = SiteCounts()
        self.site = None
        self._flushed_at = time.monotonic()
        # Attachments (and their failures) that arrive before their notice is stored: page analysis runs in
        # worker processes and is often slower than a download; saved then, an attachment lost its article link
        # and the facts of its text. They wait here for the notice (or the spider's close).
        self._waiting: dict[str, list[FetchedAttachment | FetchError]] = {}
        self._batch: list[FetchedPage] = []
        self._batch_urls: set[str] = set()
        self._batch_started = 0.0
        self._batch_written: list[Deferred] = []  # fired when the held batch is written (frontier workers)
        # A scheduler that acknowledges requests when Scrapy is done with them (FrontierScheduler): done must
        # mean stored, or a worker killed with a batch held loses articles the frontier thinks fetched.
        self.finish_when_stored = getattr(load_object(self.settings.get("SCHEDULER")), "acknowledges_requests", False)
        self.batch_size = max(1, self.settings.getint("STORE_BATCH_SIZE", 10))
        self.batch_seconds = self.settings.getfloat("STORE_BATCH_SECONDS", 2.0)
        self._timer = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.request_reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider=None) -> None:
        spider = spider or self.crawler.spider
        self.run_id = self.settings.getint("POLICY_RUN_ID") or None
        if self.run_id is None:  # `scrapy crawl` without the policycrawl command: it takes the lock itself
            from crawler.lock import CrawlLock

            self.lock = CrawlLock(self.settings.get("DB_PATH")).acquire()
        self.store = Store(self.settings.get("DB_PATH"))
        entry = getattr(spider, "entry", None)
        self.site = getattr(spider, "site_name", spider.name)
        if entry is not None:
            self.store.ensure_site(entry.name, entry.kind, entry.title, entry.start_urls[0], entry.region_code)
        if self.run_id is None:
            self.own_run = True
            for run_id, pid in self.store.mark_abandoned_runs():
                logger.warning("run %d (pid %s) was left running by a crawl that died; marked interrupted", run_id, pid)
            self.run_id = self.store.start_run({"spider": spider.name, "site": self.site})
        from twisted.internet import task

        self._timer = task.LoopingCall(self._flush_if_due)
        self._timer.start(min(1.0, max(0.1, self.batch_seconds)), now=False)

    def process_item(self, item, spider=None):
        stats = self.crawler.stats
        if isinstance(item, FetchedPage):
            if not self._batch:
                self._batch_started = time.monotonic()
            self._batch.append(item)
            self._batch_urls.add(item.url)
            done = self._when_written(item) if self.finish_when_stored else item
            if len(self._batch) >= self.batch_size:
                self._flush_batch()
            self._flush_if_due()
            return done
        elif isinstance(item, NotModifiedPage):
            if self.store.mark_not_modified(item, self.run_id):
                self.counts.not_modified += 1
                stats.inc_value("policy/articles/not_modified")
                logger.info("%s: not_modified article %s", self.site, item.url)
        elif isinstance(item, FetchedAttachment | FetchError) and self._must_wait(item):
            self._waiting.setdefault(item.article_url, []).append(item)
            if isinstance(item, FetchError):
                self.counts.error(item.kind)
                stats.inc_value("policy/errors")
        elif isinstance(item, FetchedAttachment):
            self.store.save_attachment(item, self.run_id)
            self.counts.attachments += 1
        elif isinstance(item, FetchError):
            self.store.save_error(item, self.run_id)
            self.counts.error(item.kind)
            stats.inc_value("policy/errors")
        self._flush_if_due()
        return item

    def _when_written(self, item: FetchedPage) -> Any:
        """`item`, once the batch holding it is written: what Scrapy awaits before it calls the request done."""
        written: Deferred = Deferred()
        self._batch_written.append(written)

        async def finished() -> FetchedPage:
            await maybe_deferred_to_future(written)
            return item

        return finished()

    def _flush_if_due(self) -> None:
        if self._batch and time.monotonic() - self._batch_started >= self.batch_seconds:
            self._flush_batch()
        if self.store is not None and time.monotonic() - self._flushed_at > COUNTS_FLUSH_SECONDS:
            self._flush_counts()

    def _flush_batch(self) -> None:
        """Write the held articles in one transaction; if that fails, one by one, so one bad article costs
        only itself (recorded as a `store_failed` error, its page fetched again next run)."""
        batch, self._batch, self._batch_urls = self._batch, [], set()
        written, self._batch_written = self._batch_written, []
        try:
            self._write_batch(batch)
        finally:  # written, or recorded as store_failed: either way the request is done with
            for done in written:
                done.callback(None)

    def _write_batch(self, batch: list[FetchedPage]) -> None:
        if not batch:
            return
        try:
            outcomes = self.store.save_articles(batch, self.run_id)
        except Exception:  # noqa: BLE001 - find the article at fault, keep the others
            logger.exception("%s: storing %d articles together failed; storing them one by one", self.site, len(batch))
            outcomes = [self._save_alone(item) for item in batch]
        stats = self.crawler.stats
        for item, outcome in zip(batch, outcomes, strict=True):
            if outcome is None:
                continue
            setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)
            self.counts.pages += 1
            stats.inc_value(f"policy/articles/{outcome}")
            logger.info("%s: %s article %s", self.site, outcome, item.url)
            self._save_waiting(item.url)

    def _save_alone(self, item: FetchedPage) -> str | None:
        try:
            return self.store.save_article(item, self.run_id)
        except Exception as exc:  # noqa: BLE001 - recorded, and the crawl goes on
            logger.exception("%s: article %s could not be stored", self.site, item.url)
            self.counts.error("store_failed")
            self.store.save_error(FetchError(site=self.site, url=item.url, kind="store_failed", attempts=1,
                                             last_status=item.status, message=f"{type(exc).__name__}: {exc}"),
                                  self.run_id)
            self._save_waiting(item.url)
            return None

    def _must_wait(self, item: FetchedAttachment | FetchError) -> bool:
        if isinstance(item, FetchError) and not item.is_attachment:
            return False
        url = item.article_url
        if self.finish_when_stored:  # nothing waits in a worker's memory (see the module's docstring)
            if url in self._batch_urls:
                self._flush_batch()  # its notice first, so the attachment is linked as it is stored
            return False
        return bool(url) and (url in self._waiting or url in self._batch_urls or not self.store.has_article(url))

    def _save_waiting(self, article_url: str | None = None) -> None:
        """Save what waited for `article_url` (everything, when None: the notice never came)."""
        urls = [article_url] if article_url is not None else list(self._waiting)
        for url in urls:
            for item in self._waiting.pop(url, []):
                if isinstance(item, FetchedAttachment):
                    self.store.save_attachment(item, self.run_id)
                    self.counts.attachments += 1
                else:
                    self.store.save_error(item, self.run_id)

    def request_reached_downloader(self, request, spider=None) -> None:
        kind = request.meta.get("page_kind") or ("robots" if request.url.endswith("/robots.txt") else "other")
        self.counts.fetch(kind)

    def item_dropped(self, item, response, exception, spider=None) -> None:
        reason = str(exception) or type(exception).__name__
        self.counts.drop(reason)
        if isinstance(item, FetchedPage) and self.store is not None:
            self.store.save_error(
                FetchError(site=self.site, url=item.url, kind=f"dropped_{reason}", attempts=1,
                           last_status=item.status, message=f"page fetched but not stored: {reason}"),
                self.run_id,
            )
            self._save_waiting(item.url)

    def _flush_counts(self) -> None:
        stats = self.crawler.stats
        self.counts.requests = int(stats.get_value("downloader/request_count", 0) or 0)
        self.counts.skipped = int(stats.get_value("policy/links/skipped", 0) or 0)
        self.store.merge_run_counts(self.run_id, self.site, self.counts.as_dict())
        self._flushed_at = time.monotonic()

    def close_spider(self, spider=None) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self._flush_batch()
        self._save_waiting()
        stats = self.crawler.stats
        self.counts.requests = int(stats.get_value("downloader/request_count", 0) or 0)
        self.counts.skipped = int(stats.get_value("policy/links/skipped", 0) or 0)
        if self.counts.articles == 0:
            start = self.crawler.spider.entry.start_urls[0] if hasattr(self.crawler.spider, "entry") else "?"
            self.counts.broken.append(f"no articles from {start}")
        self.store.merge_run_counts(self.run_id, self.site, self.counts.as_dict())
        if self.own_run:
            articles = self.counts.articles
            self.store.finish_run(self.run_id, "ok" if articles else "failed", 0 if articles else 1)

    def spider_closed(self, spider, reason: str) -> None:
        """The site's cursor, and whether this run walked its list far enough for the next to stop early."""
        plan = getattr(spider, "plan", None)
        if self.store is not None and plan is not None:
            complete = reason == "finished" and getattr(spider, "walk_complete", False)
            self.store.finish_walk(self.site, plan.cursor, complete)
            if not complete:
                why = "; ".join(getattr(spider, "walk_cut_short", [])) or f"closed: {reason}"
                logger.info("%s: list not walked to the end (%s); the next run pages through it again", self.site, why)
        if self.own_run and reason != "finished" and self.store is not None:
            self.store.finish_run(self.run_id, "interrupted" if reason == "shutdown" else "failed", 1)
        if self.lock is not None:
            self.lock.release()
            self.lock = None
