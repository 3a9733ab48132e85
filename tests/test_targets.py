"""Quantitative targets: value, range, qualifier, unit, metric, year, region, span (spec/FACTS.md)."""

from __future__ import annotations

from datetime import date

import pytest

from extract.policies import extract_policies
from extract.targets import extract_targets, find_quantities, to_value

REF = date(2021, 6, 1)


def targets_of(text: str, reference: date | None = REF) -> list[tuple]:
    policies = extract_policies(text, reference)
    return [(t.region, t.year, t.metric, t.value, t.value_max, t.unit, t.qualifier, t.text)
            for t in extract_targets(text, policies, reference)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Counted thing after the unit, 以上 → at_least, year from 到…年, region from the sentence.
        ("《计划》提出，到2023年，浙江省累计建成5G基站12万个以上，实现县城全覆盖。",
         [("浙江省", 2023, "累计建成5G基站", 120000, None, "个", "at_least", "累计建成5G基站12万个以上")]),
        # Metric before the verb, magnitude 亿 expanded, 突破 → at_least; Chinese numeral 两千.
        ("成都市计划到2025年培育专精特新中小企业两千家，人工智能产业规模突破500亿元。",
         [("成都市", 2025, "专精特新中小企业", 2000, None, "家", "exact", "专精特新中小企业两千家"),
          ("成都市", 2025, "人工智能产业规模", 50000000000, None, "元", "at_least", "人工智能产业规模突破500亿元")]),
        # Ranges with magnitudes; 新建 stays in the metric.
        ("安徽省提出，力争到2025年新建充电桩3万至5万个。",
         [("安徽省", 2025, "新建充电桩", 30000, 50000, "个", "range", "新建充电桩3万至5万个")]),
        ("河南省将培育2个至3个国家级工业互联网平台，建设1—3个数据中心集群。",
         [("河南省", None, "国家级工业互联网平台", 2, 3, "个", "range", "2个至3个国家级工业互联网平台"),
          ("河南省", None, "数据中心集群", 1, 3, "个", "range", "1—3个数据中心集群")]),
        ("江西省计划建设3-5个人工智能创新中心。",
         [("江西省", None, "人工智能创新中心", 3, 5, "个", "range", "3-5个人工智能创新中心")]),
        # 年内 = the reference year; verb-object 企业上云 → 上云企业.
        ("湖北省年内新建数据中心3个，推动1万家企业上云。",
         [("湖北省", 2021, "新建数据中心", 3, None, "个", "exact", "新建数据中心3个"),
          ("湖北省", 2021, "上云企业", 10000, None, "家", "exact", "1万家企业上云")]),
        # 左右 → about; 不少于 → at_least; 控制在…以内 → at_most.
        ("根据规划，到2025年，山西省建成30个左右智能工厂，新增上云企业不少于5000家，单位能耗下降控制在5%以内。",
         [("山西省", 2025, "智能工厂", 30, None, "个", "about", "30个左右智能工厂"),
          ("山西省", 2025, "新增上云企业", 5000, None, "家", "at_least", "新增上云企业不少于5000家"),
          ("山西省", 2025, "单位能耗下降", 5, None, "%", "at_most", "单位能耗下降控制在5%以内")]),
        # 约 → about; 以下 → at_most.
        ("广西要求到2022年数据中心平均能耗约1.3倍，PUE值降到1.5以下。",
         [("广西壮族自治区", 2022, "数据中心平均能耗", 1.3, None, "倍", "about", "数据中心平均能耗约1.3倍")]),
        # A growth rate that follows a figure takes that figure's metric.
        ("为此，杭州市计划到2025年，全市数字经济核心产业增加值突破7000亿元，年均增速12%左右。",
         [("杭州市", 2025, "数字经济核心产业增加值", 700000000000, None, "元", "at_least", "数字经济核心产业增加值突破7000亿元"),
          ("杭州市", 2025, "数字经济核心产业增加值年均增速", 12, None, "%", "about",
           "数字经济核心产业增加值突破7000亿元，年均增速12%左右")]),
        # Number after the counted thing.
        ("四川则要建设智慧城市示范场景30个以上，推动数据开放。",
         [("四川省", None, "智慧城市示范场景", 30, None, "个", "at_least", "智慧城市示范场景30个以上")]),
        # 万亿 and decimals.
        ("广东省力争到2025年数字经济规模达到7.5万亿元。",
         [("广东省", 2025, "数字经济规模", 7500000000000, None, "元", "exact", "数字经济规模达到7.5万亿元")]),
        # Modifier ending in 的 is dropped from the metric but kept in the span.
        ("河北计划形成5个具有全国影响力的大数据产业集聚区。",
         [("河北省", None, "大数据产业集聚区", 5, None, "个", "exact", "5个具有全国影响力的大数据产业集聚区")]),
        # Chinese numeral 三十.
        ("吉林省将新建三十座公共充电站。",
         [("吉林省", None, "公共充电站", 30, None, "座", "exact", "三十座公共充电站")]),
    ],
)
def test_targets(text: str, expected: list[tuple]) -> None:
    assert targets_of(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Analysts' forecasts.
        "中国信息通信研究院预计，到2025年，我国人工智能核心产业规模将达到4000亿元。",
        "业内人士预测，2025年全国充电桩数量有望突破2000万个。",
        # Statistics about the past.
        "据统计，截至去年底，江苏省已建成新能源汽车充电桩8.5万个，拥有专精特新企业1200家。",
        "山西省工业门类齐全，涵盖全部41个工业大类，规模以上工业企业6000余家。",
        "目前，浙江已实现了30个部门的数据共享。",
        "2019年，全省新增5G基站2万个。",
        # Counts of regions.
        "全国已有15个省市出台智慧城市专项政策，9省市将数据中心纳入规划。",
        "今年将有20个城市开展试点。",
        # Plan lengths, dates and years.
        "湖北发布了为期3年的行动计划，2021年-2023年三年是关键窗口期。",
        # Enumerations of named items.
        "北京提出到2025年建成三个“中心”，即算力中心、数据中心和创新中心。",
        "会议提出要落实四大重点任务和20项具体措施。",
        "规划明确了12大重点产业和5个方面的任务。",
        "要坚持“五位一体”总体布局。",
        # Numbers that are part of names.
        "加快5G、人工智能等技术融合，建设5G网络。",
        "力争进入全国第3名。",
    ],
)
def test_not_targets(text: str) -> None:
    assert targets_of(text) == []


