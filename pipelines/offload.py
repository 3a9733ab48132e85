"""The CPU-heavy steps of the pipelines run in worker processes, so the crawl's event loop keeps downloading.

Parsing a page, normalising it and extracting its facts cost tens of milliseconds of CPU per page; run in
`process_item` itself they stop every download for that long. Here they are sent to a process pool
(`PROCESSING_WORKERS`, crawler/settings.py) and awaited, so the reactor goes on fetching while workers analyse.
One pool per crawl process, shared by every pipeline of every spider (opened with the first, shut down with the
last); each worker loads jieba and OpenCC once, when the crawl opens. `PROCESSING_WORKERS = 0` runs the steps
inline as before. A pool that breaks (a worker killed) is logged and the steps go on inline.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")

_lock = threading.Lock()
_pool: Executor | None = None
_users = 0


def acquire(workers: int) -> None:
    """One more pipeline uses the pool; the first one starts `workers` warmed-up processes (0: none)."""
    global _pool, _users
    with _lock:
        _users += 1
        if _pool is not None or workers <= 0:
            return
        from crawler.processing import start_workers, worker_ready

        _pool = start_workers(workers)
        for _ in range(workers):  # spawn them all now: their dictionaries load while the first pages download
            _pool.submit(worker_ready)
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


async def run(step: Callable[..., T], *args: Any) -> T:
    """`step(*args)` in a worker process when there is a pool, else right here."""
    global _pool
    pool = _pool
    if pool is None:
        return step(*args)
    try:
        future = pool.submit(step, *args)
        return await _wait(future)
    except BrokenProcessPool as exc:
        logger.error("the page-analysis workers broke (%s); analysing on the crawl process from now on", exc)
        with _lock:
            if _pool is pool:
                _pool = None
        pool.shutdown(wait=False, cancel_futures=True)
        return step(*args)


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
