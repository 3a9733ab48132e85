"""Source and author from by-lines (issue 18): labels stripped, neighbouring chrome cut off, image captions and
empty by-line values never taken."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.article import parse_page
from extract.page_meta import clean_author, clean_source

PAGES = Path(__file__).parent / "data" / "pages"
BODY = (
    "<div class='content'><p>　　5月7日上午，全市春季植树造林现场会在东山林场召开。会议总结了今年以来的植树造林工作，"
    "全市已完成人工造林3.2万亩，义务植树180万株。</p><p>　　会议要求各县区加强新造林地的抚育管护。</p></div>"
)


def _page(byline: str, head: str = "") -> str:
    return (
        f"<html><head>{head}<title>我市召开春季植树造林现场会</title></head>"
        f"<body><h1>我市召开春季植树造林现场会</h1>{byline}{BODY}</body></html>"
    )


def test_old_news_page_with_an_empty_date_line():
    record = parse_page((PAGES / "old_news" / "200505_empty_byline.html").read_bytes())
    assert (record.title, record.published_at) == ("我市召开春季植树造林现场会", "2005-05-07T21:23:57")
    assert record.source is None  # "来源：　作者：" says nothing; the picture's "图片来源：东山林场" is not the article's
    assert record.author == "刘海"  # the 责任编辑, for want of a named author


@pytest.mark.parametrize(
    ("byline", "head", "source", "author"),
    [
        ("<div class='info'><span>来源：新华社</span> <a href='/jb'>举报</a></div>", "", "新华社", None),
        ("<div class='info'>2020-02-29 18:34:31　来源: <a href='#'>新华社</a> <a href='/jb'>举报</a></div>", "",
         "新华社", None),
        ("<div>发布时间：2023-06-01 来源：市发展改革委 访问量：199</div>", "", "市发展改革委", None),
        ("<div>来源：市农业农村局 字号：<a>大</a> <a>中</a> <a>小</a></div>", "", "市农业农村局", None),
        ("<div>来源：人民网 分享到：<a>微信</a> <a>微博</a></div>", "", "人民网", None),
        ("<div>来源：光明日报 | 打印 | 关闭</div>", "", "光明日报", None),
        # an image caption names the picture's source
        ("<p class='img_descr'>图片来源：某某视觉</p>", "", None, None),
        ("<figure><img src='a.jpg'><figcaption>来源：东山林场</figcaption></figure>", "", None, None),
        # a date line whose labels have no values, then the font-size switch
        ("<div>2005-5-7 21:23:57 来源： 作者：</div><div>【字体：大 中 小】</div>", "", None, None),
        # by-lines in <font>/<span>
        ("<font color='#666'>作者：张 明　责任编辑：李 华</font>", "", None, "张 明"),
        ("<span>作者：王小川</span><span>来源：经济日报</span>", "", "经济日报", "王小川"),
        ("<td><font>来源：中国日报网</font>　<font>编辑：赵云</font></td>", "", "中国日报网", "赵云"),
        # the by-line the page shows beats a plain "source" meta; the label is stripped from the meta
        ("<div>2024年05月10日06:58 | 来源：<a href='#'>人民网－人民日报</a></div>",
         "<meta name='source' content='来源：人民日报'>", "人民网－人民日报", None),
        ("", "<meta name='source' content='来源：人民日报'>", "人民日报", None),
        # no label: the publisher's name on the by-line under the title
        ("<div class='news_about'><p>新华社</p><p>2020-01-03 18:13<span>字号</span> <a>大</a> <a>小</a></p></div>", "",
         "新华社", None),
        ("<div class='tip'><span>2019-09-26 10:56:28</span> <a href='#'>证券时报网</a>&nbsp;</div>", "",
         "证券时报网", None),
        ("<div class='src'><span>本文来源于<a href='#'>国家统计局</a></span>　<span>2024-05-11 09:36:26</span></div>", "",
         "国家统计局", None),
        ("<script>var a = 1;</script><div class='date-source'><span>2024年05月10日 00:26</span>"
         "<a class='source'>每日经济新闻</a> <a>举报</a></div>", "", "每日经济新闻", None),
        # a date and a counter, a date and a person: no publisher named
        ("<div class='info'>2024-05-11 09:36 阅读 1024</div>", "", None, None),
        ("<div class='info'>2024-05-11 张小明</div>", "", None, None),
    ],
)  # fmt: skip
def test_source_and_author(byline: str, head: str, source: str | None, author: str | None):
    record = parse_page(_page(byline, head))
    assert (record.source, record.author) == (source, author)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("来源：新华社 举报", "新华社"), ("人民日报  访问量：199", "人民日报"), ("国家统计局 2024-05-11 09:36:26", "国家统计局"),
     ("北京青年报【打印】", "北京青年报"), ("", None), ("无", None), ("来源：", None)],
)  # fmt: skip
def test_clean_source(value: str, expected: str | None):
    assert clean_source(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("作者：张三", "张三"), ("张三 责任编辑：李四", "张三"), ("责任编辑：王五", "王五"), ("李四 [打印]", "李四"),
     ("佚名", None), ("xinhuanet.com", None), ("", None)],
)  # fmt: skip
def test_clean_author(value: str, expected: str | None):
    assert clean_author(value) == expected


def test_a_dateline_names_the_source_and_the_bracketed_reporters_the_author():
    """Wire copy with no by-line source: "新华社北京3月5日电（记者 张三 李四）"; the photographer of the picture's
    caption ("新华社记者 王五 摄") and the 责任编辑 are not the author."""
    record = parse_page((PAGES / "text_credits" / "dateline_reporters.html").read_bytes())
    assert (record.source, record.author) == ("新华社", "张三 李四")
    assert record.fields_from["source"] == record.fields_from["author"] == "text"
    assert record.published_at == "2024-03-05T10:12:00"  # the by-line's date, unlabelled


def test_a_closing_credit_names_the_source_and_a_data_source_does_not():
    record = parse_page((PAGES / "text_credits" / "closing_credit.html").read_bytes())
    assert record.source == "经济日报"  # "（来源：经济日报）", not "数据来源：海关总署"
    assert record.published_at == "2024-03-08T09:41:00"


@pytest.mark.parametrize(
    ("paragraphs", "source", "author"),
    [
        ("<p>中新网3月5日电 据国家统计局网站消息，2月份全国居民消费价格同比上涨0.7%，环比上涨1.0%。</p>", "中新网", None),
        ("<p>央视网消息：今天上午，全国两会新闻中心举行记者会，邀请有关部门负责人介绍情况。</p>", "央视网", None),
        ("<p>据新华社电 国家发展改革委近日印发通知，部署做好今年春耕备耕各项工作。</p>", "新华社", None),
        # 本报 names no one; the reporters still count
        ("<p>本报北京3月5日讯（记者 王五）记者从国家发展改革委获悉，今年将继续加大中央预算内投资力度。</p>", None, "王五"),
        ("<p>今年以来，全市经济运行总体平稳，主要指标好于预期。（记者 赵六 通讯员 钱七）</p>", None, "赵六"),
        ("<p>本文来源于国家统计局</p><p>2月份，全国居民消费价格同比上涨0.7%，环比上涨1.0%。</p>", "国家统计局", None),
        # a caption's photographer, a data source and an interview line are not credits of the article
        ("<p>今年以来，全市经济运行总体平稳，主要指标好于预期。</p><p>图为会议现场。（新华社记者 王五 摄）</p>", None, None),
        ("<p>今年以来，全市经济运行总体平稳，主要指标好于预期。</p><p>数据来源：市统计局</p>", None, None),
        ("<p>记者从市统计局获悉，一季度全市经济运行总体平稳，主要指标好于预期。</p>", None, None),
    ],
)  # fmt: skip
def test_credits_in_the_text(paragraphs: str, source: str | None, author: str | None):
    record = parse_page(_page("", "").replace(BODY, f"<div class='content'>{paragraphs}</div>"))
    assert (record.source, record.author) == (source, author)


def test_the_pages_own_by_line_beats_the_text():
    byline = "<div class='info'>来源：市发展改革委　作者：孙八</div>"
    body = "<p>新华社北京3月5日电（记者 张三）国家发展改革委近日印发通知，部署做好今年春耕备耕各项工作。</p>"
    record = parse_page(_page(byline).replace(BODY, f"<div class='content'>{body}</div>"))
    assert (record.source, record.author) == ("市发展改革委", "孙八")


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        # nested <table>s and a <font> body; the date line "2007-4-12 9:05:31　来源：…　作者：…　点击：356" in a <font>
        ("200704_gbk_nested_tables.html", ("市政府召开全市安全生产工作会议", "2007-04-12T09:05:31", "某某日报", "刘喆 王镕")),
        # no <h1> and no label: the title in <font><b>, then a row with the date and the paper, then the reporters
        ("200608_unlabelled_byline.html", ("全省夏粮收购进度过半", "2006-08-12T09:30:00", "某某日报", "李明")),
    ],
)  # fmt: skip
def test_news_pages_of_the_2000s(page: str, expected: tuple[str, str, str, str]):
    """GB2312 declared on GBK bytes (喆, 堃, 镕 and · are not in GB2312), read as GB18030."""
    raw = (PAGES / "old_news" / page).read_bytes()
    assert b"charset=gb2312" in raw
    record = parse_page(raw)
    assert record.encoding == "gb18030" and not record.problems
    assert (record.title, record.published_at, record.source, record.author) == expected
    lines = record.text_original.split("\n")
    assert len(lines) == (4 if "nested" in page else 3) and all(line.endswith("。") for line in lines)
    for chrome in ("首页", "热点新闻", "打印", "版权所有", "责任编辑", "记者 李明"):
        assert chrome not in record.text_original
    if "nested" in page:
        assert "副市长赵堃出席会议并讲话" in record.text_original
