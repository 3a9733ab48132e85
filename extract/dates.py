"""Dates as Chinese policy texts write them, to ISO strings of the precision the text gives.

"4月27日" has no year: the caller passes a reference date (the article's publish date) and the year is taken
from it, never from the clock. Results are "YYYY-MM-DD", "YYYY-MM" or "YYYY".
"""

from __future__ import annotations

import datetime
import logging
import re
from collections import Counter

logger = logging.getLogger(__name__)

# Full-width digits and punctuation to ASCII, one character for one so that offsets stay valid.
_WIDTH = str.maketrans("０１２３４５６７８９－／．：　", "0123456789-/.: ")
_WIDE_RE = re.compile("[０１２３４５６７８９－／．：　]")


def _narrow(text: str) -> str:
    """Full-width digits and marks as ASCII; most texts have none, and are returned as they are (translating a
    whole text costs a dictionary lookup per character)."""
    return text.translate(_WIDTH) if _WIDE_RE.search(text) else text
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {
    "○": 0,
    "零": 0,
    "Ｏ": 0,
    "O": 0,
    "两": 2,
}
_CN_YEAR = "[〇○零Ｏ一二三四五六七八九]{4}"
_CN_MONTH = "(?:十[一二]?|[一二三四五六七八九])"
_CN_DAY = "(?:三十一?|二?十[一二三四五六七八九]?|[一二三四五六七八九])"
_RELATIVE_YEARS = {"今年": 0, "本年": 0, "当年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1}
_MONTH_PARTS = "初|上旬|中旬|下旬|中|底|末|份"

_NUM_YEAR = r"(?<!\d)(?P<y>(?:19|20)\d\d)"
_PATTERNS: list[re.Pattern[str]] = [
    # 2021年4月27日, 2021-04-27, 2021/4/27, 2021.04.27 (one separator kind throughout)
    re.compile(_NUM_YEAR + r"\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"),
    re.compile(_NUM_YEAR + r"(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)"),
    # 二〇二〇年四月二十七日
    re.compile(f"(?P<cy>{_CN_YEAR})年(?P<cm>{_CN_MONTH})月(?:(?P<cd>{_CN_DAY})[日号])?"),
    # 2020年4月, 2020年4月初, 2020-04
    re.compile(_NUM_YEAR + rf"\s*年\s*(?P<m>\d{{1,2}})\s*月(?:{_MONTH_PARTS})?"),
    re.compile(_NUM_YEAR + r"[-/.](?P<m>\d{1,2})(?![\d.\-/])"),
    # 4月27日, 今年4月27日, 去年7月初, 7月份
    re.compile(
        r"(?P<rel>今年|本年|当年|去年|上年|前年|明年)?(?<![\d.])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"
    ),
    re.compile(
        rf"(?P<rel>今年|本年|当年|去年|上年|前年|明年)?(?<![\d.个])(?P<m>\d{{1,2}})\s*月(?:{_MONTH_PARTS})?(?!\d)"
    ),
    # 2020年 on its own
    re.compile(_NUM_YEAR + r"\s*年(?!\s*\d{1,2}\s*月)(?![-—至到~])"),
]


def _cn_int(s: str) -> int:
    """二十七 → 27, 十二 → 12, 四 → 4 (small numerals of dates only)."""
    if "十" in s:
        tens, _, units = s.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    return _CN_DIGITS[s]


def _infer_year(month: int, day: int | None, reference: datetime.date) -> int:
    """The reference year, or the year before when that would put the date more than half a year ahead."""
    year = reference.year
    if (month - reference.month) > 6 or (month - reference.month == 6 and (day or 1) > reference.day):
        year -= 1
    return year


def _iso(year: int, month: int | None, day: int | None) -> str | None:
    try:
        if day is not None and month is not None:
            return datetime.date(year, month, day).isoformat()
        if month is not None:
            return f"{datetime.date(year, month, 1):%Y-%m}"
        return f"{year:04d}" if 1900 <= year <= 2100 else None
    except ValueError:
        return None


def _match_to_iso(m: re.Match[str], reference: datetime.date | None) -> str | None:
    groups = m.groupdict()
    if groups.get("cy"):
        year = int("".join(str(_CN_DIGITS[c]) for c in groups["cy"]))
        day = _cn_int(groups["cd"]) if groups.get("cd") else None
        return _iso(year, _cn_int(groups["cm"]), day)
    month = int(groups["m"]) if groups.get("m") else None
    day = int(groups["d"]) if groups.get("d") else None
    if groups.get("y"):
        return _iso(int(groups["y"]), month, day)
    if reference is None or month is None or not 1 <= month <= 12:
        return None
    if groups.get("rel"):
        year = reference.year + _RELATIVE_YEARS[groups["rel"]]
    else:
        year = _infer_year(month, day, reference)
    return _iso(year, month, day)


def find_dates(text: str, reference: datetime.date | None = None) -> list[tuple[int, int, str]]:
    """(start, end, iso) of every date expression, in text order; month-days need `reference` for a year."""
    ascii_text = _narrow(text)
    found: list[tuple[int, int, str]] = []
    taken = bytearray(len(ascii_text))  # 1 where an earlier pattern matched: a check costs the match's length
    for pattern in _PATTERNS:
        for m in pattern.finditer(ascii_text):
            start, end = m.span()
            if taken.find(1, start, end) != -1:
                continue
            # Claimed even when invalid: 2021年2月30日 is not 2021-02 read by a shorter pattern.
            taken[start:end] = b"\x01" * (end - start)
            iso = _match_to_iso(m, reference)
            if iso is None:
                continue
            while end > start and ascii_text[end - 1].isspace():
                end -= 1
            found.append((start, end, iso))
    return sorted(found)


def parse_date(s: str, reference: datetime.date | None = None) -> str | None:
    """The first date in `s` as "YYYY-MM-DD" / "YYYY-MM" / "YYYY"; None when none parses or has no year."""
    if not isinstance(s, str) or not s.strip():
        return None
    dates = find_dates(s.strip(), reference)
    return dates[0][2] if dates else None


_DATETIME = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:\s*[T ]?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)


