"""Regions: the division table, lookups, mentions in text, and the eval on the labelled seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.regions import (
    all_regions,
    find_regions,
    lookup_region,
    region_by_code,
    region_of_division_code,
    regions_mentioned,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def test_table_has_every_province_level_region():
    provinces = {r.name for r in all_regions() if r.level == "province"}
    assert len(provinces) == 34
    assert {"香港特别行政区", "澳门特别行政区", "台湾省", "内蒙古自治区", "新疆维吾尔自治区"} <= provinces


def test_table_has_prefecture_level_cities_with_parents():
    cities = {r.name: r for r in all_regions() if r.level == "city"}
    assert len(cities) > 330
    assert cities["长沙市"].code == "430100" and cities["长沙市"].parent_code == "430000"
    assert cities["延边朝鲜族自治州"].parent_code == "220000"
    assert {"阿克苏地区", "锡林郭勒盟", "三沙市", "儋州市"} <= set(cities)
    assert "海淀区" not in cities and "北京市" not in cities  # districts out; municipalities are provinces


def test_codes_are_unique_six_digit():
    codes = [r.code for r in all_regions()]
    assert len(codes) == len(set(codes))
    assert all(len(c) == 6 and c.isdigit() for c in codes)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("湖南", "湖南省"),
        ("湖南省", "湖南省"),
        ("湘", "湖南省"),
        ("长沙", "长沙市"),
        ("长沙市", "长沙市"),
        ("深圳", "深圳市"),
        ("内蒙古", "内蒙古自治区"),
        ("内蒙", "内蒙古自治区"),
        ("广西", "广西壮族自治区"),
        ("新疆", "新疆维吾尔自治区"),
        ("宁夏", "宁夏回族自治区"),
        ("香港", "香港特别行政区"),
        ("吉林", "吉林省"),
        ("吉林市", "吉林市"),
        ("海南", "海南省"),
        ("延边", "延边朝鲜族自治州"),
        ("粤", "广东省"),
        ("蜀", "四川省"),
        ("黔", "贵州省"),
        (" 宁波 ", "宁波市"),
        ("大同市", "大同市"),
    ],
)
def test_lookup_region(name, expected):
    region = lookup_region(name)
    assert region is not None and region.name == expected


@pytest.mark.parametrize("name", ["海淀区", "长沙县", "中西部", "长江经济带", "火星", "", "区块链", "大同"])
def test_lookup_region_unknown_or_not_a_city(name):
    assert lookup_region(name) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("430000", "湖南省"),
        ("430100", "长沙市"),
        ("430102", "长沙市"),  # a district code resolves to its city
        ("4301000001", "长沙市"),  # SiteIDCode-style prefix
        ("110105", "北京市"),  # a Beijing district: the municipality
        ("440300000000", "深圳市"),
        ("469005", "文昌市"),
        ("810000", "香港特别行政区"),
    ],
)
def test_region_of_division_code(code, expected):
    region = region_of_division_code(code)
    assert region is not None and region.name == expected


@pytest.mark.parametrize("code", ["", "abc", "12345", "990000", "000000"])
def test_region_of_division_code_unknown(code):
    assert region_of_division_code(code) is None


def test_region_by_code():
    assert region_by_code("330200").name == "宁波市"
    assert region_by_code("999999") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("湖南省工业和信息化厅印发行动计划，长沙市将建设区块链产业园。", ["湖南省", "长沙市"]),
        ("湘贵琼等地相继出台区块链专项政策。", ["湖南省", "海南省", "贵州省"]),
        ("北上广等一线城市率先布局。", ["上海市", "北京市", "广州市"]),
        ("北上广深的房价", ["上海市", "北京市", "广州市", "深圳市"]),
        ("推动京津冀协同发展", ["北京市", "天津市", "河北省"]),
        ("粤港澳大湾区建设提速", ["广东省", "澳门特别行政区", "香港特别行政区"]),
        ("川渝两地联合发布", ["四川省", "重庆市"]),
        ("江浙沪地区的企业", ["上海市", "江苏省", "浙江省"]),
        ("苏浙皖三省签署协议", ["安徽省", "江苏省", "浙江省"]),
        ("成渝地区双城经济圈", ["成都市", "重庆市"]),
        ("探索链上海南自贸港建设", ["海南省"]),
        ("海南区块链试验区", ["海南省"]),
        ("河北区块链产业", ["河北省"]),
        ("中国香港、中国澳门的企业", ["澳门特别行政区", "香港特别行政区"]),
        ("北京市海淀区中关村", ["北京市"]),
        ("北京朝阳区", ["北京市"]),
        ("长沙县星沙街道", []),
        ("北京方案受到关注", ["北京市"]),
        ("江西出台政策，江西省工信厅表示", ["江西省"]),
        ("吉林出台政策", ["吉林省"]),
        ("吉林市出台政策", ["吉林市"]),
        ("海南自贸区建设", ["海南省"]),
        ("万向区块链实验室发布报告", []),
        ("杭州、宁波两地", ["宁波市", "杭州市"]),
        ("湖南长沙", ["湖南省", "长沙市"]),
        ("在上海南站乘车", ["上海市"]),
        ("江西安福县", ["江西省"]),
        ("深圳前海与广州南沙", ["广州市", "深圳市"]),
        ("内蒙古和宁夏", ["内蒙古自治区", "宁夏回族自治区"]),
        ("延边朝鲜族自治州和大理", ["大理白族自治州", "延边朝鲜族自治州"]),
        ("广西壮族自治区南宁市", ["南宁市", "广西壮族自治区"]),
        ("台湾地区", ["台湾省"]),
        ("香港特区政府", ["香港特别行政区"]),
        ("湖南省委、省政府", ["湖南省"]),
        ("海南岛上", ["海南省"]),
        ("浙江省内各地", ["浙江省"]),
        ("宁德时代发布财报", []),
        ("湖南长沙市", ["湖南省", "长沙市"]),
        ("重庆黔江区", ["重庆市"]),
        ("山西大同市和广西南宁", ["南宁市", "大同市", "山西省", "广西壮族自治区"]),
        ("辽宁大连、福建厦门", ["厦门市", "大连市", "福建省", "辽宁省"]),
        ("江西省上饶地区", ["上饶市", "江西省"]),
        ("从中西部到长江经济带", []),
        ("长三角和珠三角城市群", []),
    ],
)
def test_regions_mentioned(text, expected):
    assert regions_mentioned(text) == sorted(expected)


@pytest.mark.parametrize(
    "text",
    [
        "贵在坚持",
        "新基建是重点",
        "宁可慢一些",
        "青年创业者",
        "云计算与大数据",
        "新台币汇率",
        "苏宁易购",
        "平台建设",
        "确保定期开展检查",
        "推广安全可控技术",
        "实现海量大连接",
        "沪深300指数",
        "京东方",
        "川流不息",
        "国家安康",  # 安康 names a city only with 市
        "大同小异",
        "平步青云。",
        "面积约四平方公里",
        "哈密顿量与大理石",
        "黄石公园的长春藤",
        "日照时数增加",
        "湘菜",
        "区块链",
        "",
    ],
)
def test_no_false_region(text):
    assert regions_mentioned(text) == []


def test_find_regions_offsets_and_surface():
    text = "据悉，湘贵琼等地和长沙市都已出台政策。"
    mentions = find_regions(text)
    assert [(m.surface, m.name, m.code) for m in mentions] == [
        ("湘", "湖南省", "430000"),
        ("贵", "贵州省", "520000"),
        ("琼", "海南省", "460000"),
        ("长沙市", "长沙市", "430100"),
    ]
    assert all(text[m.start : m.end] == m.surface for m in mentions)


@pytest.mark.parametrize("text", ["长沙", "到长沙", "湖南", "北京方案", "中国香港", "京津冀"])
def test_mention_offsets_at_end_of_text(text):
    for m in find_regions(text):
        assert text[m.start : m.end] == m.surface


def _simplified_reader():
    try:
        from extract.normalize import normalize_text  # written by another module's owner
    except ImportError:
        import opencc

        return opencc.OpenCC("tw2s.json").convert

    def to_simplified(raw: str) -> str:
        result = normalize_text(raw)
        return getattr(result, "text", result)

    return to_simplified


@pytest.mark.eval
@pytest.mark.skipif(not (SHARED / "eval" / "seeds").is_dir(), reason="../shared (labelled seeds) not present")
def test_regions_f1_on_seeds():
    to_simplified = _simplified_reader()
    tp = fp = fn = 0
    for gold_path in sorted((SHARED / "eval" / "seeds").glob("*.json")):
        gold = set(json.loads(gold_path.read_text(encoding="utf-8"))["article"]["regions_mentioned"])
        text = to_simplified(
            (SHARED / "seeds" / gold_path.name.replace(".json", ".txt")).read_text(encoding="utf-8")
        )
        got = set(regions_mentioned(text))
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    print(f"regions on seeds: P={precision:.3f} R={recall:.3f} F1={f1:.3f}")
    assert f1 >= 0.90


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="湖南长沙市省海上北京广州深圳链区块新贵云宁等地，、县北上广深区 0123", max_size=40))
def test_find_regions_never_raises_and_offsets_match(text):
    for m in find_regions(text):
        assert text[m.start : m.end] == m.surface
        assert lookup_region(m.name) is not None
