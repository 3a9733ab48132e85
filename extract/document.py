"""The text as a document, built once: its kind, its own year and region, its sections and what each anchors.

Real policy texts anchor their goals by structure, not only by "到2025年": a heading ("2026年工作安排",
"一、主要目标", "二、“十五五”时期主要目标任务"), the first sentence of a section ("到2020年，…"), a plan period named
for the whole text ("在“十四五”期间组织实施"), "今年" meaning the year of a report. Every extractor reads that
context from here instead of re-scanning the text. Everything is computed in one pass over the lines.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from extract.records import RegionMention

# Named five-year periods → their last year.
FIVE_YEAR_PLANS = {"十一五": 2010, "十二五": 2015, "十三五": 2020, "十四五": 2025, "十五五": 2030, "十六五": 2035}
_PLAN_ORDINALS = {"十一": "十一五", "十二": "十二五", "十三": "十三五", "十四": "十四五", "十五": "十五五", "十六": "十六五"}
_NAMED_PLAN_RE = re.compile(r"(十[一二三四五六])五|第(十[一二三四五六])个五年")

_ENUM_RE = re.compile(
    r"^(?:第[一二三四五六七八九十]+[章节部分篇]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]"
    r"|\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[)）])"
)
_SENTENCE_PUNCT = "。！？!?；;"
_SENTENCE_PUNCT_RE = re.compile("[" + _SENTENCE_PUNCT + "]")
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:年|—|-|－)")
_GOAL_HEADING_RE = re.compile(r"目标|预期|工作安排|重点工作|工作任务|主要任务|重点任务|实事|举措|措施|计划|部署|行动|关于\d{4}年工作")
_PAST_HEADING_RE = re.compile(r"回顾|现状|成就|成效|基础|基本情况|发展情况|过去|形势|总结")
_SECTION_OPENING_DEADLINE_RE = re.compile(r"^(?:力争|争取)?(?:到|至)((?:19|20)\d{2})年(?:底|末)?(?:前)?[，,]")
_WHOLE_TEXT_PERIOD_RE = re.compile(r"(十[一二三四五六]五)”?(?:期间|时期)")  # the period named; 在“…”期间 around it
_REPORT_RE = re.compile(r"政府工作报告|施政报告")
_DATE_LINE_RE = re.compile(
    r"^(?:[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} ((?:19|20)\d{2})|((?:19|20)\d{2})[-./年]\d{1,2}[-./月]\d{1,2})")
_DELIVERY_RE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日在")


def named_plan_end(text: str) -> int | None:
    """“十四五” / 第十五个五年规划 in a title or phrase → the plan's last year (2025 / 2030)."""
    m = _NAMED_PLAN_RE.search(text)
    if not m:
        return None
    key = (m.group(1) + "五") if m.group(1) else _PLAN_ORDINALS.get(m.group(2) or "")
    return FIVE_YEAR_PLANS.get(key or "")


@dataclass
class Line:
    start: int
    end: int
    heading: bool
    level: int  # heading depth (1 = 第X章 … 5 = an unnumbered short line); 9 for body lines


@dataclass
class Anchor:
    """What a heading sets for the text under it."""

    year: int | None = None  # deadline of the section's goals
    role: str | None = None  # "goal" | "past" | None
    level: int = 9


@dataclass
class Document:
    text: str
    kind: str  # "report" | "document" | "news"
    year: int | None  # the year "今年" means
    region: str | None = None  # the region of the text's own issuer (set by the caller once policies are known)
    period_end: int | None = None  # a period the whole text sets ("在“十四五”期间" → 2025)
    lines: list[Line] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)  # per line: the anchor in force on it
    _line_starts: list[int] = field(default_factory=list)

    def line_index(self, pos: int) -> int:
        return max(0, bisect_right(self._line_starts, pos) - 1)

    def line_at(self, pos: int) -> Line:
        return self.lines[self.line_index(pos)]

    def anchor_at(self, pos: int) -> Anchor:
        return self.anchors[self.line_index(pos)] if self.anchors else Anchor()

    def in_heading(self, pos: int) -> bool:
        return bool(self.lines) and self.line_at(pos).heading

    def paragraph_start(self, pos: int) -> int:
        return self.line_at(pos).start if self.lines else 0


def _is_heading(line: str) -> tuple[bool, int]:
    stripped = line.strip()
    if not stripped or len(stripped) > 40:  # a heading is short: long lines (most of a body) end here
        return False, 9
    enum = _ENUM_RE.match(stripped)
    sentence = _SENTENCE_PUNCT_RE.search(stripped) is not None
    if enum:
        head = enum.group(0)
        level = 1 if head.startswith("第") else 2 if head.endswith("、") and not head[0].isdigit() else \
            3 if head[0] in "（(" and not head[1].isdigit() else 4
        one_sentence = not sentence or (stripped.endswith("。") and stripped.count("。") == 1
                                        and "，" not in stripped and "," not in stripped
                                        and "；" not in stripped and ";" not in stripped)
        return one_sentence, (level if one_sentence else 9)
    if not sentence and "，" not in stripped and "," not in stripped:
        return True, 5
    return False, 9


