"""A page built to be slow (issue 21, item 3): its analysis is cut at ANALYSIS_TIMEOUT_SECONDS, the page is
recorded as `dropped_too_slow` with its URL, and the crawl goes on with the other pages.

The crawl runs as `policycrawl crawl` does, with page analysis in worker processes; faults/child.py makes the
fact extractor spin for 30 s on a text holding a marker (in the workers too), the way a super-linear rule would.
"""

from __future__ import annotations

import dataclasses
import time

import pytest
from faults.harness import assert_no_half_written_rows, crawl, site_entry
from faults.pages import NOTICES, list_html, notice_html
from faults.server import FaultServer, FaultSite, Reply

from crawler.items import FetchedPage
from crawler.processing import PageTooSlow, analyse_or_reason, time_cap

MARKER = "（本页故意放慢）"
CAP_SECONDS = 3.0


@pytest.fixture(scope="module")
def slow_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("slow")
    slow = dataclasses.replace(NOTICES[1], paragraphs=(*NOTICES[1].paragraphs, f"附则：本通知自印发之日起施行。{MARKER}"))
    pages = {"/art/2024/1.html": NOTICES[0], "/art/2024/2.html": slow, "/art/2024/3.html": NOTICES[2]}
    routes = {path: Reply(body=notice_html(notice).encode()) for path, notice in pages.items()}
    routes["/list/index.html"] = Reply(body=list_html([(path, n.title) for path, n in pages.items()]).encode())
    with FaultServer(FaultSite(routes), max_requests=50, max_seconds=200) as server:
        entry = site_entry("fault_slow", server.base_url, start="/list/index.html", detail=r"/art/2024/\d+\.html$")
        started = time.monotonic()
        outcome = crawl(tmp, [entry], settings={"ANALYSIS_TIMEOUT_SECONDS": CAP_SECONDS, "PROCESSING_WORKERS": 1},
                        env={"FAULT_SLOW_MARKER": MARKER, "FAULT_SLOW_SECONDS": "40"})
        wall = time.monotonic() - started
    return outcome, wall


@pytest.mark.slow
def test_the_slow_page_is_dropped_as_too_slow_with_its_url(slow_crawl):
    outcome, _wall = slow_crawl
    assert outcome.errors()["/art/2024/2.html"][0] == "dropped_too_slow"
    assert outcome.site_counts("fault_slow")["dropped"] == {"too_slow": 1}


@pytest.mark.slow
def test_the_crawl_goes_on_and_keeps_the_other_pages(slow_crawl):
    outcome, wall = slow_crawl
    assert outcome.article_paths() == {"/art/2024/1.html", "/art/2024/3.html"}
    assert outcome.exit_code == 0, outcome.failures
    assert wall < 35, f"the crawl waited for the slow page: {wall:.0f} s"  # the page alone spins for 40 s
    assert_no_half_written_rows(outcome.db)


def test_the_cap_interrupts_a_busy_loop_on_this_thread():
    started = time.monotonic()
    with pytest.raises(PageTooSlow) as raised, time_cap(0.2, "http://www.example.gov.cn/art/1.html"):
        while time.monotonic() - started < 10:
            pass
    assert time.monotonic() - started < 2
    assert raised.value.reason == "too_slow" and "art/1.html" in str(raised.value)


def test_without_a_cap_or_after_it_nothing_fires():
    with time_cap(0, "u"):
        time.sleep(0.05)
    with time_cap(5, "u"):
        pass
    time.sleep(0.05)  # the timer was cancelled on leaving: no late alarm


def test_reextract_gives_the_reason_of_a_page_over_its_cap(monkeypatch):
    import extract.facts

    real = extract.facts.extract_facts

    def spin(text, *args, **kwargs):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pass
        return real(text, *args, **kwargs)

    monkeypatch.setattr(extract.facts, "extract_facts", spin)
    url = "http://www.example.gov.cn/art/2.html"
    page = FetchedPage(site="example", url=url, final_url=url, status=200, content_type="text/html",
                       declared_encoding="utf-8", body=notice_html(NOTICES[0]).encode())
    item, reason = analyse_or_reason(page, 0.5)
    assert item is None and reason.startswith("too_slow: http://www.example.gov.cn/art/2.html")
