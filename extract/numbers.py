"""Numbers as Chinese texts write them: 3万, 2400亿, 1.5万亿, 两千, 一百零五, 1,200, ５.

Only ever applied to a matched span (a number and its magnitude), never to running text: a whole-text
numeral converter turns 四地 into 4地. Arithmetic is decimal so that 2.8万 is exactly 28000.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation

logger = logging.getLogger(__name__)

_DIGITS = (
    {c: i for i, c in enumerate("零一二三四五六七八九")}
    | {c: i + 1 for i, c in enumerate("壹贰叁肆伍陆柒捌玖")}  # 大写 numerals of financial documents
    | {"〇": 0, "○": 0, "两": 2}
)
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_MAX_SPAN = 40  # a number span is short; longer input is running text, not a number
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")

# A number with its magnitude, for other modules to embed (no capturing groups).
_CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿"
NUMBER_PATTERN: str = (
    r"(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[十百千]?(?:万亿|亿|万)|[百千])?"
    rf"|[一二两三四五六七八九十][{_CN_NUMERAL}]*(?:点[零〇一二三四五六七八九]+)?(?:万亿|亿|万)?)"
)


def _small_section(s: str) -> Decimal | None:
    """A part below 万: 一百零五, 两千, 十二, 2千, 3.5 — or a bare digit string such as 二〇二〇."""
    if not s:
        return Decimal(0)
    if _ARABIC.fullmatch(s):
        return Decimal(s)
    if all(c in _DIGITS for c in s):
        return Decimal("".join(str(_DIGITS[c]) for c in s)) if len(s) > 1 else Decimal(_DIGITS[s])
    section = Decimal(0)
    pending: Decimal | None = None
    for token in re.findall(r"\d+(?:\.\d+)?|.", s):
        if token in _DIGITS:
            pending = Decimal(_DIGITS[token]) if token not in "零〇○" else pending
        elif token in _SMALL_UNITS:
            section += (pending if pending is not None else Decimal(1)) * _SMALL_UNITS[token]
            pending = None
        elif _ARABIC.fullmatch(token):
            pending = Decimal(token)
        else:
            return None
    return section + (pending or 0)


def _decimal(s: str) -> Decimal | None:
    if "点" in s:  # 三点五 → 3.5
        whole, _, frac = s.partition("点")
        whole_value = _decimal(whole) if whole else Decimal(0)
        if whole_value is None or not frac or any(c not in _DIGITS for c in frac):
            return None
        return whole_value + Decimal("0." + "".join(str(_DIGITS[c]) for c in frac))
    if "亿" in s:
        high, _, low = s.rpartition("亿")
        high_value = _decimal(high) if high else Decimal(1)
        low_value = _decimal(low)
        return None if high_value is None or low_value is None else high_value * 10**8 + low_value
    if "万" in s:
        high, _, low = s.rpartition("万")
        high_value = _decimal(high) if high else Decimal(1)
        low_value = _small_section(low)
        return None if high_value is None or low_value is None else high_value * 10**4 + low_value
    return _small_section(s)


def parse_chinese_number(s: str) -> int | float | None:
    """The value of one number span: "3万" → 30000, "1.5万亿" → 1500000000000, "一百零五" → 105.

    None (never an exception) for anything that is not a number on its own.
    """
    if not isinstance(s, str):
        return None
    text = s.translate(_WIDTH).strip().replace(" ", "")
    if len(text) > _MAX_SPAN:
        logger.debug("too long for a number span: %d chars", len(text))
        return None
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if not text or not re.search(rf"[\d{''.join(_DIGITS)}十拾]", text):
        return None
    if not re.fullmatch(rf"[\d.点{''.join(_DIGITS)}{''.join(_SMALL_UNITS)}万亿]+", text):
        return None
    try:
        value = _decimal(text)
    except (ArithmeticError, InvalidOperation, ValueError, KeyError):
        logger.debug("not a number: %r", s)
        return None
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


_CN_DIGIT_CHARS = "零一二三四五六七八九"


def _format_below_10000(n: int) -> str:
    out = ""
    zero_pending = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit_value % 10
        if digit == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out += "零"
            zero_pending = False
        out += _CN_DIGIT_CHARS[digit] + unit
    return out


def format_chinese_number(n: int) -> str:
    """0 ≤ n < 10**8 written in Chinese numerals (一百零五, 十二, 三万零五百), the inverse of the parser."""
    if not 0 <= n < 10**8:
        raise ValueError(f"out of range: {n}")
    if n == 0:
        return "零"
    high, low = divmod(n, 10**4)
    out = _format_below_10000(high) + "万" if high else ""
    if low:
        out += ("零" if high and low < 1000 else "") + _format_below_10000(low)
    return out[1:] if out.startswith("一十") else out