def _reference_year_of_text(text: str, fallback: int | None) -> int | None:
    """A report's year from its delivery line; a news text's from its date line; else the inferred one."""
    head = text[:600]
    m = _DELIVERY_RE.search(head)
    if m:
        return int(m.group(1))
    for line in head.split("\n")[:6]:
        d = _DATE_LINE_RE.match(line.strip())
        if d:
            return int(d.group(1) or d.group(2))
    return fallback


_DOC_FIELD_RE = re.compile(r"索\s*引\s*号|发文字号|文\s*号[:：]|发文机关|成文日期")
_ADDRESSEE_RE = re.compile(r"^各[^。\n]{1,120}[:：]\s*$", re.M)
_DOC_TITLE_END_RE = re.compile(r"(?:通知|意见|方案|规划|办法|计划|决定|规定|条例|细则|纲要|措施)(?:\([^()]{0,20}\))?$")


_REPORT_TITLE_RE = re.compile(
    r"^(?:(?:19|20)\d{2}年)?(?:[\u4e00-\u9fff]{2,10}?(?:省|市|自治区|县|区|州|盟|旗|特别行政区)(?:人民)?政府)?"
    r"(?:政府)?工作报告$|^(?:(?:19|20)\d{2}年)?施政报告$")


def text_kind(text: str) -> str:
    """report (a 政府工作报告), document (a notice, plan or opinion as issued) or news (a story about them)."""
    lines = [ln.strip() for ln in text[:3000].split("\n") if ln.strip()]
    first = lines[0] if lines else ""
    if _REPORT_TITLE_RE.match(first) or _DELIVERY_RE.search("\n".join(lines[:4])):
        return "report"
    if _DOC_FIELD_RE.search(text[:800]) or _ADDRESSEE_RE.search("\n".join(lines[:14])):
        return "document"
    if _DOC_TITLE_END_RE.search(first) and not (len(lines) > 1 and _DATE_LINE_RE.match(lines[1])):
        return "document"
    return "news"


def build_document(text: str, reference_year: int | None) -> Document:
    """Lines, headings and the anchor each heading sets, in one pass."""
    kind = text_kind(text)
    year = _reference_year_of_text(text, reference_year)
    doc = Document(text=text, kind=kind, year=year)
    period = _WHOLE_TEXT_PERIOD_RE.search(text[:3000])
    if period and kind != "news":
        doc.period_end = FIVE_YEAR_PLANS.get(period.group(1))
    stack: list[Anchor] = []
    pos = 0
    pending_opening = False  # the first body line after a heading may set the section's deadline
    snapshot = Anchor()  # the anchor in force, copied when it changes: lines under one heading share it
    lines, anchors, starts = doc.lines, doc.anchors, doc._line_starts
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        heading, level = _is_heading(raw)
        changed = False
        if heading:
            while stack and stack[-1].level >= level:
                stack.pop()
            parent = stack[-1] if stack else Anchor()
            anchor = Anchor(parent.year, parent.role, level)
            years = [int(y) for y in _YEAR_RE.findall(raw)]
            plan = named_plan_end(raw)
            if _PAST_HEADING_RE.search(raw):
                anchor.role = "past"
            elif _GOAL_HEADING_RE.search(raw):
                anchor.role = "goal"
            if kind == "news" or (level == 5 and not _GOAL_HEADING_RE.search(raw)):
                plan, years = None, []
            if plan and anchor.role != "past":
                anchor.year = plan
            elif years and anchor.role != "past":
                anchor.year = max(years)
            stack.append(anchor)
            pending_opening = changed = True
        elif pending_opening and raw.strip():
            m = _SECTION_OPENING_DEADLINE_RE.match(raw.strip())
            if m and stack:
                stack[-1].year = int(m.group(1))
                stack[-1].role = stack[-1].role or "goal"
                changed = True
            pending_opening = False
        if changed:
            current = stack[-1] if stack else Anchor()
            snapshot = Anchor(current.year, current.role, current.level)
        lines.append(Line(start, end, heading, level))
        anchors.append(snapshot)
        starts.append(start)
    return doc


HK_MARKERS = re.compile(r"特首|立法会|房委会|施政报告|港府|特区政府|行政长官|房屋局|香港")
CENTRAL_MARKERS = re.compile(r"国务院|总理|党中央|中共中央|全国人大|国家发改委|内地")


def region_for_news(text: str, language: str, mentions: list[RegionMention]) -> str | None:
    """A Traditional-script text about Hong Kong names no mainland region: its goals are 香港特别行政区's."""
    if language != "zh-Hant":
        return None
    central = len(CENTRAL_MARKERS.findall(text))
    hk = len(HK_MARKERS.findall(text))
    if hk and hk >= central:
        return "香港特别行政区"
    if central:
        return "全国"
    return None
