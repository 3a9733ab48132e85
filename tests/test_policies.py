"""Policy documents named in 《》: which titles count and which fields each gets (spec/FACTS.md)."""

from __future__ import annotations

from datetime import date

import pytest

from extract.policies import (
    doc_type_of,
    extract_policies,
    find_doc_number,
    is_back_reference,
    looks_like_document,
    plan_period,
    policy_references,
)

REF = date(2021, 6, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "3月15日，浙江省经济和信息化厅印发《浙江省5G基站建设三年行动计划(2021-2023年)》。",
            {"title": "浙江省5G基站建设三年行动计划(2021-2023年)", "issuer": "浙江省经济和信息化厅", "region": "浙江省",
             "issued_on": "2021-03-15", "period_start": 2021, "period_end": 2023, "doc_type": "行动计划",
             "status": "final", "doc_number": None},
        ),
        (
            "广东省人民政府办公厅日前印发《广东省数据中心发展规划（2021—2025年）》（粤府办〔2021〕12号），提出加快布局。",
            {"title": "广东省数据中心发展规划(2021—2025年)", "issuer": "广东省人民政府办公厅", "region": "广东省",
             "issued_on": None, "period_start": 2021, "period_end": 2025, "doc_type": "规划", "status": "final",
             "doc_number": "粤府办〔2021〕12号"},
        ),
        (
            "工业和信息化部、国家发展改革委等部门联合印发《关于促进中小企业健康发展的指导意见》。",
            {"title": "关于促进中小企业健康发展的指导意见", "issuer": "工业和信息化部、国家发展改革委", "region": "全国",
             "issued_on": None, "period_start": None, "period_end": None, "doc_type": "意见", "status": "final",
             "doc_number": None},
        ),
        (
            "苏州市工信局发布了关于征求《苏州市软件产业高质量发展若干措施(征求意见稿)》意见的通知。",
            {"title": "苏州市软件产业高质量发展若干措施(征求意见稿)", "issuer": "苏州市工信局", "region": "苏州市",
             "issued_on": None, "period_start": None, "period_end": None, "doc_type": "其他", "status": "draft",
             "doc_number": None},
        ),
        (
            "2019年8月，中共中央、国务院印发《粤港澳大湾区智慧城市群建设总体方案》。",
            {"title": "粤港澳大湾区智慧城市群建设总体方案", "issuer": "中共中央、国务院", "region": "全国",
             "issued_on": "2019-08", "period_start": None, "period_end": None, "doc_type": "总体方案",
             "status": "final", "doc_number": None},
        ),
        (
            "9月初出台的《四川省新能源汽车充电基础设施建设实施方案》明确了建设路径。",
            {"title": "四川省新能源汽车充电基础设施建设实施方案", "issuer": None, "region": "四川省",
             "issued_on": "2021-09", "period_start": None, "period_end": None, "doc_type": "实施方案",
             "status": "final", "doc_number": None},
        ),
        (
            "11月2日，南京市人民政府办公厅发布关于印发《南京市人工智能产业发展行动方案》的通知（宁政办发[2020]51号）。",
            {"title": "南京市人工智能产业发展行动方案", "issuer": "南京市人民政府办公厅", "region": "南京市",
             "issued_on": "2021-11-02", "period_start": None, "period_end": None, "doc_type": "行动方案",
             "status": "final", "doc_number": "宁政办发〔2020〕51号"},
        ),
        (
            "前不久刚刚颁布《成都市智慧城市建设管理办法》的成都，也在规划中提出了新目标。",
            {"title": "成都市智慧城市建设管理办法", "issuer": None, "region": "成都市", "issued_on": None,
             "period_start": None, "period_end": None, "doc_type": "办法", "status": "final", "doc_number": None},
        ),
        (
            "《关于印发福建省数字经济发展三年行动计划的通知》（闽政【2021】3号）已于近日公布。",
            {"title": "关于印发福建省数字经济发展三年行动计划的通知", "issuer": None, "region": None,
             "issued_on": None, "period_start": None, "period_end": None, "doc_type": "通知", "status": "final",
             "doc_number": "闽政〔2021〕3号"},
        ),
        (
            "据《人民日报》报道，《中华人民共和国数据安全法》将于9月1日起施行。",
            {"title": "中华人民共和国数据安全法", "issuer": None, "region": "全国", "issued_on": None,
             "period_start": None, "period_end": None, "doc_type": "其他", "status": "final", "doc_number": None},
        ),
        (
            "2月20日，陕西省人民政府印发《陕西省促进专精特新中小企业发展若干政策措施》。",
            {"title": "陕西省促进专精特新中小企业发展若干政策措施", "issuer": "陕西省人民政府", "region": "陕西省",
             "issued_on": "2021-02-20", "period_start": None, "period_end": None, "doc_type": "政策措施",
             "status": "final", "doc_number": None},
        ),
    ],
)
def test_one_policy_with_all_fields(text: str, expected: dict) -> None:
    policies = extract_policies(text, REF)
    assert [p.to_json() for p in policies] == [expected]


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        # Newspapers, programmes and books are not documents.
        ("《经济日报》记者从《新闻联播》获悉，《三体》销量大增。", []),
        # A related-article list line is a link, not a document.
        ("2021-03-02 某某网发布了 《多地出台政策 支持充电桩建设》的文章", []),
        # Back-references mean the last full title and are not new policies.
        ("安徽省印发《安徽省智慧城市建设行动计划》（以下简称《计划》）。《计划》提出要加快建设。《意见》也指出……",
         ["安徽省智慧城市建设行动计划"]),
        # One document named twice is one policy.
        ("江西省发布《江西省数据中心发展规划》。业内认为，《江西省数据中心发展规划》目标务实。", ["江西省数据中心发展规划"]),
        # Traditional brackets and full-width parentheses unify.
        ("《重庆市新型基础设施建设行动方案（2020－2022年）》与《重庆市新型基础设施建设行动方案(2020-2022年)》",
         ["重庆市新型基础设施建设行动方案(2020－2022年)"]),  # as first printed (FACTS keeps dashes)
        # Two different documents in one sentence, in order.
        ("天津市先后出台《天津市5G发展规划》和《天津市人工智能创新发展行动方案》。",
         ["天津市5G发展规划", "天津市人工智能创新发展行动方案"]),
        ("2021年《政府工作报告》提出，加快发展数字经济。", ["政府工作报告"]),
    ],
)
def test_which_titles_are_policies(text: str, titles: list[str]) -> None:
    assert [p.title for p in extract_policies(text, REF)] == titles


