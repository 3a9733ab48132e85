"""Pages whose content is a table (issue 18): a 行政处罚信息公开表 or a statistics table is the body, one text row per
table row with its cells apart by tabs; not the disclaimer beside it, and not a notice's 信息公开 table."""

from __future__ import annotations

from pathlib import Path

from extract.article import is_probably_article, parse_page

PAGES = Path(__file__).parent / "data" / "pages"


def _read(name: str):
    return parse_page((PAGES / "table_body" / name).read_bytes(), f"http://www.example.gov.cn/{name}")


def test_a_penalty_disclosure_table_is_the_body_not_the_disclaimer():
    record = _read("xzcf_gs.html")
    lines = record.text_original.split("\n")
    assert lines[0] == "行政处罚决定书文号\t某市监处罚〔2024〕38号"
    assert "案件名称\t某某餐饮管理有限公司经营超过保质期食品案" in lines
    assert "法定代表人（负责人）\t陈某" in lines
    assert lines[-1] == "作出处罚决定的机关名称和日期\t某某市市场监督管理局 2024年6月18日"
    assert "免责声明" not in record.text_original and "主办" not in record.text_original
    assert is_probably_article(record)


def test_a_statistics_table_keeps_its_rows_and_its_note():
    record = _read("tjsj_gyzjz.html")
    assert record.text_original.split("\n") == [
        "指标名称\t单位\t5月\t1-5月\t同比增长（%）",
        "规模以上工业增加值\t亿元\t128.6\t597.3\t6.8",
        "其中：轻工业\t亿元\t41.2\t190.5\t5.1",
        "重工业\t亿元\t87.4\t406.8\t7.6",
        "工业用电量\t亿千瓦时\t32.7\t151.9\t9.2",
        "产品销售率\t%\t97.8\t97.5\t-0.3",  # a cell of a sign alone stays in its row
        "注：1.规模以上工业统计范围为年主营业务收入2000万元及以上的工业法人单位。2.增长速度按可比价格计算。",
    ]
    assert record.source == "某某市统计局"


def test_a_notices_information_table_is_not_taken_for_its_body():
    record = parse_page((PAGES / "xxgk_layouts" / "two_row_header.html").read_bytes())
    assert record.text_original.startswith("各县（市）人民政府")
    assert "索引号" not in record.text_original and "\t" not in record.text_original


def test_a_layout_table_is_not_read_as_rows():
    """Old pages lay out the whole page in <table>s: cells that hold blocks are paragraphs, not tab-joined cells."""
    record = parse_page((PAGES / "old_news" / "200704_gbk_nested_tables.html").read_bytes())
    assert "\t" not in record.text_original
