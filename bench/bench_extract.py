"""Fact extraction speed (articles/s) next to its floor: one OpenCC conversion + one jieba cut per text."""

from __future__ import annotations

import time

from crawler.sample_sites import SITE_NAMES, SampleSites


def _corpus() -> list[str]:
    """The sample sites' article texts, as the crawl sees them (raw, before normalisation)."""
    import urllib.request

    from extract.article import parse_page

    texts = []
    with SampleSites() as sites:
        for name in SITE_NAMES:
            for article in sites.expected_articles(name):
                if article.expected_status != "ok":
                    continue
                with urllib.request.urlopen(article.url, timeout=10) as response:
                    record = parse_page(response.read(), article.url)
                texts.append(record.text_original or record.text)
    return [t for t in texts if t]


def bench_extract(repeat: int = 10) -> list[str]:
    import opencc

    from extract.facts import extract_facts
    from extract.segment import cut

    texts = _corpus() * repeat
    converter = opencc.OpenCC("tw2s.json")
    extract_facts(texts[0])  # warm: dictionaries load once per process, not per article
    cut(texts[0])
    t = time.perf_counter()
    for text in texts:
        extract_facts(text)
    ours = time.perf_counter() - t
    t = time.perf_counter()
    for text in texts:
        cut(converter.convert(text))
    floor = time.perf_counter() - t
    n = len(texts)
    return [
        f"extract: {n / ours:.1f} articles/s (normalise + facts + keywords) vs floor {n / floor:.1f} articles/s "
        f"(OpenCC + jieba only), ratio {floor / ours:.2f} over {n} articles"
    ]
