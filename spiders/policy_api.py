"""Policy libraries with a JSON search API (gov.cn 政策文件库 and its kind): pages of results → detail pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Response

from extract.feeds import feed_date
from extract.listing import dig, with_page_param
from spiders.base import ListTally, RegistrySpider


class PolicyApiSpider(RegistrySpider):
    name = "policy_api"
    kind = "policy_api"

    def parse_list(self, response: Response) -> Iterator[Any]:
        api = self.entry.api
        try:
            data = json.loads(response.text)
        except (ValueError, AttributeError):
            self.logger.error("%s: API answer at %s is not JSON; the API may have changed", self.site_name, response.url)
            self.crawler.stats.inc_value(f"policy/{self.site_name}/broken/api_not_json")
            return
        items = dig(data, api.items_field) or []
        if not isinstance(items, list):
            self.logger.error("%s: no list at %r in %s", self.site_name, api.items_field, response.url)
            return
        tally = ListTally()
        pattern = re.compile(self.entry.detail_url_pattern)
        for entry in items:  # field names may be dotted paths ("groupData.0.data.url")
            if not isinstance(entry, dict) or not dig(entry, api.url_field):
                continue
            url = urljoin(response.url, str(dig(entry, api.url_field)))
            if not pattern.search(url):  # search APIs mix in 解读/图解 pages and other columns
                self.crawler.stats.inc_value(f"policy/{self.site_name}/api_links_not_matching")
                continue
            title, date = dig(entry, api.title_field), dig(entry, api.date_field)
            hint = {  # search APIs wrap hits in <em>; dates come as 2024.03.05 or 2024-03-05 (else dropped)
                "title": re.sub(r"<[^>]+>", "", str(title)).strip() if title else None,
                "date": feed_date(str(date)) if date else None,
                "doc_number": dig(entry, api.doc_number_field),
                "issuer": dig(entry, api.issuer_field),
            }
            request = self.detail_request(url, {k: v for k, v in hint.items() if v}, tally)
            if request is not None:
                yield request
        more: list[tuple[str, dict[str, Any]]] = []
        if response.meta.get("api_page") is None:  # the first page knows how many there are
            pages = dig(data, api.pages_field)
            try:
                pages = int(pages)
            except (TypeError, ValueError):
                pages = 1
            more = [(with_page_param(response.url, api.page_param, page), {"api_page": page})
                    for page in range(2, min(pages, self.entry.max_list_pages) + 1)]
        yield from self.continue_paging(response, more, tally)
