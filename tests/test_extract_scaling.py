"""Fact extraction takes time linear in the text (issue 17's gate): a long plan costs per character what a short
one does. The frame and deadline patterns are read once per text and looked up by window; a per-candidate rescan
or a per-mention list walk would show here as growth well past 8x for 8x the text."""

from __future__ import annotations

import time

from extract.facts import extract_facts
from extract.policies import extract_policies
from extract.quantities import MAX_VALUE, to_value

SCALE = 8
GROWTH_BOUND = 13.0  # for 8x the text: linear work grows ~8x, quadratic ~64x; room for a loaded 2-core machine

_REGIONS = ("湖南省", "江西省", "贵州省", "成都市", "宁波市", "青海省")
_PARAGRAPH = (
    "{i}. 到{year}年，{region}建成{a}个以上县级融媒体中心，培育{b}家左右骨干企业，"
    "《{region}关于加快数字乡村建设的实施意见（第{i}号）》提出，全年新增城镇就业{c}万人左右，"
    "农村自来水普及率达到{d}%。截至去年底，已建成{e}座污水处理厂，同比增长{f}%。\n"
)


def _plan(paragraphs: int) -> str:
    head = "某省人民政府关于印发数字乡村发展行动计划的通知\n各市州人民政府，省直各单位：\n"
    body = "".join(_PARAGRAPH.format(i=i + 1, year=2025 + i % 6, region=_REGIONS[i % len(_REGIONS)], a=10 + i % 7,
                                     b=i % 50 + 3, c=i % 40 + 20, d=80 + i % 15, e=i % 90 + 5, f=i % 9 + 1)
                   for i in range(paragraphs))
    return head + body + "某省人民政府\n2024年3月5日\n"


def _best_seconds(text: str, repeats: int = 3, read=lambda t: extract_facts(t, keywords=False)) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        read(text)
        best = min(best, time.perf_counter() - started)
    return best


def _one_sentence_of_titles(titles: int) -> str:
    """A 目录-like sentence: many titles, a region named between them, no full stop."""
    return "、".join(f"{_REGIONS[i % len(_REGIONS)]}印发《关于推进第{i}批数字乡村试点的实施方案》" for i in range(titles)) + "。"


def test_a_plan_eight_times_longer_takes_about_eight_times_as_long():
    small, large = _plan(40), _plan(40 * SCALE)
    facts = extract_facts(small, keywords=False)
    assert len(facts.targets) >= 40  # the text is dense with goals: every candidate goes the whole way
    extract_facts(large, keywords=False)  # warm: dictionaries load once
    growth = _best_seconds(large) / _best_seconds(small)
    if growth >= GROWTH_BOUND:  # a busy machine slows one run; super-linear code slows every run
        growth = min(growth, _best_seconds(large) / _best_seconds(small))
    assert growth < GROWTH_BOUND, f"{SCALE}x the text took {growth:.1f}x the time"


def test_whole_numbers_are_read_without_decimal_and_bounded_as_before():
    assert to_value("2400", "亿") == 240_000_000_000
    assert to_value("1,234,567") == 1_234_567
    assert isinstance(to_value("30"), int)
    assert to_value("4.5", "万") == 45_000
    assert to_value("1.5", "万亿") == 1.5e12
    assert to_value("两千") == 2000
    assert to_value("9" * 18) == MAX_VALUE - 1  # the largest value kept
    assert to_value("1" + "0" * 18) is None
    assert to_value("1", "万亿") * 10**6 == MAX_VALUE and to_value("1000000", "万亿") is None
    assert to_value("9" * 40) is None  # past the fast path: still refused, never an int() of 40 digits


def test_one_sentence_of_many_titles_stays_linear():
    small, large = _one_sentence_of_titles(60), _one_sentence_of_titles(60 * SCALE)
    assert len(extract_policies(small)) == 60
    growth = _best_seconds(large, read=extract_policies) / _best_seconds(small, read=extract_policies)
    if growth >= GROWTH_BOUND:
        growth = min(growth, _best_seconds(large, read=extract_policies) / _best_seconds(small, read=extract_policies))
    assert growth < GROWTH_BOUND, f"{SCALE}x the titles took {growth:.1f}x the time"
