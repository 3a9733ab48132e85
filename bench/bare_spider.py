"""The baseline of the crawl benchmark: plain Scrapy fetching the same list and detail pages and discarding them.

Nothing of ours runs: no registry spider, no pipeline, no store. Links are found with Scrapy's own selectors,
and the crawl runs with the same settings as the full one, so the difference between the two is what our
analysis and storage cost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response


class BareSpider(scrapy.Spider):
    name = "bench_bare"

    def __init__(self, start_url: str = "", detail_pattern: str = "", list_pattern: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_url = start_url
        self.detail_re = re.compile(detail_pattern)
        self.list_re = re.compile(list_pattern)

    async def start(self):
        yield scrapy.Request(self.start_url, callback=self.parse)

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if self.detail_re.search(url):
                yield scrapy.Request(url, callback=self.discard)
            elif self.list_re.search(url):
                yield scrapy.Request(url, callback=self.parse)

    def discard(self, response: Response) -> None:
        """Fetched and dropped: only counted."""
        self.crawler.stats.inc_value("bench/detail_pages")
