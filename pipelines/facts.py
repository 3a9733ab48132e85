"""Policies, targets, regions and keywords of each article (extract.facts)."""

from __future__ import annotations

from crawler.items import FetchedPage
from crawler.processing import extract_page_facts


class FactExtractionPipeline:
    def process_item(self, item, spider=None):
        if not isinstance(item, FetchedPage):
            return item
        return extract_page_facts(item)
