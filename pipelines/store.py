"""Persist items (crawler.store), one transaction each, and keep the site's counts for the run record."""

from __future__ import annotations

from scrapy import signals

from crawler.items import FetchedAttachment, FetchedPage, FetchError
from crawler.run_counts import SiteCounts
from crawler.store import Store


class StoragePipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self.store: Store | None = None
        self.run_id: int | None = None
        self.own_run = False
        self.counts = SiteCounts()
        self.site = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def open_spider(self, spider=None) -> None:
        spider = spider or self.crawler.spider
        self.store = Store(self.settings.get("DB_PATH"))
        self.run_id = self.settings.getint("POLICY_RUN_ID") or None
        entry = getattr(spider, "entry", None)
        self.site = getattr(spider, "site_name", spider.name)
        if entry is not None:
            self.store.ensure_site(entry.name, entry.kind, entry.title, entry.start_urls[0], entry.region_code)
        if self.run_id is None:  # `scrapy crawl` without the policycrawl command: a run of its own
            self.own_run = True
            self.run_id = self.store.start_run({"spider": spider.name, "site": self.site})

    def process_item(self, item, spider=None):
        if isinstance(item, FetchedPage):
            outcome = self.store.save_article(item, self.run_id)
            setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)
            self.counts.pages += 1
        elif isinstance(item, FetchedAttachment):
            self.store.save_attachment(item, self.run_id)
            self.counts.attachments += 1
        elif isinstance(item, FetchError):
            self.store.save_error(item, self.run_id)
            self.counts.error(item.kind)
        return item

    def item_dropped(self, item, response, exception, spider=None) -> None:
        reason = str(exception) or type(exception).__name__
        self.counts.drop(reason)
        if isinstance(item, FetchedPage) and self.store is not None:
            self.store.save_error(
                FetchError(site=self.site, url=item.url, kind=f"dropped_{reason}", attempts=1,
                           last_status=item.status, message=f"page fetched but not stored: {reason}"),
                self.run_id,
            )

    def close_spider(self, spider=None) -> None:
        stats = self.crawler.stats
        self.counts.requests = int(stats.get_value("downloader/request_count", 0) or 0)
        articles = self.counts.new + self.counts.updated + self.counts.unchanged
        if articles == 0:
            start = self.crawler.spider.entry.start_urls[0] if hasattr(self.crawler.spider, "entry") else "?"
            self.counts.broken.append(f"no articles from {start}")
        self.store.merge_run_counts(self.run_id, self.site, self.counts.as_dict())
        if self.own_run:
            self.store.finish_run(self.run_id, "ok" if articles else "failed", 0 if articles else 1)
