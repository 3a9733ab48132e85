"""Sites that offer an RSS/Atom feed or a sitemap.xml: feed entries → the same detail pages as every kind.

`start_urls` are the feeds; a sitemap index leads to its child sitemaps (they count as list pages, capped by
`max_list_pages`); entries whose URL does not match `detail_url_pattern` are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawler.settings import FEED_MAX_BYTES
from extract.feeds import parse_feed
from spiders.base import RegistrySpider


class FeedSpider(RegistrySpider):
    name = "feed"
    kind = "feed"

    def parse_list(self, response: Response) -> Iterator[Any]:
        feed = parse_feed(response.body, response.url, max_bytes=self.settings.getint("FEED_MAX_BYTES", FEED_MAX_BYTES))
        if feed.kind == "unknown":
            self.logger.error("%s: %s is not an RSS, Atom or sitemap document; the feed may have moved",
                              self.site_name, response.url)
            self.crawler.stats.inc_value(f"policy/{self.site_name}/broken/feed_unreadable")
            return
        pattern = re.compile(self.entry.detail_url_pattern)
        matched = 0
        for entry in feed.entries:
            if entry.is_sitemap:
                request = self.list_request(entry.url)
            elif pattern.search(entry.url):
                matched += 1
                hint = {k: v for k, v in (("title", entry.title), ("date", entry.date)) if v}
                request = self.detail_request(entry.url, hint)
            else:
                continue
            if request is not None:
                yield request
        if feed.kind != "sitemapindex" and not matched:
            self.logger.warning("%s: feed %s has %d entries, none matching %s", self.site_name, response.url,
                                len(feed.entries), self.entry.detail_url_pattern)
            self.crawler.stats.inc_value(f"policy/{self.site_name}/list_pages_without_links")
