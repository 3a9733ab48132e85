"""Targets as real documents state them: anchored by sections and periods, several to a sentence, with the
document's own region; and the things that look like targets but are not. Every text is our own."""

from __future__ import annotations

from click.testing import CliRunner

from crawler.cli import main
from extract.document import build_document, named_plan_end, text_kind
from extract.facts import extract_facts


def targets(text: str) -> list[tuple]:
    facts = extract_facts(text, keywords=False)
    return [(t.region, t.year, t.metric, t.value, t.value_max, t.unit, t.qualifier) for t in facts.targets]


REPORT = """2027年安徽省政府工作报告
——2027年1月20日在安徽省第十四届人民代表大会第六次会议上
安徽省人民政府省长 王明
一、2026年工作回顾
过去一年，全省地区生产总值增长5.8%，新增城镇就业70万人。
二、2027年工作安排
今年经济社会发展主要预期目标是：地区生产总值增长5.5%左右，一般公共预算收入增长3%，城镇和农村居民人均可支配收入分别增长5%左右和6%左右，城镇调查失业率控制在5.5%以内。
（一）扩大有效投资。新开工亿元以上项目3000个，加快合肥至池州等5条高铁建设，新建改造燃气管网800公里以上、供水管网1200公里以上。
"""


def test_a_work_report_sets_this_years_goals_and_reports_last_years_results() -> None:
    got = targets(REPORT)
    assert ("安徽省", 2027, "地区生产总值增长", 5.5, None, "%", "about") in got
    assert ("安徽省", 2027, "城镇调查失业率", 5.5, None, "%", "at_most") in got
    assert ("安徽省", 2027, "一般公共预算收入增长", 3, None, "%", "exact") in got
    # one verb, two metrics (分别): one target each
    incomes = [t for t in got if "可支配收入" in t[2]]
    assert sorted((t[2][:2], t[3]) for t in incomes) == [("农村", 6), ("城镇", 5)]
    # a shared verb over a list of pipes
    assert ("安徽省", 2027, "供水管网", 1200, None, "公里", "at_least") in got
    # the review section's figures are past results; 5条高铁 lists named lines (…等5条)
    assert not [t for t in got if t[3] in (5.8, 700000)]
    assert not [t for t in got if t[5] == "条"]


NOTICE = """索 引 号：11350000/2024-00321
发文机关：福建省人民政府办公厅
发文字号：闽政办〔2024〕15号
成文日期：2024年05月10日
福建省人民政府办公厅关于印发福建省新能源汽车充电设施建设三年行动方案的通知
各市、县（区）人民政府，省人民政府各部门：
现将《福建省新能源汽车充电设施建设三年行动方案》印发给你们，请认真贯彻执行。
福建省人民政府办公厅
2024年5月10日
福建省新能源汽车充电设施建设三年行动方案
一、发展现状
截至2023年底，全省建成公共充电桩6.2万个。
二、主要目标
到2026年，全省公共充电桩达到15万个以上，高速公路服务区充电设施覆盖率达到100%。每个县（市、区）至少建成一个充电示范站。
三、重点任务
1.加快城市充电网络建设。新建公共充电桩8万个，其中快充桩占比不低于60%。
责任单位：省发展改革委
完成时限：2025年12月底前
"""


def test_a_notice_is_itself_a_policy_and_gives_its_region_to_every_target() -> None:
    facts = extract_facts(NOTICE, keywords=False)
    own = facts.policies[0]
    assert (own.title, own.issuer, own.region, own.issued_on, own.doc_number, own.doc_type) == (
        "福建省人民政府办公厅关于印发福建省新能源汽车充电设施建设三年行动方案的通知", "福建省人民政府办公厅", "福建省",
        "2024-05-10", "闽政办〔2024〕15号", "通知")
    attached = next(p for p in facts.policies if p.title == "福建省新能源汽车充电设施建设三年行动方案")
    assert (attached.issuer, attached.issued_on, attached.doc_number) == (own.issuer, own.issued_on, own.doc_number)
    got = [(t.region, t.year, t.metric, t.value, t.unit, t.qualifier) for t in facts.targets]
    assert ("福建省", 2026, "全省公共充电桩", 150000, "个", "at_least") in got or \
        ("福建省", 2026, "公共充电桩", 150000, "个", "at_least") in got
    # the section's deadline carries to the next sentence; 至少一个 is a count
    assert any(t[3] == 1 and t[1] == 2026 and t[5] == "at_least" for t in got)
    # an item's 完成时限 line gives its year
    assert any(t[3] == 80000 and t[1] == 2025 for t in got)
    # the past section's figure is not a target
    assert not any(t[3] == 62000 for t in got)


