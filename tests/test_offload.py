"""The pipelines' worker pool: steps run in another process, their errors arrive intact, a killed worker is
replaced, and workers that keep dying leave the work to the crawl process."""

from __future__ import annotations

import asyncio
import os
import pickle

import pytest

from crawler.processing import NotAnArticle
from pipelines import offload


def reject(url: str) -> None:
    raise NotAnArticle("waf_challenge", url)


def die_in_worker(parent_pid: int) -> str:
    if os.getpid() != parent_pid:
        os._exit(3)  # a worker killed mid-item (out of memory, a crashing C library)
    return "analysed here"


@pytest.fixture
def pool():
    offload.acquire(1)
    yield
    offload.release()
    assert offload._pool is None and offload._users == 0


def test_not_an_article_keeps_its_reason_across_processes():
    error = pickle.loads(pickle.dumps(NotAnArticle("empty_body", "http://example.gov.cn/a.html")))
    assert error.reason == "empty_body"
    assert str(error) == "empty_body: http://example.gov.cn/a.html"


def test_without_workers_a_step_runs_in_this_process():
    offload.acquire(0)
    try:
        assert asyncio.run(offload.run(os.getpid)) == os.getpid()
    finally:
        offload.release()


def test_with_workers_a_step_runs_in_another_process(pool):
    assert asyncio.run(offload.run(os.getpid)) != os.getpid()


def test_a_rejected_page_arrives_with_its_reason(pool):
    with pytest.raises(NotAnArticle) as caught:
        asyncio.run(offload.run(reject, "http://example.gov.cn/t.html"))
    assert caught.value.reason == "waf_challenge"


@pytest.mark.slow  # each replacement starts a worker that loads its dictionaries
def test_a_killed_worker_is_replaced_and_its_item_dropped(pool, caplog):
    from scrapy.exceptions import DropItem

    with pytest.raises(DropItem, match="analysis_worker_crashed"):  # it killed a fresh pool too
        asyncio.run(offload.run(die_in_worker, os.getpid()))
    assert "starting the workers again" in caplog.text
    assert asyncio.run(offload.run(os.getpid)) != os.getpid()  # the next item goes to a new worker


@pytest.mark.slow
def test_workers_that_keep_dying_leave_the_steps_to_this_process(pool, caplog):
    from scrapy.exceptions import DropItem

    for _ in range(offload.MAX_RESTARTS // 2 + 1):
        with pytest.raises(DropItem):
            asyncio.run(offload.run(die_in_worker, os.getpid()))
    assert asyncio.run(offload.run(die_in_worker, os.getpid())) == "analysed here"
    assert "analysing on the crawl process from now on" in caplog.text
