"""Simplified script, clean punctuation, no boilerplate (extract.normalize); the original is kept."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from crawler.items import FetchedPage
from crawler.processing import NotAnArticle, normalize_record
from pipelines import offload


class ScriptNormalizationPipeline:
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
            return await offload.run(normalize_record, item)
        except NotAnArticle as exc:
            raise DropItem(exc.reason) from exc
