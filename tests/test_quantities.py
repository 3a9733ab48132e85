"""Every quantity a text states: one tokenizer for Arabic and Chinese numerals, ranges, units and percent words."""

from __future__ import annotations

import time

import pytest

from extract.quantities import find_quantities, to_value


def quantities(text: str) -> list[tuple]:
    return [(q.value, q.value_max, q.unit, q.suffix) for q in find_quantities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("新建污水管网320公里以上", [(320, None, "公里", "以上")]),
        ("人均公园绿地面积达15平方米左右", [(15, None, "平方米", "左右")]),
        ("培育2－4家链主企业", [(2, 4, "家", None)]),
        ("年均增速6.5%—7%", [(6.5, 7, "%", None)]),
        ("全员劳动生产率达42万元/人", [(420000, None, "元/人", None)]),
        ("事故死亡率控制在0.5人/百亿元以下", [(0.5, None, "人/百亿元", "以下")]),
        ("二氧化氮年均浓度控制在25微克/立方米", [(25, None, "微克/立方米", None)]),
        ("出口带宽达到40太比特/秒（Tbps）", [(40, None, "Tbps", None)]),
        ("提供500兆比特/秒（Mbps）以上接入能力", [(500, None, "Mbps", "以上")]),
        ("公租房供应目标为128,000个", [(128000, None, "个", None)]),
        ("粮食产量稳定在1.2万亿斤", [(1200000000000, None, "斤", None)]),
        ("储能装机规模达到3兆瓦", [(3, None, "兆瓦", None)]),
        ("增长百分之三点五至百分之四", [(3.5, 4, "%", None)]),
        ("其中六成用于农村", [(60, None, "%", None)]),
        ("一半以上的村庄", [(50, None, "%", "以上")]),
        ("三分之一的社区", [(33.33, None, "%", None)]),
        ("科技创新能力进入全国前五", [(5, None, "位", None)]),
        ("增长目标订在5%或以上", [(5, None, "%", "或以上")]),
        ("减少碳排放300万吨标准煤", [(3000000, None, "吨标准煤", None)]),
        ("算力规模突破50EFLOPS", [(50, None, "Eflops", None)]),
        # Not quantities: versions, generations, ordinals, bodies.
        ("推广5G网络和2.0版平台", []),
        ("第十五届运动会", []),
        ("省发展改革委等6部门联合印发", []),
    ],
)
def test_quantities(text: str, expected: list[tuple]) -> None:
    assert quantities(text) == expected


@pytest.mark.parametrize(("num", "mag", "value"), [("3", "万", 30000), ("2.5", "亿", 250000000), ("两千", "", 2000),
                                                   ("1.5", "万亿", 1500000000000), ("一点四", "兆", 1400000000000)])
def test_to_value(num: str, mag: str, value: int | float) -> None:
    assert to_value(num, mag) == value


def test_a_value_nobody_writes_is_not_a_quantity() -> None:
    assert to_value("9" * 30) is None
    assert find_quantities("新建公共充电桩" + "9" * 5000 + "个") == []


def test_tokenizer_is_linear_in_the_text() -> None:
    small = "到2027年新建充电桩3万个，" * 500
    big = small * 8
    started = time.perf_counter()
    find_quantities(small)
    t_small = time.perf_counter() - started
    started = time.perf_counter()
    found = find_quantities(big)
    t_big = time.perf_counter() - started
    assert len(found) == 4000
    assert t_big < 8 * 3 * max(t_small, 1e-3)  # 8× the text, well under 24× the time