def test_target_stated_twice_is_one_target() -> None:
    text = ("到2025年，重庆市建成数据中心标准机架10万架以上。\n重庆表示将建成数据中心标准机架10万架以上，"
            "并且重庆计划建成10万架以上数据中心标准机架。")
    assert len(targets_of(text)) == 1


def test_region_and_year_carried_from_the_policy() -> None:
    text = ("6月1日，陕西省工业和信息化厅印发《陕西省5G产业发展行动计划(2021-2023年)》。"
            "《计划》提出，建成5G基站6万个，培育10家以上5G应用示范企业。")
    assert targets_of(text) == [
        ("陕西省", 2023, "5G基站", 60000, None, "个", "exact", "5G基站6万个"),
        ("陕西省", 2023, "5G应用示范企业", 10, None, "家", "at_least", "10家以上5G应用示范企业"),
    ]


def test_region_carried_from_the_paragraph_subject() -> None:
    text = "作为试点之一的福建省，在2021年政府工作报告中提到，数字经济发展基础较好。报告还强调，年内新开通5G基站2万个。"
    assert targets_of(text) == [("福建省", 2021, "新开通5G基站", 20000, None, "个", "exact", "新开通5G基站2万个")]


def test_year_from_the_policy_period_of_the_same_region() -> None:
    text = ("7月，《山东省智慧城市建设行动计划(2021-2025年)》发布。\n在园区方面，浙江计划建设2个智慧园区，山东计划建成3个智慧城市示范区。")
    assert [(t[0], t[1]) for t in targets_of(text)] == [("浙江省", None), ("山东省", 2025)]


def test_spans_are_offsets_into_the_text() -> None:
    text = "《方案》提出，到2022年，贵州省建设3至5个大数据产业园，引进100户以上大数据企业。"
    targets = extract_targets(text, [], REF)
    assert [t.text for t in targets] == ["3至5个大数据产业园", "100户以上大数据企业"]
    assert all(text[t.start : t.end] == t.text for t in targets)


@pytest.mark.parametrize(
    ("num", "mag", "value"),
    [("3", "万", 30000), ("30", "亿", 3000000000), ("2400", "亿", 240000000000), ("1.5", "万亿", 1500000000000),
     ("两千", "", 2000), ("三十", "", 30), ("一百二十", "", 120), ("12.5", "", 12.5), ("0.5", "万", 5000)],
)
def test_to_value(num: str, mag: str, value: int | float) -> None:
    result = to_value(num, mag)
    assert result == value and type(result) is type(value)


@pytest.mark.parametrize(
    ("text", "units"),
    [("建设10个平台", ["个"]), ("达到30亿元", ["元"]), ("增速15%左右", ["%"]), ("5G基站", []), ("2020-2022年", []),
     ("3万户", ["户"]), ("1.2个百分点", ["个百分点"])],
)
def test_units_never_keep_magnitudes(text: str, units: list[str]) -> None:
    assert [q.unit for q in find_quantities(text)] == units
