"""`make bench` at toy size, so its machinery cannot rot: the generated site, its server, the figures' lines."""

from __future__ import annotations

import io
import itertools
import re
import urllib.request
from contextlib import redirect_stdout

import pytest

from bench.__main__ import Sizes, run
from bench.bench_reextract import bench_reextract
from bench.bench_store import analysed_pages, bench_store
from bench.site import BenchServer, BenchSite


def test_site_pages_are_deterministic_and_linked():
    site = BenchSite(45)
    assert site.list_pages == 3
    first = site.render(site.detail_path(7))
    assert first == BenchSite(45).render(site.detail_path(7))
    assert first[0] == 200 and first[1].startswith("text/html")
    linked = set()
    for index in range(site.list_pages):
        status, _type, body = site.render(site.list_path(index))
        assert status == 200
        linked |= set(re.findall(r'href="\.(/\d{6}/t\d{8}_\d+\.html)"', body.decode()))
    assert len(linked) == 45
    assert site.render("/col/col_bench/202412/t20241230_9999999.html")[0] == 404
    assert site.render("/col/col_bench/index_3.html")[0] == 404
    assert site.render("/robots.txt")[0] == 200


def test_detail_pages_read_as_articles():
    from extract.article import parse_page

    site = BenchSite(10)
    for n in range(10):
        record = parse_page(site.render(site.detail_path(n))[2], "http://bench.invalid" + site.detail_path(n))
        article = site.article(n)
        assert record.title == article["title"]
        assert (record.published_on or record.published_at or "")[:10] == article["published_on"]
        assert len(record.text_original or record.text) >= 500


def test_generated_articles_are_not_near_copies():
    """Story matching and the search index cost what they cost on real pages only if articles differ as real
    ones do: a few percent of shared 5-character shingles, not a third."""
    from extract.stories import jaccard, shingles

    site = BenchSite(60)
    prints = [shingles(site.article(n)["body"]) for n in range(0, 60, 2)]
    overlaps = sorted(jaccard(a, b) for a, b in itertools.combinations(prints, 2))
    assert overlaps[len(overlaps) // 2] < 0.1
    assert overlaps[-1] < 0.3


def test_server_answers_in_its_own_process_and_counts_requests():
    with BenchServer(25) as server:
        site = BenchSite(25)
        with urllib.request.urlopen(server.base_url + site.detail_path(3), timeout=10) as response:
            assert response.read() == site.render(site.detail_path(3))[2]
        with urllib.request.urlopen(server.base_url + site.list_path(1), timeout=10) as response:
            assert response.status == 200
        assert server.requests(reset=True) == 2
        assert server.requests() == 0


def test_store_and_reextract_figures_at_toy_size(tmp_path):
    items = analysed_pages(6, workers=0)
    assert len(items) == 6 and all(item.facts is not None for item in items)
    lines, db = bench_store(items, tmp_path)
    assert lines[0].startswith("3. storage:") and "of 6 articles" in lines[0]
    assert re.search(r"ratio \d+\.\d\d", lines[0])
    lines = bench_reextract(db, workers=0)
    assert lines[0].startswith("2. processing:") and "over 6 stored articles" in lines[0]
    assert "0 skipped" in lines[0]
    assert "same words in 6 of 6 texts" in lines[2]


@pytest.mark.slow
def test_crawl_figures_and_startup_at_toy_size():
    out = io.StringIO()
    with redirect_stdout(out):
        run(Sizes(pages=12, big_pages=40, stored=0, crawl_cap=120, big_cap=120, store_cap=10, startup_runs=2),
            {"crawl", "startup"})
    text = out.getvalue()
    assert re.search(r"^machine: \d+ cores", text, re.M)
    assert re.search(r"^1\. crawl: [\d.]+ pages/s full pipeline vs [\d.]+ pages/s bare Scrapy .*ratio [\d.]+", text, re.M)
    incremental = re.search(r"^4\. incremental: .* made (\d+) requests vs (\d+) in the first", text, re.M)
    second, first = int(incremental.group(1)), int(incremental.group(2))
    assert first in (14, 15)  # 12 details, 1 list page, robots.txt (asked again after a retry at most)
    assert second <= first  # the second crawl's own requests, not the bare crawl's too
    assert re.search(r"^5\. memory: .* MB for 12 pages vs .* MB for 40 pages", text, re.M)
    assert re.search(r"^6\. startup: policycrawl --help [\d.]+ s", text, re.M)
    assert re.search(r"^6b\. startup: policycrawl extract on a one-paragraph file [\d.]+ s", text, re.M)
