"""Politeness defaults: robots.txt, AutoThrottle, a User-Agent naming the project and its contact URL, per-site
concurrency of 1–2 for live sites, and retries that back off exponentially instead of hammering a failing server."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.crawl import project_settings
from crawler.middlewares import BACKOFF_META, BackoffRetryMiddleware, backoff_seconds
from crawler.registry import load_registry
from spiders.gov_portal import GovPortalSpider


def test_project_settings_are_polite_by_default():
    settings = project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.get("CONTACT_URL") in settings.get("USER_AGENT")
    assert settings.get("USER_AGENT").startswith("policy-crawler/")
    assert settings.getdict("DOWNLOADER_MIDDLEWARES")["crawler.middlewares.BackoffRetryMiddleware"] == 550
    assert max(s.concurrency for s in load_registry().sites) <= 2


@pytest.mark.parametrize(
    ("attempt", "base", "cap", "seconds"),
    [(1, 2.0, 60.0, 2.0), (2, 2.0, 60.0, 4.0), (3, 2.0, 60.0, 8.0), (7, 2.0, 60.0, 60.0), (1, 0.0, 60.0, 0.0),
     (0, 2.0, 60.0, 0.0)],
)
def test_backoff_doubles_per_attempt_up_to_the_cap(attempt, base, cap, seconds):
    assert backoff_seconds(attempt, base, cap) == seconds


def test_a_retried_request_carries_its_backoff_and_gives_up_after_retry_times():
    crawler = get_crawler(GovPortalSpider, {"RETRY_TIMES": 2, "RETRY_BACKOFF_BASE": 1.5, "RETRY_BACKOFF_MAX": 60})
    crawler.spider = GovPortalSpider.from_crawler(crawler, entry=load_registry().get("hunan"))
    middleware = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request("https://www.hunan.gov.cn/hnszf/xxgk/wjk/szfbgt/wjk_glrb.html")
    delays = []
    for _attempt in range(3):
        answer = middleware.process_response(request, Response(request.url, status=503, request=request))
        if not isinstance(answer, Request):
            break
        delays.append(answer.meta[BACKOFF_META])
        request = answer
    assert delays == [1.5, 3.0]
    assert isinstance(answer, Response) and answer.status == 503  # given up: the errback records it
    assert crawler.stats.get_value("policy/retries/backed_off") == 2