def test_a_ministry_plan_is_national_and_its_named_period_gives_the_year() -> None:
    text = ("交通运输部关于印发“十五五”综合交通运输发展规划的通知\n交规划发〔2026〕8号\n各省、自治区、直辖市交通运输厅（局、委）：\n"
            "现将《“十五五”综合交通运输发展规划》印发给你们。\n交通运输部\n2026年3月2日\n"
            "“十五五”综合交通运输发展规划\n一、总体要求\n在“十五五”期间，新增高速铁路营业里程1万公里左右，建成国家物流枢纽100个。\n")
    got = targets(text)
    assert ("全国", 2030, "新增高速铁路营业里程", 10000, None, "公里", "about") in got
    assert ("全国", 2030, "国家物流枢纽", 100, None, "个", "exact") in got
    assert named_plan_end("第十五个五年规划纲要") == 2030


def test_news_needs_a_goal_frame_and_takes_its_region_from_the_sentence() -> None:
    text = ("江苏多地发布数字经济目标\nMon, 07 Mar 2022 08:00:00 GMT\n"
            "根据《无锡市数字经济发展规划（2022—2025年）》，到2025年无锡数字经济核心产业增加值占GDP比重达到12%。"
            "2021年无锡数字经济规模达到6500亿元，同比增长12.3%。\n"
            "分析人士预计，2023年苏州数字经济规模有望突破1万亿元。\n")
    got = targets(text)
    assert got == [("无锡市", 2025, "数字经济核心产业增加值占GDP比重", 12, None, "%", "exact")]


def test_what_is_not_a_target() -> None:
    text = ("浙江省人民政府关于促进中小企业发展的若干意见\n各市、县（市、区）人民政府：\n"
            "一、支持政策\n对单户贷款金额1000万元及以下的小微企业给予贴息，担保费率原则上不超过1%。"
            "实施“十大工程”，推进杭州湾等8个产业园区建设。按照每万人不少于4个托位规划建设托育设施。"
            "保费由每人每年20元提高至30元。组织第12届中小企业博览会，每年举办对接会2场以上。\n")
    got = targets(text)
    assert [(t[3], t[5]) for t in got] == [(30, "元")]


def test_a_hong_kong_story_in_traditional_script_sets_goals_for_hong_kong() -> None:
    text = ("房屋供應目標再上調\n2023-12-20\n記者陳小明\n"
            "特首在施政報告中表示，未來十年公營房屋供應目標定為30萬個單位，立法會議員認為難以達標。\n")
    got = targets(text)
    assert got == [("香港特别行政区", None, "公营房屋供应", 300000, None, "个", "exact")]


def test_the_document_model_reads_kinds_and_section_anchors() -> None:
    assert text_kind(REPORT) == "report"
    assert text_kind(NOTICE) == "document"
    assert text_kind("深圳经济观察\nTue, 12 Apr 2022 02:27:27 GMT\n正文") == "news"
    doc = build_document(REPORT, 2027)
    review = REPORT.index("过去一年")
    plan = REPORT.index("今年经济")
    assert doc.anchor_at(review).role == "past"
    assert (doc.anchor_at(plan).role, doc.anchor_at(plan).year) == ("goal", 2027)
    assert doc.year == 2027


def test_explain_prints_each_candidate_with_its_reason(tmp_path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    done = CliRunner().invoke(main, ["extract", "--explain", str(path)])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert any(line.startswith("TARGET") and "year=2027" in line and "region=安徽省" in line for line in lines)
    assert any(line.startswith("skip") and "5.8%" in line and "past" in line for line in lines)
    assert any(line.startswith("skip") and "等N" in line for line in lines)
