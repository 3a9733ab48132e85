"""Deep markup (issue 21 item 7): past libxml2's 256 open elements, with text between the tags, the page used to
lose its body and be dropped as not an article. The page is read again with the over-deep elements left out."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.article import is_probably_article, parse_page
from extract.flat_markup import flatten_deep_markup

TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*>")

URL = "http://www.example.gov.cn/art/2024/3/12/art_1_1.html"
SENTENCES = (
    "今年以来，全市认真贯彻落实省委省政府决策部署，稳步推进各项工作，经济运行总体平稳。",
    "一季度全市地区生产总值同比增长5.2%，规模以上工业增加值增长6.1%，固定资产投资增长4.8%。",
    "下一步，各地各部门要坚持稳中求进工作总基调，抓好项目建设，确保全年目标任务顺利完成。",
)
CLOSING = "市统计局将按月发布主要经济指标，欢迎社会各界监督。"


def deep_page(tag: str, depth: int, *, closing_inside: bool = False) -> str:
    """A news page whose editor left every <tag> open: each sentence opens one more level (and the closing
    paragraph sits at the bottom of the run, or after it)."""
    run = "".join(f"<{tag}>{SENTENCES[i % 3]}" for i in range(depth))
    if closing_inside:
        return deep_page(tag, 0).replace(f"<p>{CLOSING}</p>", f"{run}<p>{CLOSING}</p>" + f"</{tag}>" * depth)
    run += f"</{tag}>" * depth
    return (
        "<html><head><meta charset='utf-8'><title>一季度全市经济运行情况_市政府门户网站</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/xw/'>要闻动态</a></div>"
        f"<h1>一季度全市经济运行情况</h1><div class='TRS_Editor'>{run}<p>{CLOSING}</p></div>"
        "<div class='footer'>主办单位：市人民政府办公室</div></body></html>"
    )


@pytest.mark.parametrize("closing_inside", [False, True])
@pytest.mark.parametrize(
    ("tag", "depth"), [("font", 300), ("article", 10_000), ("div", 3_000), ("span", 600)]
)
def test_text_between_deeply_nested_tags_is_the_body(tag: str, depth: int, closing_inside: bool):
    record = parse_page(deep_page(tag, depth, closing_inside=closing_inside), URL)
    assert is_probably_article(record), record.problems
    body = record.text_original
    assert body.count(SENTENCES[1]) == len(range(1, depth, 3))  # every sentence, none lost past the limit
    assert CLOSING in body
    assert "主办单位" not in body and "要闻动态" not in body  # the page's chrome is still told apart
    assert record.title == "一季度全市经济运行情况"


def test_deep_markup_is_read_in_linear_time():
    def seconds(depth: int) -> float:
        page = deep_page("article", depth)
        started = time.perf_counter()
        parse_page(page, URL)
        return time.perf_counter() - started

    seconds(500)  # warm
    small, large = seconds(4_000), seconds(16_000)
    assert large < 8 * small + 0.2, (small, large)  # four times the input: not sixteen times the time


def test_shallow_elements_keep_their_structure():
    page = "<html><body><div id='a'><p>甲</p></div>" + "<b>乙" * 10 + "</b>" * 10 + "</body></html>"
    flat = flatten_deep_markup(page, 6)
    assert "<div id='a'><p>甲</p></div>" in flat  # off the deep path: as written
    assert flat.count("<b>") < 10 and flat.count("乙") == 10


def test_scripts_and_comments_are_not_read_as_tags():
    page = (
        "<html><body><script>var s = '<div><div><div>';</script><!-- <p><p><p> -->"
        + "<i>丙" * 8
        + "</body></html>"
    )
    flat = flatten_deep_markup(page, 4)
    assert "<script>var s = '<div><div><div>';</script><!-- <p><p><p> -->" in flat
    assert flat.count("丙") == 8


def test_unclosed_script_and_comment_end_the_reading_without_error():
    for page in ("<html><body><p>丁<script>var x = '<p>", "<html><body><p>丁<!-- <div>", "<<<<" * 1000):
        assert flatten_deep_markup(page, 4).count("丁") == page.count("丁")


_PIECES = st.sampled_from(
    ["<div>", "</div>", "<font>", "</font>", "<p>", "</p>", "<br>", "<img src='a.png'/>", "<script>", "</script>",
     "<!--", "-->", "<", ">", "今年", "增长5%", " ", "\n", "<td>", "</tr>", "<ARTICLE class='x'>", "</article>"]
)  # fmt: skip


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(_PIECES, max_size=400), st.integers(min_value=1, max_value=40))
def test_flattening_keeps_every_character_of_text(pieces: list[str], max_depth: int):
    page = "".join(pieces)
    flat = flatten_deep_markup(page, max_depth)
    assert TAG.sub("", flat) == TAG.sub("", page)  # only tags go (or become <br>), never text
