"""Policies, targets, regions and keywords of each article (extract.facts), in a worker process.

The worker also cuts the texts the search index will hold, with the tokens the facts used; they are handed
to crawler.search_index so the store only writes them.
"""

from __future__ import annotations

from crawler.items import FetchedPage
from crawler.processing import extract_page_facts
from crawler.search_index import remember
from pipelines import offload


class FactExtractionPipeline:
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
        item = await offload.run(extract_page_facts, item)
        remember(item.search_segments)
        return item
