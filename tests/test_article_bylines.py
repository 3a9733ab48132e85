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
