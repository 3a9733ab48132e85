"""Dates: Chinese date expressions to ISO strings, years inferred from an injected reference date."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.dates import find_dates, infer_reference_year, parse_date, parse_datetime

JUNE_2020 = datetime.date(2020, 6, 1)
JAN_2021 = datetime.date(2021, 1, 10)


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("2021年4月27日", None, "2021-04-27"),
        ("2021年04月27日", None, "2021-04-27"),
        ("2021 年 4 月 27 日", None, "2021-04-27"),
        ("2021-04-27 10:30", None, "2021-04-27"),
        ("2021/4/27", None, "2021-04-27"),
        ("2021.04.27", None, "2021-04-27"),
        ("20210427", None, "2021-04-27"),
        ("２０２１年４月２７日", None, "2021-04-27"),
        ("二〇二一年四月二十七日", None, "2021-04-27"),
        ("二〇二〇年十二月", None, "2020-12"),
        ("2020年4月", None, "2020-04"),
        ("2020年4月底", None, "2020-04"),
        ("2020年", None, "2020"),
        ("发布时间：2021-04-27", None, "2021-04-27"),
        ("4月27日", JUNE_2020, "2020-04-27"),
        ("4月27号", JUNE_2020, "2020-04-27"),
        ("7月初", JUNE_2020, "2020-07"),
        ("7月份", JUNE_2020, "2020-07"),
        ("今年5月", JUNE_2020, "2020-05"),
        ("去年12月", JUNE_2020, "2019-12"),
        ("去年12月28日", JUNE_2020, "2019-12-28"),
        ("明年1月1日", JUNE_2020, "2021-01-01"),
        ("12月28日", JAN_2021, "2020-12-28"),  # a January article looks back at December
        ("2月3日", JAN_2021, "2021-02-03"),
        ("4月27日", None, None),  # no year can be inferred
        ("7月初", None, None),
        ("2021年13月5日", None, None),
        ("2021年2月30日", None, None),
        ("3个月", JUNE_2020, None),
        ("为期12个月", JUNE_2020, None),
        ("区块链", JUNE_2020, None),
        ("", JUNE_2020, None),
    ],
)
def test_parse_date(text, reference, expected):
    assert parse_date(text, reference) == expected


def test_find_dates_spans():
    text = "湖南省于2020年4月27日印发《计划》，7月初正式上线，2021-03-05 再次发布，到2022年建成。"
    found = find_dates(text, JUNE_2020)
    assert [(text[s:e], iso) for s, e, iso in found] == [
        ("2020年4月27日", "2020-04-27"),
        ("7月初", "2020-07"),
        ("2021-03-05", "2021-03-05"),
        ("2022年", "2022"),
    ]


def test_find_dates_keeps_offsets_with_fullwidth_digits():
    text = "于２０２０年４月２７日发布"
    ((start, end, iso),) = find_dates(text)
    assert (text[start:end], iso) == ("２０２０年４月２７日", "2020-04-27")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-04-27 10:30:00", "2021-04-27T10:30:00"),
        ("2021-04-27 10:30", "2021-04-27T10:30:00"),
        ("2021-04-27T10:30:00+08:00", "2021-04-27T10:30:00"),
        ("2021/4/27 9:05:07", "2021-04-27T09:05:07"),
        ("2021年04月27日 10:30", "2021-04-27T10:30:00"),
        ("发布时间：2021-04-27 10:30:00 来源：新华网", "2021-04-27T10:30:00"),
        ("2021-04-27", "2021-04-27"),
        ("2021年4月27日", "2021-04-27"),
        ("2021-04-27 25:61", "2021-04-27"),
        ("2021-02-30 10:00", None),
        ("无日期", None),
        ("", None),
    ],
)
def test_parse_datetime(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020年上半年，全国已有11个省市出台区块链政策。到2022年，湖南将……", 2020),
        ("截至2019年底，……2019年全年……2020年", 2019),
        ("《行动计划(2020-2022年)》提出，到2025年建成10个平台。", 2020),
        ("各地均将2021年-2023年视为关键期，到2023年建成……", 2021),
        ("到2025年，数字经济规模将……", None),
        ("进入2019年以来，多地发力。上海：2021年初建成示范平台；力争2022年实现……", 2019),
        ("2018年底，中央提出新基建。到2020年4月，发改委明确范围。", 2020),
        ("2021年政府工作报告提出……2020年完成……2021年将……", 2021),
        ("没有年份的文字", None),
        ("", None),
    ],
)
def test_infer_reference_year(text, expected):
    assert infer_reference_year(text) == expected


@given(st.text(max_size=80), st.one_of(st.none(), st.dates()))
def test_parse_date_never_raises(text, reference):
    result = parse_date(text, reference)
    assert result is None or len(result) in (4, 7, 10)


@given(st.text(alphabet="0123456789年月日号初底-/.:： 今去明十二〇一三四五", max_size=30), st.dates())
def test_date_like_strings_never_raise(text, reference):
    for start, end, iso in find_dates(text, reference):
        assert 0 <= start < end <= len(text)
        datetime.date.fromisoformat((iso + "-01-01")[:10]) if len(iso) == 4 else None
    parse_datetime(text)
    infer_reference_year(text)


@given(st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2099, 12, 31)))
def test_round_trip_chinese_written_dates(day):
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == day.isoformat()
    assert parse_date(day.isoformat()) == day.isoformat()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("二零二零年四月二十七日", "2020-04-27"),
        ("二〇一九年十月三十一日", "2019-10-31"),
        ("二○二一年一月一日", "2021-01-01"),
        ("二〇二二年二月", "2022-02"),
    ],
)
def test_chinese_numeral_dates(text, expected):
    assert parse_date(text) == expected