@pytest.mark.parametrize(
    ("title", "doc_type"),
    [
        ("湖北省5G产业发展行动计划(2021-2023年)", "行动计划"),
        ("关于加快推进充电基础设施建设的实施意见", "意见"),
        ("杭州市数字经济发展实施方案(试行)", "实施方案"),
        ("广州市推进新型基础设施建设行动方案", "行动方案"),
        ("海南自由贸易港建设总体方案", "总体方案"),
        ("若干政策措施", "政策措施"),
        ("浙江省数字经济发展“十四五”规划", "规划"),
        ("关于印发某某办法的通知", "通知"),
        ("河南省专精特新中小企业认定管理办法", "办法"),
        ("2021年山东省政府工作报告", "政府工作报告"),
        ("中华人民共和国数据安全法", "其他"),
        ("深圳市数字经济产业创新发展工作方案(征求意见稿)", "其他"),
    ],
)
def test_doc_type_is_the_title_ending(title: str, doc_type: str) -> None:
    assert doc_type_of(title) == doc_type


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("证券日报", False),
        ("人民日报", False),
        ("新闻联播", False),
        ("多部门正密集谋划 布局一批未来产业", False),
        ("湖南省人工智能产业发展三年行动计划(2021-2023年)", True),
        ("关于加快数据中心建设的指导意见", True),
        ("苏州市软件产业发展若干措施(征求意见稿)", True),
        ("中华人民共和国网络安全法", True),
    ],
)
def test_looks_like_document(title: str, expected: bool) -> None:
    assert looks_like_document(title) is expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [("计划", True), ("意见", True), ("实施方案", True), ("方案", True), ("行动计划", True), ("若干措施", True),
     ("湖南省行动计划", False), ("关于加快发展的意见", False), ("数据中心发展规划", False)],
)
def test_back_reference(title: str, expected: bool) -> None:
    assert is_back_reference(title) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("京政办发〔2020〕19号", "京政办发〔2020〕19号"),
        ("粤府办[2021]12号", "粤府办〔2021〕12号"),
        ("苏政发(2019)7号", "苏政发〔2019〕7号"),
        ("闽政【2021】3号", "闽政〔2021〕3号"),
        ("川府发（2022）15号", "川府发〔2022〕15号"),
        ("今年共发布文件19个", None),
    ],
)
def test_doc_number_bracket_variants(text: str, expected: str | None) -> None:
    assert find_doc_number(text) == expected


@pytest.mark.parametrize(
    ("title", "period"),
    [("某省行动计划(2020-2022年)", (2020, 2022)), ("某市规划（2021—2025年）", (2021, 2025)),
     ("某市2023年至2025年行动方案", (2023, 2025)), ("某省实施方案", (None, None))],
)
def test_plan_period(title: str, period: tuple) -> None:
    assert plan_period(title) == period


def test_back_references_and_quoted_aliases_point_to_the_last_full_title() -> None:
    text = ("深圳市发展改革委发布《深圳市充电设施建设实施方案》（以下简称“方案”）。方案指出，到2025年建成充电桩10万个。"
            "《实施方案》还提出，推广智能充电。")
    policies, refs = policy_references(text, REF)
    assert [p.title for p in policies] == ["深圳市充电设施建设实施方案"]
    back = [(text[r.start : r.end], r.policy.title) for r in refs if not r.full]
    assert back == [("方案", "深圳市充电设施建设实施方案"), ("《实施方案》", "深圳市充电设施建设实施方案")]


def test_issue_date_needs_no_clock_when_the_year_is_written() -> None:
    text = "2020年4月，国务院印发《关于构建更加完善的数据要素市场化配置体制机制的意见》。"
    [policy] = extract_policies(text, None)
    assert (policy.issued_on, policy.issuer, policy.region) == ("2020-04", "国务院", "全国")


def test_month_day_without_reference_year_is_left_unknown() -> None:
    [policy] = extract_policies("4月27日，湖南省工业和信息化厅印发《湖南省智能制造行动计划》。", None)
    assert policy.issued_on is None
