"""The scorer: exact P/R/F1 on small hand-made gold and predictions (spec/FACTS.md "How eval scores")."""

from __future__ import annotations

import pytest

from extract.scoring import PRF, metrics_overlap, score, targets_match


def target(**kw) -> dict:
    base = {"region": "湖南省", "year": 2022, "metric": "区块链产业园", "value": 5, "value_max": None, "unit": "个",
            "qualifier": "about", "text": "5个左右区块链产业园"}
    return base | kw


def article(file: str, targets=(), policies=(), **art) -> dict:
    a = {"title": None, "language": "zh-Hans", "regions_mentioned": [], "source": None, "author": None} | art
    return {"file": file, "article": a, "policies": list(policies), "targets": list(targets)}


def policy(title: str, **kw) -> dict:
    base = {"title": title, "issuer": None, "region": None, "issued_on": None, "period_start": None,
            "period_end": None, "doc_type": "其他", "status": "final", "doc_number": None}
    return base | kw


@pytest.mark.parametrize(
    ("gold", "pred", "strict", "loose"),
    [
        (target(), target(), True, True),
        (target(), target(year=2023), False, True),
        (target(), target(qualifier="exact"), False, True),
        (target(), target(region="贵州省"), False, False),
        (target(), target(value=6), False, False),
        (target(), target(value=5.0), True, True),
        (target(), target(value_max=7), False, False),
        (target(), target(unit="家"), False, False),
        (target(), target(metric="产业园"), True, True),  # contained
        (target(metric="新开通5G基站"), target(metric="新开通5g基站"), True, True),  # case
        (target(metric="区块链公共服务平台"), target(metric="区块链服务平台"), True, True),  # Dice 0.67
        (target(metric="区块链公共服务平台"), target(metric="数据中心"), False, False),
    ],
)
def test_target_match(gold: dict, pred: dict, strict: bool, loose: bool) -> None:
    assert targets_match(gold, pred, strict=True) is strict
    assert targets_match(gold, pred, strict=False) is loose


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("上链企业", "上链企业", True), ("营业收入", "相关产业营业收入", True), ("产业基地", "产业园区", False),
     ("智慧城市示范区", "智慧城市示范园区", True), ("", "企业", False)],
)
def test_metrics_overlap(a: str, b: str, expected: bool) -> None:
    assert metrics_overlap(a, b) is expected


def test_micro_averaged_scores_over_files() -> None:
    gold = [
        article("a.txt", [target(), target(value=10, metric="公共服务平台", qualifier="at_least")],
                [policy("湖南省行动计划(2020-2022年)", region="湖南省", period_start=2020, period_end=2022)],
                title="标题", regions_mentioned=["湖南省", "长沙市"], source="证券日报", author="邢萌"),
        article("b.txt", [target(region="贵州省", metric="产业基地", value=2, value_max=3, qualifier="range")],
                [policy("关于加快发展的意见", region="贵州省"), policy("某市实施方案", region="某市")],
                regions_mentioned=["贵州省"]),
    ]
    pred = [
        article("a.txt", [target(year=None), target(value=10, metric="公共服务平台", qualifier="at_least"),
                          target(value=3, metric="数据中心")],
                [policy("湖南省行动计划（2020-2022年）", region="湖南省", period_start=2020, period_end=2022)],
                title="标题", regions_mentioned=["湖南省"], source="证券日报", author=None),
        article("b.txt", [], [policy("关于加快发展的意见", region="全国")], regions_mentioned=["贵州省", "北京市"]),
    ]
    report = score(gold, pred)
    # targets: gold 3, predicted 3; loose tp 2, strict tp 1.
    assert (report.targets_loose.tp, report.targets_loose.predicted, report.targets_loose.gold) == (2, 3, 3)
    assert report.targets_strict.tp == 1
    assert round(report.targets_strict.f1, 4) == 0.3333
    assert round(report.targets_loose.f1, 4) == 0.6667
    # policies: gold 3, predicted 2, matched 2 → P 1.0, R 0.667, F1 0.8; region right on 1 of 2.
    assert round(report.policy_titles.f1, 4) == 0.8
    assert report.policy_fields["region"].value == 0.5
    assert report.policy_fields["period_end"].value == 1.0
    # regions: gold 3, predicted 3, tp 2.
    assert round(report.regions.f1, 4) == 0.6667
    assert report.article_fields["author"].value == 0.5
    assert report.article_fields["title"].value == 1.0
    assert report.last_line() == ("targets_strict_f1=0.333 targets_loose_f1=0.667 policies_title_f1=0.800 "
                                  "regions_f1=0.667")
    assert report.lines()[-1] == report.last_line()
    assert report.as_dict()["targets_loose_f1"] == 0.6667


def test_a_missing_prediction_counts_as_empty() -> None:
    report = score([article("a.txt", [target()])], [])
    assert report.missing == ["a.txt"]
    assert (report.targets_strict.f1, report.targets_strict.gold) == (0.0, 1)


def test_each_prediction_matches_one_gold_target_only() -> None:
    report = score([article("a.txt", [target(), target()])], [article("a.txt", [target()])])
    assert (report.targets_strict.tp, report.targets_strict.recall) == (1, 0.5)


@pytest.mark.parametrize(
    ("prf", "p", "r", "f"),
    [(PRF(0, 0, 0), 1.0, 1.0, 1.0), (PRF(0, 2, 0), 0.0, 1.0, 0.0), (PRF(3, 4, 6), 0.75, 0.5, 0.6)],
)
def test_prf_edges(prf: PRF, p: float, r: float, f: float) -> None:
    assert (prf.precision, prf.recall, round(prf.f1, 4)) == (p, r, f)
