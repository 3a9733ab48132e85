"""Simplified script, clean punctuation, no boilerplate (extract.normalize); the original is kept."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from crawler.items import FetchedPage
from crawler.processing import NotAnArticle, normalize_record


class ScriptNormalizationPipeline:
    def process_item(self, item, spider=None):
        if not isinstance(item, FetchedPage):
            return item
        try:
            return normalize_record(item)
        except NotAnArticle as exc:
            raise DropItem(exc.reason) from exc
