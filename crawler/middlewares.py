"""Downloader middleware: retries that back off, so a struggling government server gets room to recover.

Scrapy's RetryMiddleware re-schedules a failed request at once. This subclass stamps each retry with a delay
(RETRY_BACKOFF_BASE * 2**(attempt-1), capped at RETRY_BACKOFF_MAX) and waits that long before the retry is
downloaded — without blocking the reactor or the other sites of the run.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.settings import BaseSettings

BACKOFF_META = "retry_backoff_seconds"


class _NoTraceback(logging.Filter):
    """Scrapy logs an unreachable robots.txt (DNS, refused, timeout) with a full traceback; ops need one line
    — the failure itself is recorded in `errors` by the spider's errback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.msg} [{type(record.exc_info[1]).__name__}]"
            record.exc_info, record.exc_text = None, None
        return True


def quiet_robots_tracebacks() -> None:
    robots_logger = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    if not any(isinstance(f, _NoTraceback) for f in robots_logger.filters):
        robots_logger.addFilter(_NoTraceback())


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """Delay before retry number `attempt` (1 = the first retry): base, 2·base, 4·base … at most `cap`."""
    if attempt < 1 or base <= 0:
        return 0.0
    return min(cap, base * 2 ** (attempt - 1))


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 0.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        quiet_robots_tracebacks()

    def _retry(self, request: Request, reason: Any) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            attempt = int(retry.meta.get("retry_times", 1))
            retry.meta[BACKOFF_META] = backoff_seconds(attempt, self.backoff_base, self.backoff_max)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("policy/retries/backed_off")
        return retry

    async def process_request(self, request: Request) -> None:
        delay = request.meta.pop(BACKOFF_META, 0.0)
        if delay > 0:
            from scrapy.utils.defer import maybe_deferred_to_future
            from twisted.internet import reactor
            from twisted.internet.task import deferLater

            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return None
