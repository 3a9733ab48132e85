"""Government portals on TRS/集约化 platforms: `index.html`, `index_1.html` … list pages → notices."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawler.urls import canonical_url
from extract.encoding import decode_html
from extract.listing import detail_links, next_list_pages
from spiders.base import ListTally, RegistrySpider


class GovPortalSpider(RegistrySpider):
    name = "gov_portal"
    kind = "gov_portal"

    def parse_list(self, response: Response) -> Iterator[Any]:
        yield from follow_list_page(self, response)


def follow_list_page(spider: RegistrySpider, response: Response) -> Iterator[Any]:
    """Detail links by the site's URL pattern, further list pages by its paging style (one after the other, so a
    nightly run stops paging once a page holds nothing new: RegistrySpider.continue_paging)."""
    entry = spider.entry
    text, _encoding = decode_html(response.body, _declared(response) or entry.encoding)
    links = detail_links(text, response.url, entry.detail_url_pattern, normalize=canonical_url)
    if not links:
        spider.logger.warning("%s: list page %s has no detail links matching %s", spider.site_name, response.url, entry.detail_url_pattern)
        spider.crawler.stats.inc_value(f"policy/{spider.site_name}/list_pages_without_links")
    tally = ListTally()
    for link in links:
        hint = {"title": link.text or None, "date": link.date}
        request = spider.detail_request(link.url, {k: v for k, v in hint.items() if v}, tally)
        if request is not None:
            yield request
    more = next_list_pages(text, response.url, entry.paging, entry.list_url_pattern)
    yield from spider.continue_paging(response, [(url, {}) for url in more], tally)


def _declared(response: Response) -> str | None:
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    if "charset=" in content_type:
        return content_type.split("charset=", 1)[1].split(";")[0].strip() or None
    return None
