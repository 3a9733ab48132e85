"""Decode and read each fetched page (extract.article): the first step of every item, in a worker process."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from crawler.items import FetchedPage
from crawler.processing import NotAnArticle, understand_page
from pipelines import offload


class PageUnderstandingPipeline:
    def __init__(self, workers: int = 0) -> None:
        self.workers = workers

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("PROCESSING_WORKERS"))

    def open_spider(self, spider=None) -> None:
        offload.acquire(self.workers)

    def close_spider(self, spider=None) -> None:
        offload.release()

    async def process_item(self, item, spider=None):
        if not isinstance(item, FetchedPage):
            return item
        try:
            return await offload.run(understand_page, item)
        except NotAnArticle as exc:
            raise DropItem(exc.reason) from exc
