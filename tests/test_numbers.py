"""Numbers: Chinese magnitudes and numerals on matched spans, and the pattern other extractors embed."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.numbers import NUMBER_PATTERN, format_chinese_number, parse_chinese_number


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("3万", 30000),
        ("30亿", 3000000000),
        ("2400亿", 240000000000),
        ("1.5万亿", 1500000000000),
        ("60万亿", 60000000000000),
        ("2.8万", 28000),
        ("0.5", 0.5),
        ("15", 15),
        ("10000", 10000),
        ("1,200", 1200),
        ("12,000,000", 12000000),
        ("５", 5),
        ("１０万", 100000),
        ("3千万", 30000000),
        ("5百万", 5000000),
        ("两千", 2000),
        ("三十", 30),
        ("十二", 12),
        ("十", 10),
        ("二十五", 25),
        ("一百零五", 105),
        ("一千零一十", 1010),
        ("一万二千", 12000),
        ("十万", 100000),
        ("三亿五千万", 350000000),
        ("两百亿", 20000000000),
        ("三点五", 3.5),
        ("二〇二〇", 2020),
        ("零", 0),
        (" 100 ", 100),
    ],
)
def test_parse_chinese_number(span, expected):
    value = parse_chinese_number(span)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    "span",
    [
        "",
        " ",
        "万",
        "亿",
        "区块链",
        "3个",
        "15%",
        "约3万",
        "1.2.3",
        "..",
        "点",
        "12,34",
        "abc",
        "四地",
        "三五个",
    ],
)
def test_not_a_number(span):
    assert parse_chinese_number(span) is None


def test_a_whole_text_is_not_a_number():
    assert parse_chinese_number("到2022年，培育3万家企业，" * 5) is None


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("建设10个以上区块链公共服务平台", ["10"]),
        ("相关产业营业收入达到2400亿元", ["2400亿"]),
        ("培育两千家企业", ["两千"]),
        ("市场规模将突破1.5万亿元", ["1.5万亿"]),
        ("形成一百零五项成果", ["一百零五"]),
        ("建设3至5个产业园", ["3", "5"]),
        ("服务1,200户企业", ["1,200"]),
        ("引进30亿元投资、3万名人才", ["30亿", "3万"]),
        ("增长15%左右", ["15"]),
        ("三千万元专项资金", ["三千万"]),
    ],
)
def test_number_pattern_finds_spans_that_parse(text, numbers):
    spans = re.findall(NUMBER_PATTERN, text)
    assert spans == numbers
    assert all(parse_chinese_number(s) is not None for s in spans)


def test_number_pattern_has_no_capturing_group():
    assert re.compile(NUMBER_PATTERN).groups == 0


@given(st.text(max_size=60))
def test_parse_never_raises(text):
    value = parse_chinese_number(text)
    assert value is None or isinstance(value, (int, float))


@given(st.text(alphabet="0123456789.,零〇一二两三四五六七八九十百千万亿点 ", max_size=30))
def test_parse_never_raises_on_number_like_text(text):
    value = parse_chinese_number(text)
    assert value is None or isinstance(value, (int, float))


@given(st.integers(min_value=0, max_value=99999))
def test_chinese_numeral_round_trip(n):
    assert parse_chinese_number(format_chinese_number(n)) == n


@given(st.integers(min_value=0, max_value=10**8 - 1))
def test_arabic_with_magnitude(n):
    assert parse_chinese_number(f"{n}万") == n * 10000
    assert parse_chinese_number(f"{n:,}") == n


@pytest.mark.parametrize(
    ("n", "numeral"),
    [(0, "零"), (10, "十"), (105, "一百零五"), (20300, "二万零三百"), (99999, "九万九千九百九十九")],
)
def test_format_chinese_number(n, numeral):
    assert format_chinese_number(n) == numeral
