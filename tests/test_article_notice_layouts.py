"""信息公开 fields in the layouts portals use besides "label：value" cells (issue 18), each on a recorded page."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from extract.article import parse_page
from extract.notice_table import find_labelled_values, is_placeholder

PAGES = Path(__file__).parent / "data" / "pages" / "xxgk_layouts"
NOTICE_FIELDS = ("title", "index_no", "doc_number", "issuer", "written_on", "published_on", "topic")


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (  # label and value in separate cells, no colon, spaces inside labels, "/" for an empty 文号
            "cells_without_colon.html",
            {
                "title": "祁东县人民政府关于印发《祁东县城区生活垃圾分类工作实施方案》的通知",
                "index_no": "qdx-0100-2024-00036",
                "doc_number": "祁政发〔2024〕7号",
                "issuer": "祁东县人民政府",
                "written_on": "2024-05-06",
                "published_on": "2024-05-09",
                "topic": "城乡建设、环境保护",
            },
        ),
        (  # <label>索 引 号：</label><div>…</div>, "无" for the topic
            "label_and_div.html",
            {
                "title": "嘉兴市生态环境局关于进一步规范建设项目环境影响评价文件审批的通知",
                "index_no": "002556838/2024-117523",
                "doc_number": "嘉环发〔2024〕21号",
                "issuer": "嘉兴市生态环境局",
                "written_on": "2024-03-28",
                "published_on": "2024-04-02",
                "topic": None,
            },
        ),
        (  # a header row of labels, the values in the row below, twice; a list table further down is not read
            "two_row_header.html",
            {
                "title": "黔南州人民政府办公室关于做好2024年春耕生产工作的通知",
                "index_no": "11522700MB1234567X/2024-0031",
                "doc_number": "黔南府办发〔2024〕4号",
                "issuer": "黔南州人民政府办公室",
                "written_on": "2024-02-20",
                "published_on": "2024-02-22",
                "topic": "农业、林业、水利",
            },
        ),
        (  # the same fields as <ul><li>, "-" for no 发文字号
            "list_items.html",
            {
                "title": "福建金融监管局关于辖内银行业保险业机构开展金融知识普及活动的通知",
                "index_no": "717803624/2024-00125",
                "doc_number": None,
                "issuer": "国家金融监督管理总局福建监管局",
                "written_on": "2024-06-03",
                "published_on": "2024-06-05",
                "topic": "金融监管",
            },
        ),
    ],
)
def test_notice_fields_in_other_layouts(page: str, expected: dict):
    record = parse_page((PAGES / page).read_bytes(), f"http://www.example.gov.cn/xxgk/{page}")
    assert {name: getattr(record, name) for name in NOTICE_FIELDS} == expected
    assert "index_no" not in record.text_original and "索引号" not in record.text_original.replace(" ", "")
    assert record.text_original.count("\n") >= 2


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("<table><tr><td>索引号</td><td>000014349/2024-00012</td><td>文号</td><td>无</td></tr></table>",
         [("index_no", "000014349/2024-00012")]),
        ("<table><tr><td>发文字号：</td><td>-</td><td>成文日期：</td><td>2024-01-08</td></tr></table>",
         [("written_on", "2024-01-08")]),
        ("<table><tr><td>发 文 字 号</td><td>——</td><td>成文日期</td><td>2024年1月8日</td></tr></table>",
         [("written_on", "2024年1月8日")]),
        ("<dl><dt>发布机构：</dt><dd>某某县农业农村局</dd><dt>文号：</dt><dd>/</dd></dl>",
         [("issuer", "某某县农业农村局")]),
        ("<div class='row'><span>发文机关：</span><span>某某市人民政府办公室</span></div>",
         [("issuer", "某某市人民政府办公室")]),
        # a list table's header row: its "标题 | 日期" cells label a column of many rows, not one value
        ("<table><tr><th>标题</th><th>日期</th></tr><tr><td>市政府召开常务会议</td><td>2024-02-21</td></tr>"
         "<tr><td>市领导调研春耕工作</td><td>2024-02-19</td></tr></table>",
         []),
        # a notice label inside a longer one is still read; a by-line word ending a longer one is not
        ("<table><tr><td>信息索引号：</td><td>000014349/2024-00012</td></tr></table>",
         [("index_no", "000014349/2024-00012")]),
        ("<p>会议时间：2023年6月1日 数据来源：市统计局</p>", []),
        # a menu word that happens to be a label word is not read outside a table cell
        ("<ul class='nav'><li><a href='/'>来源</a></li><li><a href='/x'>专题专栏</a></li></ul>", []),
    ],
)  # fmt: skip
def test_bare_labels_and_placeholders(snippet: str, expected: list[tuple[str, str]]):
    tree = lxml_html.document_fromstring(f"<html><body>{snippet}</body></html>")
    assert [(v.field, v.value) for v in find_labelled_values(tree)] == expected


@pytest.mark.parametrize(
    ("value", "empty"),
    [("无", True), ("-", True), ("/", True), ("——", True), ("暂无", True), (" 无 ", True),
     ("无锡市人民政府", False), ("国办发〔2024〕1号", False), ("2024-01-08", False)],
)  # fmt: skip
def test_is_placeholder(value: str, empty: bool):
    assert is_placeholder(value) is empty
