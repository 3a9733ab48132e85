"""Pages built to be slow (issue 21, item 3): the readers take time linear in the page, measured at two sizes.

Quadratic before: `detect_challenge` on a run of "<" (200,000 characters: 15 s) and `detail_links` with every
link under one parent (16,000 links: over 20 s). Each case times the same page at n and 4n; linear work
grows ~4x, quadratic 16x. The bound (8x) leaves room for a loaded 2-core machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from extract.challenge import detect_challenge
from extract.listing import detail_links

GROWTH_BOUND = 8.0  # for 4x the input


def _best_seconds(call: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return max(best, 1e-4)  # below a tenth of a millisecond the clock, not the code, is measured


def _one_parent_list(links: int) -> str:
    items = "".join(f'<a href="/art/t20240301_{i}.html">关于印发第{i}号通知</a> 2024-03-01 ' for i in range(links))
    return f"<html><body><div class='list'>{items}</div></body></html>"


CASES = {
    "a run of '<'": (lambda n: "<" * n, detect_challenge, 200_000),
    "a run of '<title>' never closed": (lambda n: "<title>" * (n // 7), detect_challenge, 200_000),
    "'<a ' tags never closed": (lambda n: "<a " * (n // 3), detect_challenge, 200_000),
    "all links under one parent": (
        _one_parent_list, lambda page: detail_links(page, "http://www.gov.cn/", r"/t\d{8}_\d+\.html$"), 2_000),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_time_grows_linearly_with_the_page(case):
    make, read, n = CASES[case]
    small, large = make(n), make(4 * n)
    growth = _best_seconds(lambda: read(large)) / _best_seconds(lambda: read(small))
    if growth >= GROWTH_BOUND:  # measured again: a busy machine slows one run, a quadratic reader every run
        growth = min(growth, _best_seconds(lambda: read(large)) / _best_seconds(lambda: read(small)))
    assert growth < GROWTH_BOUND, f"{case}: 4x the input took {growth:.1f}x the time"


def test_links_under_one_parent_keep_their_urls_and_the_date_printed_beside_them():
    links = detail_links(_one_parent_list(3), "http://www.gov.cn/", r"/t\d{8}_\d+\.html$")
    assert [(link.url, link.date) for link in links] == [
        (f"http://www.gov.cn/art/t20240301_{i}.html", "2024-03-01") for i in range(3)]


def test_a_page_of_angle_brackets_is_still_told_from_a_challenge():
    assert detect_challenge("<" * 200_000) is None
    found = detect_challenge("<html><head><title>安全验证</title></head><body><p>请拖动下方滑块</p>"
                             "<a href='/'><<返回首页</a></body></html>")
    assert found is not None and found.kind == "captcha"
