"""Page understanding on recorded pages in the shapes of real sites, and on bad input that must not crash."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from lxml import html as lxml_html

from extract.article import is_probably_article, looks_like_waf_challenge, parse_page
from extract.notice_table import find_labelled_values
from extract.page_meta import iso_date, region_from_site_id, title_prefix

PAGES = Path(__file__).parent / "data" / "pages"
URL = "http://www.hunan.gov.cn/hnszf/xxgk/wjk/szfbgt/202303/t20230314_29281234.html"


def fields(record) -> dict:
    data = record.to_json()
    data.pop("text")
    return data


def test_trs_provincial_notice():
    record = parse_page((PAGES / "gov_trs_notice" / "provincial_notice.html").read_bytes(), URL)
    assert fields(record) == {
        "url": URL,
        "title": "湖南省人民政府办公厅关于加快推进农村公路提质改造的实施意见",
        "published_at": "2023-03-14T10:05:00",
        "source": "湖南省人民政府办公厅",
        "author": None,
        "language": "zh-Hans",
        "encoding": "utf-8",
        "index_no": "430000/2023-00312",
        "doc_number": "湘政办发〔2023〕9号",
        "issuer": "湖南省人民政府办公厅",
        "written_on": "2023-03-10",
        "published_on": "2023-03-14",
        "topic": "交通运输",
        "region_code": "430000",
        "attachments": [
            {
                "url": "http://www.hunan.gov.cn/hnszf/xxgk/wjk/szfbgt/202303/P020230314512345678901.pdf",
                "name": "1. 湖南省农村公路提质改造项目清单.pdf",
                "type": "pdf",
            },
            {
                "url": "http://www.hunan.gov.cn/attach/2023/03/14/任务分工表.docx",
                "name": "2. 任务分工表",
                "type": "docx",
            },
            {
                "url": "http://www.hunan.gov.cn/attach/2023/03/14/P020230314599.xls",
                "name": "资金测算表",
                "type": "xls",
            },
        ],
        "fields_from": {
            "title": "meta",
            "published_at": "meta",
            "source": "meta",
            "region_code": "meta",
            "index_no": "table",
            "topic": "table",
            "issuer": "table",
            "written_on": "table",
            "doc_number": "table",
            "published_on": "table",
            "text": "structure",
        },
        "problems": [],
    }
    body = record.text_original.split("\n")
    assert body[0] == "湘政办发〔2023〕9号"
    assert body[-1] == "2023年3月10日"
    assert any(line.startswith("三、保障措施。省财政每年安排专项资金不少于20亿元") for line in body)
    for noise in ("首页", "分享到", "相关文件", "返回列表", "湘ICP备", "字号", "_trs_uv"):
        assert noise not in record.text_original
    assert is_probably_article(record)


def test_govcn_policy_page_with_full_width_spaced_labels():
    record = parse_page(
        (PAGES / "govcn_policy" / "state_council_notice.html").read_bytes(), "http://www.gov.cn/x.htm"
    )
    got = {k: getattr(record, k) for k in ("index_no", "topic", "issuer", "written_on", "title", "doc_number",
                                          "published_on", "published_at", "region_code")}  # fmt: skip
    assert got == {
        "index_no": "000014349/2022-00041",
        "topic": "国务院组织机构\\其他",
        "issuer": "国务院办公厅",
        "written_on": "2022-06-13",
        "title": "国务院办公厅关于印发全国一体化政务服务平台建设指引的通知",
        "doc_number": "国办函〔2022〕55号",
        "published_on": "2022-06-20",
        "published_at": "2022-06-20T18:30:02",
        "region_code": "100000",
    }
    assert record.fields_from["title"] == "table"
    assert record.fields_from["published_at"] == "meta"
    assert "“一网通办”比例达到90%以上" in record.text
    assert "责任编辑" not in record.text_original and "版权所有" not in record.text_original


def test_news_page_without_nav_comments_share_or_related():
    record = parse_page(
        (PAGES / "news_portal" / "policy_news.html").read_bytes(), "https://news.example.com/a/1.html"
    )
    assert (record.title, record.published_at, record.source, record.author) == (
        "多地出台新能源汽车下乡支持政策",
        "2024-05-18T09:12:00",
        "经济日报",
        "李晓燕",
    )
    assert record.text_original.split("\n") == [
        "记者从多个省份了解到，今年以来，江苏、浙江、四川等地相继出台新能源汽车下乡支持政策，"
        "对在县域购买新能源汽车的消费者给予每辆最高5000元的补贴。",
        "江苏省商务厅有关负责人表示，全省计划在2024年新建县乡公共充电桩1.5万个，力争年内农村地区新能源汽车销量同比增长30%以上。",
        "业内人士认为，随着充电基础设施向乡镇延伸，农村市场将成为新能源汽车消费的新增长点。",
    ]
    assert record.fields_from["source"] == "table" and record.fields_from["text"] == "structure"


def test_gbk_page_declaring_gb2312():
    record = parse_page((PAGES / "gbk_news" / "gbk_declared_gb2312.html").read_bytes())
    assert record.encoding == "gb18030"
    assert (record.title, record.published_at, record.source, record.author) == (
        "省统计局：一季度全省规模以上工业增加值增长6.8%",
        "2024-04-18T08:30:00",
        "湘江日报",
        "赵堃",
    )
    assert "副局长刘喆介绍" in record.text_original
    assert "相关新闻" not in record.text_original and "版权所有" not in record.text_original


def test_page_without_charset():
    record = parse_page((PAGES / "no_charset" / "county_news.html").read_bytes())
    assert (record.encoding, record.title, record.published_at, record.source) == (
        "utf-8",
        "我县召开2024年防汛抗旱工作会议",
        "2024-04-02",
        "县应急管理局",
    )
    assert record.text_original.startswith("4月1日，我县召开2024年防汛抗旱工作会议")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("湖南省人民政府办公厅关于加快推进农村公路提质改造的实施意见_省政府办公厅文件_湖南省人民政府门户网站",
         "湖南省人民政府办公厅关于加快推进农村公路提质改造的实施意见"),
        ("外媒眼中的长假：蓬勃发展_首页_新闻中心_长江网", "外媒眼中的长假：蓬勃发展"),
        ("多地出台新能源汽车下乡支持政策-东方财经网", "多地出台新能源汽车下乡支持政策"),
        ("苹果发布新品：64GB售5499元|苹果|新品_新浪科技_新浪网", "苹果发布新品：64GB售5499元"),
        ("法国全国大罢工再次严重影响交通-新华网", "法国全国大罢工再次严重影响交通"),
        ("新华网 - 国务院常务会议部署推进城市更新工作", "国务院常务会议部署推进城市更新工作"),
        ("关于2023年度部门决算的说明", "关于2023年度部门决算的说明"),
    ],
)  # fmt: skip
def test_title_prefix_drops_site_and_column_suffixes(title: str, expected: str):
    assert title_prefix(title) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-09-07 13:43:45", "2019-09-07T13:43:45"),
        ("2016-11-22 09:53", "2016-11-22T09:53:00"),
        ("2019年04月25日", "2019-04-25"),
        ("2019年4月5日 8:05", "2019-04-05T08:05:00"),
        ("发布时间：2023/3/14", "2023-03-14"),
        ("2024-05-18T09:12:00+08:00", "2024-05-18T09:12:00"),
        ("2018.11.12", "2018-11-12"),
        ("2019-13-45", None),
        ("暂无", None),
        ("", None),
    ],
)
def test_iso_date(text: str, expected: str | None):
    assert iso_date(text) == expected


@pytest.mark.parametrize(
    ("site_id", "expected"),
    [("4300000035", "430000"), ("4301000001", "430100"), ("bm01000001", "100000"), ("BM09000002", "100000"),
     ("", None), (None, None), ("0000000000", None), ("43000", None)],
)  # fmt: skip
def test_region_from_site_id(site_id: str | None, expected: str | None):
    assert region_from_site_id(site_id) == expected


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        # <td> pairs with labels spaced by half- and full-width spaces, the colon inside a <b>
        ("<table><tr><td><b>索 引 号：</b></td><td>000014349/2019-00061</td>"
         "<td><b>标　　题：</b></td><td>国务院关于同意设立某某综合保税区的批复</td></tr></table>",
         [("index_no", "000014349/2019-00061"), ("title", "国务院关于同意设立某某综合保税区的批复")]),
        # label:value in one cell
        ("<table><tr><td>发文字号：湘政发〔2021〕3号</td><td>成文日期：2021年02月01日</td></tr></table>",
         [("doc_number", "湘政发〔2021〕3号"), ("written_on", "2021年02月01日")]),
        # value in the label's tail (gov.cn's newer <li><strong> layout)
        ("<ul><li><strong>发文机关：</strong>国务院办公厅</li><li><strong>主题分类：</strong>财政、金融、审计\\税收</li></ul>",
         [("issuer", "国务院办公厅"), ("topic", "财政、金融、审计\\税收")]),
        # a by-line with several labels in one element, date first
        ("<div class='info'>2024年04月18日 08:30　来源：湘江日报　作者：赵堃</div>",
         [("published_at", "2024年04月18日 08:30"), ("source", "湘江日报"), ("author", "赵堃")]),
        ("<p>发布时间：2023-06-01 来源：市发展改革委</p>",
         [("published_at", "2023-06-01"), ("source", "市发展改革委")]),
    ],
)  # fmt: skip
def test_labelled_values(snippet: str, expected: list[tuple[str, str]]):
    tree = lxml_html.document_fromstring(f"<html><body>{snippet}</body></html>")
    assert [(v.field, v.value) for v in find_labelled_values(tree)] == expected


@pytest.mark.parametrize(
    ("html", "is_challenge"),
    [
        (
            "<html><title>安全验证</title><body>请完成下方滑动验证后继续访问<script>slider()</script></body></html>",
            True,
        ),
        ("<html><body><noscript>请开启JavaScript并刷新该页</noscript></body></html>", True),
        ("<html><body>您的访问被拒绝。网站防火墙 - 云锁</body></html>", True),
        ("<html><body>当前访问疑似黑客攻击，已被安全狗拦截。</body></html>", True),
        ("<html><body>创宇盾 正在检查您的浏览器</body></html>", True),
        ("<html><body>Please enable cookies. Checking your browser before accessing</body></html>", True),
        ("<html><title>通知</title><body><p>各乡镇要在4月15日前完成排查。</p></body></html>", False),
        (
            "<html><body>"
            + "<p>会议强调，要加强安全验证工作，落实数据安全责任。</p>" * 60
            + "</body></html>",
            False,
        ),
    ],
)
def test_looks_like_waf_challenge(html: str, is_challenge: bool):
    assert looks_like_waf_challenge(html) is is_challenge


def test_waf_page_is_not_an_article():
    record = parse_page(
        "<html><title>访问验证</title><body>请开启JavaScript后刷新页面，正在进行安全验证……</body></html>"
    )
    assert "waf_challenge" in record.problems
    assert not is_probably_article(record)


def test_list_page_is_not_an_article():
    items = "".join(
        f'<li><a href="/art/2024/5/{i}.html">市政府召开第{i}次常务会议研究部署重点工作</a><span>2024-05-{i:02d}</span></li>'
        for i in range(1, 26)
    )
    record = parse_page(
        f"<html><head><title>政务要闻_某市人民政府</title></head><body><ul>{items}</ul></body></html>"
    )
    assert not is_probably_article(record)


def test_reference_date_bounds_library_dates():
    html = "<html><head><title>某县召开会议</title></head><body><p>会议于2031年1月5日召开，研究部署工作。</p></body></html>"
    record = parse_page(html, reference_date=date(2024, 5, 1))
    assert record.published_at is None or record.published_at <= "2024-05-01"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", "empty_body"),
        (b"   \n  ", "empty_body"),
        (b"\x00\x01\x02\x03PK\x03\x04" + bytes(range(256)) * 40, "binary_body"),
        (b"%PDF-1.4\n\x00\x00\x00\xff\xfe" + b"\x00" * 5000, "binary_body"),
    ],
)
def test_bad_bodies_become_problems_not_exceptions(body: bytes, problem: str):
    record = parse_page(body, "http://example.gov.cn/x.html")
    assert problem in record.problems
    assert record.text == "" and not is_probably_article(record)


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><div><p>未闭合的段落<div><table><tr><td>单元格<p>又一段",
        "<<<>>><p>>>",
        "<html><body>"
        + "<div>" * 5000
        + "<p>深层嵌套的正文，用于测试递归限制。</p>"
        + "</div>" * 5000
        + "</body></html>",
        "<html><body>" + "<span>" * 30000 + "文字" + "</body></html>",
        "<?xml version='1.0' encoding='gb2312'?><html><body><p>带声明的页面。</p></body></html>",
        "\ufeff<html><body><p>带BOM的文本。</p></body></html>",
    ],
)
def test_broken_or_deep_markup_never_raises(html: str):
    record = parse_page(html)
    assert not [p for p in record.problems if p.startswith("parse_error")]


def test_twenty_megabyte_page_finishes_in_seconds():
    paragraph = "<div class='item'><p>各地要统筹推进路网提档升级，优先改造连接产业园区的道路。</p><a href='/x'>链接</a></div>\n"
    big = ("<html><body>" + paragraph * (20_000_000 // len(paragraph.encode()))).encode()
    started = time.perf_counter()
    record = parse_page(big)
    assert time.perf_counter() - started < 10
    assert any(p.startswith("truncated_at_") for p in record.problems)