def parse_datetime(s: str) -> str | None:
    """Page metadata time: "2021-04-27 10:30:00" → "2021-04-27T10:30:00"; a date alone → "2021-04-27"."""
    if not isinstance(s, str):
        return None
    m = _DATETIME.search(s.translate(_WIDTH))
    if not m:
        return parse_date(s)
    date = _iso(int(m["y"]), int(m["m"]), int(m["d"]))
    if date is None or m["H"] is None:
        return date
    try:
        time = datetime.time(int(m["H"]), int(m["M"]), int(m["S"] or 0))
    except ValueError:
        logger.debug("bad time of day in %r", s)
        return date
    return f"{date}T{time:%H:%M:%S}"


# Both open with the year itself (the lookbehind that guards it follows), so the engine skips ahead to "20".
_YEAR_MENTION = re.compile(
    r"(?P<y>20\d\d)(?<![\d~—\-]\d{4})\s*(?:年(?P<month>\s*\d{1,2}\s*月)?|[-/.]\d{1,2}[-/.]\d{1,2})"
    r"(?![-—~至到]\s*20\d\d)"
)
_PERIOD_START = re.compile(r"(?P<y>20\d\d)(?<!\d\d{4})\s*年?\s*[-—~至到]\s*20\d\d\s*年")


_TARGET_BEFORE = re.compile(r"(?:到|(?<!截)至|力争|争取|预计|将于|将在|计划)\s*$")
_TARGET_AFTER = re.compile(r"\s*[初中底末前]?(?:建成|实现|达到|形成|培育|基本|初步|全面|将|要|前)")


def _is_deadline(text: str, m: re.Match[str]) -> bool:
    """到2022年 / 2022年初建成 state a goal, not the present; 到2020年4月 ("by April 2020") and 截至 do not."""
    if m["month"] is not None:
        return False
    return bool(
        _TARGET_BEFORE.search(text[max(0, m.start() - 4) : m.start()]) or _TARGET_AFTER.match(text, m.end())
    )


def _most_named(years: list[int]) -> int | None:
    if not years:
        return None
    counts = Counter(years)
    return max(counts, key=lambda y: (counts[y], y))  # ties: the latest, news looks back from its present


def infer_reference_year(text: str, head_chars: int = 600) -> int | None:
    """The year an undated article is about: the most frequent explicit year near its start.

    Deadline years (到2022年) say where a plan ends, not when the article was written, and are not counted;
    the whole text is used when its head names no year, and the first year of a plan period (2020-2022年)
    only when nothing else is dated: plans are announced in or just before their first year.
    """
    ascii_text = _narrow(text)
    for scope in (ascii_text[:head_chars], ascii_text):
        year = _most_named([int(m["y"]) for m in _YEAR_MENTION.finditer(scope) if not _is_deadline(scope, m)])
        if year is not None:
            return year
    return _most_named([int(m["y"]) for m in _PERIOD_START.finditer(ascii_text)])
