"""One article → FACTS.md JSON: article fields inferred from the text, page notices, and never an exception."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.facts import extract_facts, infer_author, infer_source, infer_title

ARTICLE = """湖北出台智慧城市建设方案 年内新建数据中心3个
8月3日，湖北省人民政府办公厅印發《湖北省智慧城市建設實施方案(2021-2023年)》（以下簡稱《方案》）。
《方案》提出，到2023年，湖北省建成10個以上智慧城市示範區，推動2萬家企業上雲。
據《經濟日報》記者了解，此前武漢已有30個部門實現數據共享。（李 明）"""


def test_article_to_facts_json() -> None:
    facts = extract_facts(ARTICLE, file="a.txt", reference_date=date(2021, 8, 10), keywords=False)
    out = facts.to_json()
    assert out["file"] == "a.txt"
    article = dict(out["article"])
    assert {"武汉市", "湖北省"} <= set(article.pop("regions_mentioned"))  # the region finder's own tests own the rest
    assert article == {"title": "湖北出台智慧城市建设方案 年内新建数据中心3个", "language": "zh-Hant",
                       "source": "经济日报", "author": "李明"}
    assert out["policies"] == [
        {"title": "湖北省智慧城市建设实施方案(2021-2023年)", "issuer": "湖北省人民政府办公厅", "region": "湖北省",
         "issued_on": "2021-08-03", "period_start": 2021, "period_end": 2023, "doc_type": "实施方案",
         "status": "final", "doc_number": None},
    ]
    assert [(t["region"], t["year"], t["metric"], t["value"], t["unit"], t["qualifier"]) for t in out["targets"]] == [
        ("湖北省", 2023, "智慧城市示范区", 10, "个", "at_least"),
        ("湖北省", 2023, "上云企业", 20000, "家", "exact"),
    ]


def test_page_fields_make_the_page_a_policy() -> None:
    page = {"title": "关于印发天津市5G发展行动方案的通知", "doc_number": "津政办发[2021]5号",
            "issuer": "天津市人民政府办公厅", "written_on": "2021-03-02"}
    text = "各区人民政府：现将《天津市5G发展行动方案》印发给你们，请认真贯彻执行。到2023年，全市建成5G基站4万个。"
    facts = extract_facts(text, page_fields=page, reference_date=date(2021, 3, 5), keywords=False)
    assert facts.policies[0].to_json() == {
        "title": "关于印发天津市5G发展行动方案的通知", "issuer": "天津市人民政府办公厅", "region": "天津市",
        "issued_on": "2021-03-02", "period_start": None, "period_end": None, "doc_type": "通知", "status": "final",
        "doc_number": "津政办发〔2021〕5号"}
    assert [p.title for p in facts.policies] == ["关于印发天津市5G发展行动方案的通知", "天津市5G发展行动方案"]
    assert [(t.region, t.year, t.value) for t in facts.targets] == [("天津市", 2023, 40000)]


def test_known_page_fields_win_over_inference() -> None:
    facts = extract_facts(ARTICLE, title="网页标题", source="某某网", author="王 五", keywords=False)
    assert (facts.title, facts.source, facts.author) == ("网页标题", "某某网", "王五")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("多地出台充电桩新政\n正文第一段。", "多地出台充电桩新政"),
        ("“专精特新”企业迎来政策红利\n正文。", "“专精特新”企业迎来政策红利"),
        ("记者获悉，2021年上半年，多个省份出台了数据中心专项政策。\n第二段。", None),
        ("中国是全球数字经济发展最快的国家之一。", None),
        ("", None),
    ],
)
def test_infer_title(text: str, title: str | None) -> None:
    assert infer_title(text) == title


@pytest.mark.parametrize(
    ("text", "removed", "source"),
    [
        ("正文。《中国证券报》记者了解到，……", [], "中国证券报"),
        ("正文。", ["以上信息由产业网—数字频道（http://example.com/）小编整理，如需了解更多可前往。"], "产业网"),
        ("正文。", ["2021-05-01 科技网发布了 《某某新闻标题 专家解读》的文章"], "科技网"),
        ("正文。（来源：南方日报）", [], "南方日报"),
        ("据记者不完全统计，全国已有22个省出台政策。", [], None),
    ],
)
def test_infer_source(text: str, removed: list[str], source: str | None) -> None:
    assert infer_source(text, removed) == source


@pytest.mark.parametrize(
    ("text", "author"),
    [
        ("正文到此结束。（张 三）", "张三"),
        ("正文到此结束。(记者 王小明)", "王小明"),
        ("正文到此结束。（完）", None),
        ("作者：刘洋\n正文。", "刘洋"),
        ("于佳宁对记者表示，区块链前景广阔。", None),
    ],
)
def test_infer_author(text: str, author: str | None) -> None:
    assert infer_author(text, []) == author


def test_reference_year_inferred_from_text_not_clock() -> None:
    text = "2019年上半年，多地出台政策。\n年内，广州市将新建充电桩1万个。"
    facts = extract_facts(text, keywords=False)
    assert [(t.region, t.year) for t in facts.targets] == [("广州市", 2019)]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(list("到2022年力争建成10个以上万亿元家户%至左右，。《》计划湖南省深圳市上链企业\n 區塊鏈（）“”0123456789")),
                                  st.characters()), max_size=200))
def test_any_text_gives_consistent_facts(text: str) -> None:
    facts = extract_facts(text, keywords=False)
    from extract.normalize import normalize_text

    normalised = normalize_text(text).text
    for t in facts.targets:
        assert t.text == normalised[t.start : t.end]
        assert t.value >= 0
        assert t.value_max is None or t.value_max >= t.value
