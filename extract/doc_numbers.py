"""发文字号 parsed into their series: issuer code, year and serial (国发〔2021〕29号 → 国发, 2021, 29).

Official documents are numbered in series per issuer and year; the numbers a crawl has seen, and the holes
between them, say how much of an issuer's output it holds. Sites write the brackets every way (〔〕 [] () （）
［］ 【】 ﹝﹞), sometimes with 第 before the serial; decrees (国务院令第708号) run on without a year and
announcements put the year in words (国家税务总局公告2021年第5号). Everything here is one regex pass: linear
in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN_BRACKETS = "〔[［(（【﹝〖"
CLOSE_BRACKETS = "〕]］)）】﹞〗"
_HAN = r"\u4e00-\u9fff"
# The code is the run of Han characters right before the year; words of the sentence around it that end up
# in that run (根据国发…, 印发的国办发…) are cut off at the last of these.
_LEADING_WORDS_RE = re.compile(
    r"^.*(?:根据|按照|依据|依照|参照|贯彻|落实|结合|对照|执行|印发|转发|下发|发布|以|的|和|与|及|或|即|见|号|文件|精神|"
    r"规定|要求|通知|意见|办法|方案|决定|等)"
)
_BRACKETED_RE = re.compile(
    rf"([{_HAN}]{{1,16}})\s*[{re.escape(OPEN_BRACKETS)}]\s*((?:19|20)\d{{2}})\s*[{re.escape(CLOSE_BRACKETS)}]"
    r"\s*第?\s*(\d{1,5})\s*号"
)
_YEAR_WORD_RE = re.compile(
    rf"([{_HAN}]{{1,16}}(?:公告|通告|令))\s*((?:19|20)\d{{2}})\s*年\s*第\s*(\d{{1,5}})\s*号"
)
_DECREE_RE = re.compile(rf"([{_HAN}]{{1,16}}令)\s*第\s*(\d{{1,5}})\s*号")
_PATTERN = re.compile("|".join(f"(?:{p.pattern})" for p in (_BRACKETED_RE, _YEAR_WORD_RE, _DECREE_RE)))
MAX_SERIAL = 9999
_STATE = "中华人民共和国"


@dataclass(frozen=True)
class DocNumber:
    """One 发文字号: `canonical` is the official bracket form (国发〔2021〕29号; 国务院令第708号 without a year)."""

    issuer_code: str
    year: int | None
    serial: int
    start: int
    end: int

    @property
    def canonical(self) -> str:
        if self.year is None:
            return f"{self.issuer_code}第{self.serial}号"
        if self.issuer_code.endswith(("公告", "通告", "令")):
            return f"{self.issuer_code}{self.year}年第{self.serial}号"
        return f"{self.issuer_code}〔{self.year}〕{self.serial}号"


def _issuer_code(run: str) -> str:
    """The code at the end of a run of Han characters, with the words of the sentence before it cut off."""
    if _STATE in run:  # 中华人民共和国国务院令: the 和 of the state's name is not a cut
        run = run[run.rindex(_STATE) + len(_STATE) :]
    return _LEADING_WORDS_RE.sub("", run)


def _from_match(m: re.Match[str]) -> DocNumber | None:
    groups = m.groups()
    if groups[0] is not None:
        run, year, serial, start = groups[0], int(groups[1]), int(groups[2]), m.start(1)
    elif groups[3] is not None:
        run, year, serial, start = groups[3], int(groups[4]), int(groups[5]), m.start(4)
    else:
        run, year, serial, start = groups[6], None, int(groups[7]), m.start(7)
    code = _issuer_code(run)
    if len(code) < 2 or not 0 < serial <= MAX_SERIAL:  # a lone character left after the cut is a word
        return None
    return DocNumber(code, year, serial, start + len(run) - len(code), m.end())


def find_doc_numbers(text: str) -> list[DocNumber]:
    """Every 发文字号 in `text`, in order, with its span."""
    found = []
    for m in _PATTERN.finditer(text):
        number = _from_match(m)
        if number is not None:
            found.append(number)
    return found


def parse_doc_number(value: str | None) -> DocNumber | None:
    """The 发文字号 a notice's 发文字号 field holds (the first one when it names several), or None."""
    if not value:
        return None
    numbers = find_doc_numbers(value)
    return numbers[0] if numbers else None
