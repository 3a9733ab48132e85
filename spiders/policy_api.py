"""Policy libraries with a JSON search API (gov.cn 政策文件库 and its kind): pages of results → detail pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Response

from extract.listing import dig, with_page_param
from spiders.base import RegistrySpider


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
        for entry in items:
            if not isinstance(entry, dict) or not entry.get(api.url_field):
                continue
            hint = {
                "title": entry.get(api.title_field) if api.title_field else None,
                "date": entry.get(api.date_field) if api.date_field else None,
                "doc_number": entry.get(api.doc_number_field) if api.doc_number_field else None,
                "issuer": entry.get(api.issuer_field) if api.issuer_field else None,
            }
            request = self.detail_request(urljoin(response.url, entry[api.url_field]), {k: v for k, v in hint.items() if v})
            if request is not None:
                yield request
        if response.meta.get("api_page") is None:  # the first page schedules the others
            pages = dig(data, api.pages_field)
            try:
                pages = int(pages)
            except (TypeError, ValueError):
                pages = 1
            for page in range(2, min(pages, self.entry.max_list_pages) + 1):
                request = self.list_request(with_page_param(response.url, api.page_param, page))
                if request is not None:
                    request.meta["api_page"] = page
                    yield request
