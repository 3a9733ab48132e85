"""Read, normalise and extract the facts of each fetched page (crawler.processing.analyse_page), in a worker.

One pipeline, one job per page: the steps (page understanding → Simplified script and clean punctuation →
policies, targets, regions, keywords → story fingerprint and compressed body) run back to back in one worker
process. As three pipelines they sent the page and its growing record to a worker three times, and pickling
those round trips cost the crawl's event loop more than the store did. The worker also cuts the texts the search
index holds, with the tokens the facts used (`item.search_segments`), so the store only writes them.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

from crawler.items import FetchedPage
from crawler.processing import NotAnArticle, analyse_page
from pipelines import offload


class PageAnalysisPipeline(offload.OffloadingPipeline):
    """A page whose analysis runs past ANALYSIS_TIMEOUT_SECONDS is dropped as `too_slow` (with its URL in
    `errors`, as `dropped_too_slow`) and the crawl goes on."""

    def __init__(self, workers: int = 0, time_cap: float = 0) -> None:
        super().__init__(workers)
        self.time_cap = time_cap

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("PROCESSING_WORKERS"), crawler.settings.getfloat("ANALYSIS_TIMEOUT_SECONDS"))

    async def process_item(self, item, spider=None):
        if not isinstance(item, FetchedPage):
            return item
        try:
            return await offload.run(analyse_page, item, self.time_cap)
        except NotAnArticle as exc:
            raise DropItem(exc.reason) from exc
