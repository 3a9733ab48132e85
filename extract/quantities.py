"""Every quantity a text states, as a candidate target: one tokenizer for Arabic and Chinese numerals.

A candidate is a number (10, 4.5, 315,000, 两千, 一点四), an optional magnitude (万, 亿, 万亿, 兆), a unit of any
trade (个, 千瓦时, 元/人, 人/百亿元, 微克/立方米, Mbps…) and an optional suffix qualifier (以上, 左右, 或以上…), or a
range of two (3至5个, 4.5%-5%, 2－3家). Percent words are read too: 百分之四点五至百分之五, 4成, 一半/半数,
三分之一, and rankings (全国前十). Whether a candidate is a goal is decided elsewhere (`extract.targets`).

Number tokens are bounded (16 digits, 20 numeral characters, values below 10**18): a value nobody writes is not
a target, and a million-digit run must not cost a million-digit conversion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from extract.numbers import parse_chinese_number

MAX_VALUE = 10**18

# Units as printed → the unit recorded. Longest first in the pattern.
_UNIT_ALIASES = {
    "兆比特/秒": "Mbps", "吉比特/秒": "Gbps", "太比特/秒": "Tbps", "％": "%", "EFLOPS": "Eflops", "EFlops": "Eflops",
    "PFLOPS": "Pflops", "PFlops": "Pflops", "单位": "个",
}
_BASE_UNITS = (
    "个百分点", "个", "家", "户", "项", "座", "所", "条", "套", "台", "辆", "件", "名", "人次", "人", "位", "张", "部",
    "例", "岁", "款", "种", "处", "场", "栋", "间", "亩", "公顷", "平方公里", "平方米", "立方米", "公里", "千米",
    "米", "吨标准煤", "吨", "千瓦时", "千瓦", "兆瓦", "吉瓦", "元", "美元", "港元", "欧元", "%", "％", "‰", "倍",
    "艘", "架", "颗", "块", "支", "篇", "床", "只", "头", "斤", "公斤", "千克", "标准箱", "标准机架", "机架", "PB",
    "EB", "TB", "Gbps", "Mbps", "Tbps", "Eflops", "EFLOPS", "EFlops", "Pflops", "PFLOPS", "PFlops", "兆比特/秒",
    "吉比特/秒", "太比特/秒", "微克/立方米", "单位",
)
# A rate unit keeps its denominator (元/人, 人/百亿元, 万元/亩).
_DENOMINATORS = ("人", "百亿元", "亿元", "万元", "元", "亩", "年", "户", "平方米", "立方米", "吨", "千瓦时", "公里")
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_BASE_UNITS, key=len, reverse=True))
_DENOM_RE = "|".join(re.escape(u) for u in sorted(_DENOMINATORS, key=len, reverse=True))

_CN = "零〇一二两三四五六七八九十百千"
_AR_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,6})?|\d{1,16}(?:\.\d{1,6})?"
_CN_NUM = rf"[一二两三四五六七八九十][{_CN}]{{0,19}}(?:点[零〇一二三四五六七八九]{{1,6}})?"
_NUM = rf"(?:{_AR_NUM}|{_CN_NUM})"
_MAG = r"(?:万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|兆)"
_SEP = r"(?:至|到|—|－|-|~|～|–)"
_SUFFIX = r"(?:或以上|以上|以下|以内|左右|上下|多|余)"

# Each pattern opens with the character class a number starts with (the lookbehind that guards it comes after
# that character), so the regex engine skips to digits and numerals instead of trying the pattern everywhere.
_NUM_START = "\\d一二两三四五六七八九十"
_LEAD = rf"[{_NUM_START}](?<![\d.,A-Za-z{_CN}第].)"  # a number's first character, not inside another number
_AR_REST = r"(?<=\d)(?:\d{0,2}(?:,\d{3})+(?:\.\d{1,6})?|\d{0,15}(?:\.\d{1,6})?)"
_CN_REST = rf"(?<![\d])[{_CN}]{{0,19}}(?:点[零〇一二三四五六七八九]{{1,6}})?"
# What can follow a number (a magnitude, a unit, a range's separator, a space): a one-character check that spares
# the engine the hundred unit alternatives after the many numerals that count nothing (一个, 进一步, 统一).
_AFTER_NUMBER = "".join(sorted({u[0] for u in _BASE_UNITS} | set("万亿千百十兆至到—－-~～–")))
_QTY_RE = re.compile(
    rf"(?P<num>{_LEAD}(?:{_AR_REST}|{_CN_REST}))(?![\d,])(?=[{re.escape(_AFTER_NUMBER)}\s])(?P<mag>{_MAG})?"
    rf"(?:(?P<unit1>{_UNIT_RE})?\s*{_SEP}\s*(?P<num2>{_NUM})(?P<mag2>{_MAG})?)?"
    rf"(?P<unit>{_UNIT_RE})(?:/(?P<denom>{_DENOM_RE}))?(?:[（(](?:Mbps|Gbps|Tbps)[)）])?(?![A-Za-z])"
    rf"(?P<suffix>{_SUFFIX})?"
)
_PERCENT_WORD_RES = (
    re.compile(rf"百分之(?P<num>{_NUM})(?:{_SEP}(?:百分之)?(?P<num2>{_NUM}))?(?P<suffix>{_SUFFIX})?"),
    # 4成: found from 成 (rarer than numerals), the digit read behind it; the quantity starts at the digit.
    re.compile(rf"成(?<=(?<![{_CN}\d])(?P<tenths>[一二两三四五六七八九\d])成)(?P<tsuffix>{_SUFFIX})?"),
    re.compile(rf"(?P<half>一半|半数)(?P<hsuffix>{_SUFFIX})?"),
    re.compile(rf"(?P<den>[二三四五六七八九十])分之(?P<nom>[一二三四五六七八九])(?P<fsuffix>{_SUFFIX})?"),
    re.compile(rf"全国前(?P<rank>[一二三四五六七八九十]{{1,3}}|\d{{1,3}})(?![\d{_CN}]|名以)"),
)
_MAGNITUDES = {"": 1, "万": 10**4, "十万": 10**5, "百万": 10**6, "千万": 10**7, "亿": 10**8, "十亿": 10**9,
               "百亿": 10**10, "千亿": 10**11, "万亿": 10**12, "兆": 10**12}


@dataclass
class Quantity:
    """One stated quantity: where it is, its value (magnitudes expanded), range end, unit and suffix."""

    start: int
    end: int
    value: int | float
    value_max: int | float | None
    unit: str
    suffix: str | None  # 以上, 左右… as printed, None when there is none
    number: str  # the first number as printed (两千, 3, 一半)
    kind: str = "number"  # number | percent_word | rank


def _integral(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def to_value(number: str, magnitude: str = "") -> int | float | None:
    """"2400" + "亿" → 240000000000, "1.5" + "万亿" → 1.5e12, "两千" → 2000; None when not a number or too large."""
    number = number.replace(",", "")
    if len(number) <= 18 and number.isascii() and number.isdigit():  # the common case, without Decimal
        value = int(number) * _MAGNITUDES.get(magnitude, 1)
        return value if value < MAX_VALUE else None
    try:
        base = Decimal(number)
    except InvalidOperation:
        parsed = parse_chinese_number(number)
        if parsed is None:
            return None
        base = Decimal(str(parsed))
    value = base * _MAGNITUDES.get(magnitude, 1)
    if abs(value) >= MAX_VALUE:
        return None
    return _integral(value)


def _unit_of(m: re.Match[str]) -> str:
    unit = _UNIT_ALIASES.get(m.group("unit"), m.group("unit"))
    denom = m.group("denom")
    return f"{unit}/{denom}" if denom else unit


def _numbers(text: str) -> list[Quantity]:
    out = []
    for m in _QTY_RE.finditer(text):
        num, mag = m.group("num"), m.group("mag") or ""
        unit = m.group("unit")
        if unit == "部" and text.startswith("门", m.end("unit")):
            continue  # 4部门: a count of bodies, not 部 of something
        if not num[0].isdigit() and unit in ("%", "％") and not mag:
            continue
        value = to_value(num, mag)
        if value is None:
            continue
        value_max = None
        if m.group("num2"):
            mag2 = m.group("mag2") or mag
            value_max = to_value(m.group("num2"), mag2)
            if m.group("mag2") and not mag:
                value = to_value(num, mag2)
            if value is None or value_max is None or value_max <= value:
                continue
            if m.group("unit1") and m.group("unit1") != unit:
                continue
        out.append(Quantity(m.start(), m.end(), value, value_max, _unit_of(m), m.group("suffix"), num))
    return out


def _percent_words(text: str) -> list[Quantity]:
    out = []
    for regex in _PERCENT_WORD_RES:
        for m in regex.finditer(text):
            q = _percent_word(m)
            if q is not None:
                out.append(q)
    return out


def _percent_word(m: re.Match[str]) -> Quantity | None:
    """百分之四点五 / 4成 / 一半 / 三分之一 / 全国前十, as a quantity; None when its numbers do not parse."""
    found = m.groupdict()
    if found.get("num"):
        value = to_value(m.group("num"))
        value_max = to_value(m.group("num2")) if m.group("num2") else None
        if value is None or (m.group("num2") and (value_max is None or value_max <= value)):
            return None
        return Quantity(m.start(), m.end(), value, value_max, "%", m.group("suffix"), m.group("num"), "percent_word")
    if found.get("tenths"):
        tenths = to_value(m.group("tenths"))
        return Quantity(m.start("tenths"), m.end(), tenths * 10, None, "%", m.group("tsuffix"), m.group("tenths"),
                        "percent_word") if tenths else None
    if found.get("half"):
        return Quantity(m.start(), m.end(), 50, None, "%", m.group("hsuffix"), m.group("half"), "percent_word")
    if found.get("den"):
        den, nom = parse_chinese_number(m.group("den")), parse_chinese_number(m.group("nom"))
        if den and nom and nom < den:
            return Quantity(m.start(), m.end(), round(100 * nom / den, 2), None, "%", m.group("fsuffix"),
                            m.group(0), "percent_word")
        return None
    rank = to_value(m.group("rank"))
    return Quantity(m.start(), m.end(), rank, None, "位", None, m.group("rank"), "rank") if rank else None


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in `text`, in order, without overlaps (the first-starting, longest one wins)."""
    found = sorted(_numbers(text) + _percent_words(text), key=lambda q: (q.start, -q.end))
    out: list[Quantity] = []
    for q in found:
        if out and q.start < out[-1].end:
            continue
        out.append(q)
    return out
