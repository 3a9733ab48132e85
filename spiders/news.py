"""News sites: section/list pages with "下一页" paging → article pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from spiders.base import RegistrySpider
from spiders.gov_portal import follow_list_page


class NewsSpider(RegistrySpider):
    name = "news"
    kind = "news"

    def parse_list(self, response: Response) -> Iterator[Any]:
        yield from follow_list_page(self, response)
