"""The CPU-heavy steps of the pipelines run in worker processes, so the crawl's event loop keeps downloading.

Parsing a page, normalising it and extracting its facts cost about ten milliseconds of CPU per page; run in
`process_item` itself they stop every download for that long. Here they are sent to a process pool
(`PROCESSING_WORKERS`, crawler/settings.py) and awaited, so the reactor goes on fetching while workers analyse.
One pool per crawl process, shared by every pipeline of every spider (opened with the first, shut down with the
last); each worker loads jieba and OpenCC once, when the crawl opens. `PROCESSING_WORKERS = 0` runs the steps
inline as before.

A worker that dies (killed, out of memory, a crashing C library) breaks the pool: it is started again and the
step retried once; an item that breaks a fresh pool too is dropped (`analysis_worker_crashed`) rather than
analysed in the crawl process, where it could take the crawl down. After MAX_RESTARTS the steps run inline.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from scrapy.exceptions import DropItem

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_RESTARTS = 3

_lock = threading.Lock()
_pool: Executor | None = None
_workers = 0
_users = 0
_restarts = 0


def acquire(workers: int) -> None:
    """One more pipeline uses the pool; the first one starts `workers` warmed-up processes (0: none)."""
    global _pool, _users, _workers, _restarts
    with _lock:
        _users += 1
        if _pool is not None or workers <= 0:
            return
        _workers, _restarts = workers, 0
        _pool = _start(workers)
        logger.info("page analysis in %d worker processes", workers)


def release() -> None:
    """A pipeline is done; the last one shuts the pool down."""
    global _pool, _users
    with _lock:
        _users = max(0, _users - 1)
        if _users or _pool is None:
            return
        pool, _pool = _pool, None
    pool.shutdown(wait=True, cancel_futures=True)


def _start(workers: int) -> Executor:
    from crawler.processing import start_workers, worker_ready

    pool = start_workers(workers)
    for _ in range(workers):  # spawn them all now: their dictionaries load while the first pages download
        pool.submit(worker_ready)
    return pool


def _replace(broken: Executor, error: BaseException) -> None:
    """Start a fresh pool in place of a broken one (once per breakage), or give up on workers."""
    global _pool, _restarts
    with _lock:
        if _pool is not broken:  # another item's step already replaced it
            return
        if _restarts < MAX_RESTARTS:
            _restarts += 1
            logger.error("a page-analysis worker died (%s); starting the workers again (%d of %d)",
                         error, _restarts, MAX_RESTARTS)
            _pool = _start(_workers)
        else:
            logger.error("page-analysis workers died %d times; analysing on the crawl process from now on",
                         _restarts + 1)
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


async def run(step: Callable[..., T], *args: Any) -> T:
    """`step(*args)` in a worker process when there is a pool, else right here."""
    for _attempt in range(2):
        pool = _pool
        if pool is None:
            return step(*args)
        try:
            return await _wait(pool.submit(step, *args))
        except BrokenProcessPool as exc:
            _replace(pool, exc)
    raise DropItem("analysis_worker_crashed")


async def _wait(future: Future[T]) -> T:
    from scrapy.utils.asyncio import is_asyncio_available

    if is_asyncio_available():  # TWISTED_REACTOR is the asyncio one (crawler/settings.py)
        return await asyncio.wrap_future(future)
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    done: Deferred[T] = Deferred()

    def resolve(finished: Future[T]) -> None:
        error = finished.exception()
        if error is not None:
            done.errback(error)
        else:
            done.callback(finished.result())

    future.add_done_callback(lambda finished: reactor.callFromThread(resolve, finished))
    return await done


class OffloadingPipeline:
    """What every pipeline that sends steps to the pool shares: the pool is acquired while its spider runs."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("PROCESSING_WORKERS"))

    def open_spider(self, spider=None) -> None:
        acquire(self.workers)

    def close_spider(self, spider=None) -> None:
        release()
