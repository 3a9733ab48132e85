"""Decode and read each fetched page (extract.article): the first step of every item."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from crawler.items import FetchedPage
from crawler.processing import NotAnArticle, understand_page


class PageUnderstandingPipeline:
    def process_item(self, item, spider=None):
        if not isinstance(item, FetchedPage):
            return item
        try:
            return understand_page(item)
        except NotAnArticle as exc:
            raise DropItem(exc.reason) from exc
