"""`-s FRONTIER_URL=redis://…` makes any crawl of ours a frontier worker: `scrapy crawl gov_portal -a site=hunan`,
and so scrapyd jobs (README: Scaling out). Without FRONTIER_URL it does nothing, and imports nothing: the
`distributed` extra (scrapy-redis, redis) is needed only by crawls that use it.
"""

from __future__ import annotations

from typing import Any


class FrontierAddon:
    def update_settings(self, settings: Any) -> None:
        url = settings.get("FRONTIER_URL")
        if not url:
            return
        from crawler.frontier import worker_settings

        for name, value in worker_settings(url, None).items():
            settings.set(name, value, priority="addon")
