"""Bytes → text: BOM, HTTP charset, <meta>, detection; the GB family as gb18030; UTF-8 pages that claim gb2312."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.encoding import canonical_encoding, decode_html, meta_charset

PAGES = Path(__file__).parent / "data" / "pages"

# 堃 and 喆 are GBK characters outside GB2312: a page "in gb2312" that uses them is really GBK.
NEWS = "省统计局副局长刘喆介绍，一季度全省规模以上工业增加值同比增长6.8%。记者赵堃"


def page(charset_meta: str | None, body: str = NEWS, title: str = "一季度工业数据发布") -> str:
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">'
        if charset_meta
        else ""
    )
    return f"<html><head>{meta}<title>{title}</title></head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize(
    ("raw", "declared", "expected_encoding"),
    [
        # BOM wins over everything, even a wrong header.
        (codecs.BOM_UTF8 + page(None).encode("utf-8"), "gbk", "utf-8"),
        (codecs.BOM_UTF16_LE + page(None).encode("utf-16-le"), None, "utf-16-le"),
        # HTTP says gb2312, bytes are GBK with 堃/喆: decoded as gb18030.
        (page(None).encode("gbk"), "gb2312", "gb18030"),
        (page(None).encode("gbk"), "GBK", "gb18030"),
        (page(None).encode("gb18030"), "GB_2312-80", "gb18030"),
        # No HTTP charset: the page's own <meta> is used.
        (page("gb2312").encode("gbk"), None, "gb18030"),
        (page("gbk").encode("gbk"), None, "gb18030"),
        # The real mistake: the page claims gb2312 but is stored as UTF-8.
        (page("gb2312").encode("utf-8"), None, "utf-8"),
        (page(None).encode("utf-8"), "gbk", "utf-8"),
        # The server claims UTF-8 but sends GBK: the <meta> gets its turn.
        (page("gb2312").encode("gbk"), "utf-8", "gb18030"),
        # Nothing declared anywhere.
        (page(None).encode("utf-8"), None, "utf-8"),
        (page(None).encode("gbk"), None, "gb18030"),
        # Traditional-script pages in Big5.
        (
            page("big5", "臺灣地區今年第一季經濟成長率為百分之三點五，優於預期。", "第一季經濟數據").encode(
                "big5"
            ),
            None,
            "big5hkscs",
        ),
    ],
)
def test_decode_html_picks_the_charset_that_reads_the_page(
    raw: bytes, declared: str | None, expected_encoding: str
):
    text, encoding = decode_html(raw, declared)
    assert encoding == expected_encoding
    assert "\ufffd" not in text
    assert "一季度" in text or "第一季" in text


def test_gbk_characters_outside_gb2312_survive():
    text, _ = decode_html(page("gb2312").encode("gbk"))
    assert "刘喆" in text and "赵堃" in text


def test_one_stray_byte_does_not_switch_charset_and_is_reported():
    raw = page("gbk").encode("gbk").replace(b"</p>", b"\xff</p>")
    text, encoding = decode_html(raw)
    assert encoding == "gb18030+replace" or encoding == "gb18030"
    assert "刘喆" in text


def test_empty_body_decodes_to_empty_text():
    assert decode_html(b"") == ("", "utf-8")


def test_recorded_gbk_page_reads_cleanly():
    text, encoding = decode_html((PAGES / "gbk_news" / "gbk_declared_gb2312.html").read_bytes())
    assert encoding == "gb18030"
    assert "作者：赵堃" in text and "\ufffd" not in text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (b'<meta charset="gb2312">', "gb2312"),
        (b"<meta charset=utf-8>", "utf-8"),
        (b'<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=GBK">', "GBK"),
        (b"<meta name='x' content='text/html;charset=big5'>", "big5"),
        (b"<html><head><title>no charset</title>", None),
    ],
)
def test_meta_charset(html: bytes, expected: str | None):
    assert meta_charset(html) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("gb2312", "gb18030"), ("GBK", "gb18030"), ("x-gbk", "gb18030"), ("cp936", "gb18030"), ("UTF8", "utf-8"),
     ("utf-8", "utf-8"), ("Big5", "big5hkscs"), ("no-such-charset", None), ("", None), (None, None)],
)  # fmt: skip
def test_canonical_encoding(name: str | None, expected: str | None):
    assert canonical_encoding(name) == expected


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from([None, "gb2312", "utf-8", "big5", "latin-1", "nonsense"]))
def test_decode_html_never_raises(raw: bytes, declared: str | None):
    text, encoding = decode_html(raw, declared)
    assert isinstance(text, str) and encoding
