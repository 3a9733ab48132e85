"""Quantitative targets that a region's policy sets: candidates → decision → slots.

Every quantity in the text is a candidate (`extract.quantities`). A decision says whether it is a goal, from its
clause (what it is: an ordinal, a list of named items, a rule, a threshold, a from-value), its sentence (the last
frame word before it: a goal frame such as 力争/目标/到2025年, a past one such as 截至/已/同比, a forecast such as
预计), its section (a "主要目标" or "2026年工作安排" section commits; a "发展现状" one reports) and the document (a
notice or report commits by default; a news story only where a frame says so). Slots fall back sentence →
paragraph → section → document: the metric (split when several share one verb), unit, qualifier, year and region.
Each decision carries its reason, which `policycrawl extract --explain` prints. See spec/FACTS.md.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from extract.document import Document, build_document, named_plan_end
from extract.policies import _mentions, _reference_for, policy_references
from extract.quantities import Quantity, find_quantities, to_value
from extract.records import Policy, RegionMention, Target

logger = logging.getLogger(__name__)

__all__ = ["extract_targets", "explain_targets", "find_quantities", "to_value", "dice", "is_duplicate"]

_SENTENCE_END = "。！？!?\n"
_PARAGRAPH_WINDOW = 800  # characters of the paragraph before a sentence that a deadline carries over from
_WINDOW = 300  # characters before a quantity that its frame is read from (keeps extraction linear)
_CLAUSE_END = "，,；;：:。！？!?\n"
_METRIC_START = "，,；;：:。！？!?\n、"

# The frame and deadline patterns are read over whole texts: each alternative opens with a literal character
# (a lookbehind goes after the character it guards, e.g. 要(?<![主需]要)), so the regex engine skips ahead to
# the characters that can start a match instead of trying every alternative at every position (10-15x faster).
_GOAL_RE = re.compile(
    r"力争|争取|目标|确保|计划|提出|明确|要(?<![主需重只必想摘纲简提]要)(?![求素点闻害])|将(?<!即将)(?!近|来)|拟|努力|力求|"
    r"预期|届时|预计到|按照《|规划|部署|任务|着力|加快|全力|扎实推进|大力|到(?<!截到)(?:19|20)\d{2}年|"
    r"至(?<!截至)(?:19|20)\d{2}年|19\d{2}年(?:年?底)?(?:前|以前)|20\d{2}年(?:年?底)?(?:前|以前)|年内(?<![一两三几\d]年内)|"
    r"全年|今年|通过\d+年"
)
_PAST_VERBS = ("建成", "实现", "完成", "达到", "突破", "超过", "新增", "培育", "打造", "出台", "引进", "形成", "下降",
               "增长", "提高", "增加", "减少", "推出", "举办", "吸引", "覆盖", "获得", "开通")
_PAST_RE = re.compile(
    r"截至|截止|已经|已有|已(?!经)|去年(?<![比较]去年)|上年|同比|同期|此前|曾经|曾|过去|目前|现有|共有|拥有|排名|位居|"
    r"居全国|占全国|连续\d+年|以来|" + "|".join(f"{v}了" for v in _PAST_VERBS)
)
_FORECAST_RE = re.compile(r"预计(?!到)|预测|预料|有望|或将|估计|测算|展望|可能")
_STRONG_GOAL_RE = re.compile(r"力争|争取|目标|确保|计划|提出|明确|拟|预计到")
_HYPOTHETICAL_RE = re.compile(r"(?:如果|假如|假设|倘若).*|(?:比如|例如|譬如)[^，。；]{0,3}$")
_STAT_YEAR_RE = re.compile(r"((?:19|20)\d{2})年(?<![到至比较由从与\d-]\d{4}年)(?![前底]|年底|-|—|至|到)")
# A deadline: 到2025年 / 2025年底前 / 2021-2025年 / a bare 2025年 (a bare year counts only when it is not past).
_DEADLINE_RE = re.compile(
    r"到(?<!截到)(?:19|20)\d{2}年|至(?<!截至)(?:19|20)\d{2}年|"
    r"19\d{2}年(?:年?底|末)?(?:前|以前)|20\d{2}年(?:年?底|末)?(?:前|以前)|"
    r"19\d{2}\s*[-—–至到]\s*(?:19|20)\d{2}年|20\d{2}\s*[-—–至到]\s*(?:19|20)\d{2}年|"
    r"19\d{2}年(?<![到至比较由从与\d-]\d{4}年)(?![-—至到]|远景)|20\d{2}年(?<![到至比较由从与\d-]\d{4}年)(?![-—至到]|远景)"
)
_FOUR_DIGITS_RE = re.compile(r"\d{4}")
_HARD_DEADLINE_RE = re.compile(
    r"到(?<!截到)(?:19|20)\d{2}年|至(?<!截至)(?:19|20)\d{2}年|19\d{2}年(?:年?底|末)?(?:前|以前)|20\d{2}年(?:年?底|末)?(?:前|以前)"
)
_CLAUSE_PAST_RE = re.compile(r"去年(?<![比较]去年)|上年|截至|截止|同比|同期")
_THIS_YEAR_RE = re.compile(r"今年|年内(?<![一两三几\d]年内)|全年|本年度")
_OPEN_HORIZON_RE = re.compile(r"未来(?:\d+|[一二三四五六七八九十]+)年|今后(?:\d+|[一二三四五六七八九十]+)年")
_NAMED_PERIOD_RE = re.compile(r"“(十[一二三四五六]五)”?(?:期间|时期|末)|(十[一二三四五六]五)”?(?:期间|时期|末)")
_DEADLINE_LINE_RE = re.compile(r"完成时限[:：]\s*((?:19|20)\d{2})年")
_CONTINUATION_RE = re.compile(r"^(?:包括|其中|此外|另外|同时|并且)")

_ENUMERATED_RE = re.compile(r"等(?:$|(?=[\d一二两三四五六七八九十]))")
_FROM_VALUE_RE = re.compile(r"^(?:提高|提升|增加|增长|降低|下降|扩大|减少|增|升|降|减)?(?:至|到)\d")
_DURATION_AFTER_RE = re.compile(r"^(?:月|工作日|小时|季度|星期|周|天)")
_RULE_RE = re.compile(r"不得|原则上|一般")
_CAP_BEFORE_RE = re.compile(r"(?:不超过|不高于|不低于|低于|高于|不得)\s*$")
_NORM_RE = re.compile(r"每(?:千|万|百|十万)(?:人口|人|户)")
_FREQUENCY_RE = re.compile(r"每(?:年|半年|季度|月|周)")
_EVENT_UNITS = frozenset(("场", "次"))

_PREFIX_QUAL = (
    (re.compile(r"(?:不少于|不低于|超过|突破|至少|超|高于|多于)(?:建成|新建|建设|培育|打造|完成|达到)?$"), "at_least"),
    (re.compile(r"(?:不超过|不高于|控制在|低于|少于)$"), "at_most"),
    (re.compile(r"(?:约|大约|近|接近)$"), "about"),
)
_SUFFIX_QUAL = {"以上": "at_least", "或以上": "at_least", "多": "at_least", "余": "at_least", "以下": "at_most",
                "以内": "at_most", "左右": "about", "上下": "about"}

_LEAD_STRIP_RE = re.compile(
    r"^(?:(?:力争|争取)?(?:到|至|在)?(?:19|20)\d{2}年(?:年?底|末)?(?:前)?|(?:未来|今后)[\d一二三四五六七八九十]+年|力争|争取|年内|全年|今年|其中|同时|此外|届时|"
    r"(?:\d{1,2}[.．、]|[（(][一二三四五六七八九十\d]+[)）])|"
    r"全市|全省|全区|全国|全县|我省|我市|我区|本市|则|还将|还|也|并|将|明确要求|要求|表示|要|计划|提出|明确|确保|努力|使|推动|加快|"
    r"实现|力求|积极|大力|着力|进一步|的|、|和|及|"
    r"建成|建设|打造|培育|推出|推广|选树|形成|开展|实施|完成|引进)"
)
_TRAIL_STRIP_RE = re.compile(
    r"(?:力争|要|将|需|应)?(?:达到|达|突破|超过|不少于|不低于|不超过|不高于|控制在|保持在|维持在|稳定在|提高到|提升到|"
    r"提升至|提高至|增长到|增加到|增至|降低到|降至|减少到|至少|超|约|大约|近|接近|为|至|到|在|是|有|定为|订在|"
    r"分别|均)$"
)
_NP_STOP_RE = re.compile(
    r"[，,。；;：:！？!?、\n（()）]|(?<=..)(?:并且|并|同时|以及|实现|带动|推动|覆盖|使|让|达到|形成|建成|打造|培育|引进|"
    r"支撑|辐射|吸引|助力|满足|用于|开展|参与|作为|在|设置|细化|提出|部署|和\d|与\d|及\d|和一批|及一批|和一些)"
)
_VERB_OBJECT_RE = re.compile(r"^(.{1,10}?)(上链|上云|上平台|上市|入驻|入园|入库|落户|挂牌|上线|接入|联网|用云|上规)$")
_LEVEL_VERB_RE = re.compile(
    r"(?:达到|达|增长|下降|提高到|提高至|提升到|提升至|降低|降至|减少|控制在|保持在|维持在|稳定在|为|突破|超过|超|"
    r"不低于|不少于|不超过|不高于|低于|高于|至|到|在|是|定为|订在|涨幅|增速|比重|占比|率)(?:\s*(?:约|近|大约|接近))?$"
)
_NOT_NP_START_RE = re.compile(r"^(?:和|及|与|或|并|灵活|功能|要|作为|保持|全面|\d+(?:\.\d+)?[%％])")
_SHARE_RE = re.compile(r"^(?:占|年均|年平均|平均|增速|增长|增幅|比重|同比)")
_METRIC_NOISE_RE = re.compile(r"\s")  # quotes stay: “好房子”项目 is how the metric is written
STRUCTURAL_NOUNS = frozenset((
    "任务", "重点任务", "具体任务", "主要任务", "方面", "领域", "重点领域", "原则", "基本原则", "措施", "举措", "环节",
    "目标", "部分", "方向", "板块", "维度", "步骤", "阶段", "批次", "大类", "类", "问题", "难题", "短板", "特点", "优势",
    "途径", "路径", "渠道", "机制", "体系", "内容", "要求", "条款", "主要指标", "指标", "任务举措", "政策", "支持措施",
    "方面工作", "工作", "大领域", "项目", "个维度", "具体", "共", "其中",
))
_STRUCTURAL_ENDINGS = ("任务", "方面", "领域", "原则", "举措", "措施", "指标", "维度", "政策", "工作")
REGION_CLASS_NOUNS = frozenset((
    "省", "市", "县", "区", "州", "省市", "省份", "省区", "城市", "地区", "地市", "市州", "国家", "部门", "个省", "直辖市",
    "自治区", "区县", "县区", "地方", "国", "省中", "市中",
))
_AREA_AFTER_RE = re.compile(r"^(?:天府)?(?:新区|高新区|开发区|经开区|自贸区|片区)")
_SECTORS = {"一二三产": ("第一产业", "第二产业", "第三产业"), "一、二、三产": ("第一产业", "第二产业", "第三产业"),
            "城乡居民": ("城镇居民", "农村居民")}
_SPEECH_RE = re.compile(r"^.*(?:提出了?|表示|指出|明确|强调|要求|把)")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NO_WORD_RE = re.compile(r"[\d\W]+")
_CAP_RE = re.compile(r"不超过|不高于|不低于|低于|高于|不得")
_REGION_COUNT_RE = re.compile(r"(?:省市|省份|省区|城市|地市|个省|市州|区县|县区|部门)")
_AT_LEAST_EACH_RE = re.compile(r"至少$|每.{0,12}$")
_JOINER_RE = re.compile(r"\s*[、和及与]?\s*")
_SHORT_GLUE_RE = re.compile(r"[、和及与]?[^，。；\n]{0,24}")
_SHARED_VERB_RE = re.compile(r"分别|(?<![年平人])均(?![衡等匀价])")
_NATIONAL_RE = re.compile(r"全国(?!前|第|统一|一体化|平均|各地)")
_STRUCTURAL_START_RE = re.compile(r"^(?:方面|维度|领域|大领域|项任务|项主要指标|主要指标)")


@dataclass
class Decision:
    """Why a candidate was or was not taken (printed by `--explain`)."""

    text: str
    start: int
    goal: bool
    reason: str
    year: int | None = None
    year_from: str | None = None
    region: str | None = None
    region_from: str | None = None
    metric: str | None = None


class _Marks:
    """The frame and deadline patterns, each read once over the whole text and then looked up by window with
    bisect: every candidate asks about the few hundred characters before it, and rescanning them per candidate
    made extraction slower than the reading it serves. A window sees the matches that lie wholly inside it."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Keyed by id: hashing a compiled pattern hashes its whole program, every time.
        self._found: dict[int, tuple[list[int], list[int], list[re.Match[str]]]] = {}

    def _index(self, regex: re.Pattern[str]) -> tuple[list[int], list[int], list[re.Match[str]]]:
        found = self._found.get(id(regex))
        if found is None:
            matches = list(regex.finditer(self.text))
            found = ([m.start() for m in matches], [m.end() for m in matches], matches)
            self._found[id(regex)] = found
        return found

    def within(self, regex: re.Pattern[str], start: int, end: int) -> list[re.Match[str]]:
        starts, ends, matches = self._index(regex)
        return matches[bisect_left(starts, start) : bisect_right(ends, end)]

    def last(self, regex: re.Pattern[str], start: int, end: int) -> re.Match[str] | None:
        starts, ends, matches = self._index(regex)
        i = bisect_right(ends, end) - 1
        return matches[i] if i >= 0 and starts[i] >= start else None


@dataclass
class _Context:
    text: str
    doc: Document
    policies: list[Policy]
    refs: list  # PolicyReference
    mentions: list[RegionMention]
    title_spans: list[tuple[int, int]]  # inside 《》, in order, not overlapping
    decisions: list[Decision] = field(default_factory=list)  # kept only when explaining (`explain`)
    explain: bool = False
    deadlines: tuple[list[int], list[tuple[int, int, int | None, str, bool]]] | None = None  # _deadline_events
    mention_starts: list[int] = field(default_factory=list)
    ref_starts: list[int] = field(default_factory=list)
    frame_starts: list[int] = field(default_factory=list)  # sentence starts with a decision, in order
    frame_goals: list[bool] = field(default_factory=list)
    pending: list[Quantity] = field(default_factory=list)
    memo: dict = field(default_factory=dict)  # per-text results shared by the quantities of one sentence or line
    marks: _Marks | None = None
    title_starts: list[int] = field(default_factory=list)
    mentions_at: dict[int, list[RegionMention]] = field(default_factory=dict)


def _in_title(ctx: _Context, pos: int) -> bool:
    """Whether `pos` lies inside a 《title》 (bisect: texts with many titles stay linear)."""
    i = bisect_right(ctx.title_starts, pos) - 1
    return i >= 0 and pos < ctx.title_spans[i][1]


def clean_metric(metric: str) -> str:
    metric = _METRIC_NOISE_RE.sub("", metric)
    metric = metric.strip("的、和及与，,")
    return metric.translate(_ASCII_UPPER)


def dice(a: str, b: str) -> float:
    """Character-bigram Dice coefficient (FACTS.md metric overlap)."""
    ba = [a[i : i + 2] for i in range(len(a) - 1)] or [a]
    bb = [b[i : i + 2] for i in range(len(b) - 1)] or [b]
    pool = list(bb)
    common = 0
    for g in ba:
        if g in pool:
            pool.remove(g)
            common += 1
    return 2 * common / (len(ba) + len(bb))


def _metric_overlap(a: str, b: str) -> bool:
    if not a or not b:
        return False
    return a in b or b in a or dice(a, b) >= 0.5


def is_duplicate(t: Target, seen: list[Target]) -> bool:
    """A target stated twice is one target; the same figure for two different years is two."""
    return any(t.region == s.region and t.value == s.value and t.value_max == s.value_max and t.unit == s.unit
               and (t.year == s.year or t.year is None or s.year is None)
               and _metric_overlap(t.metric, s.metric) for s in seen)


def _stops(text: str, stops: str) -> list[int]:
    return [m.start() for m in _stop_re(stops).finditer(text)]


@lru_cache(maxsize=8)
def _stop_re(stops: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(stops) + "]")


def _bounds(positions: list[int], n: int, pos: int) -> tuple[int, int]:
    i = bisect_left(positions, pos)
    return (positions[i - 1] + 1 if i else 0), (positions[i] if i < len(positions) else n)


def _last(regex: re.Pattern[str], s: str) -> re.Match[str] | None:
    m = None
    for m in regex.finditer(s):  # noqa: B007 - only the last match is wanted
        pass
    return m


def _valid_metric(metric: str) -> bool:
    if not metric or (len(metric) < 2 and metric != "人"):
        return False
    if metric in STRUCTURAL_NOUNS or (len(metric) <= 4 and metric.endswith(_STRUCTURAL_ENDINGS)):
        return False
    if metric in REGION_CLASS_NOUNS or (len(metric) <= 4 and metric[:2] in REGION_CLASS_NOUNS):
        return False
    return not _NO_WORD_RE.fullmatch(metric)


def qualifier_of(q: Quantity, before: str) -> str:
    if q.kind == "rank":
        return "at_most"
    if q.value_max is not None:
        return "range"
    if q.suffix:
        return _SUFFIX_QUAL[q.suffix]
    for regex, kind in _PREFIX_QUAL:
        if regex.search(before):
            return kind
    return "exact"


def _metric_after(text: str, q: Quantity, limit: int) -> tuple[str, int] | None:
    """The counted thing after the unit: "10个以上区块链公共服务平台" → (区块链公共服务平台, its end)."""
    window = text[q.end : min(limit, q.end + 40)]
    stop = _NP_STOP_RE.search(window)
    np = window[: stop.start()] if stop else window
    if _NOT_NP_START_RE.match(np):
        return None
    cut = np.rfind("的")
    core = clean_metric(np[cut + 1 :] if cut >= 0 and len(np) - cut - 1 >= 2 else np.lstrip("的"))
    vo = _VERB_OBJECT_RE.match(core)
    if vo:
        core = vo.group(2) + vo.group(1)
    return (core, q.end + len(np)) if core else None


def _metric_before(ctx: _Context, start: int, q: Quantity) -> tuple[str, int]:
    text = ctx.text
    s, end = start, q.start
    while s < end:
        seg = text[s:end]
        m = _LEAD_STRIP_RE.match(seg)
        region = next((r for r in ctx.mentions_at.get(s, ()) if r.end <= end), None)
        if region is not None:
            s = region.end
        elif m and 0 < m.end() < len(seg):
            s += m.end()
        else:
            break
    seg = text[s:end]
    while True:
        t = _TRAIL_STRIP_RE.search(seg)
        if not t or t.start() == 0:
            break
        seg = seg[: t.start()]
    return clean_metric(seg), s


def _reject(ctx: _Context, q: Quantity, clause_start: int, sent_start: int, sent_end: int) -> str | None:
    """A reason this quantity is not a goal by what it is, whatever its frame; None when it may be one."""
    text = ctx.text
    before = text[max(0, q.start - 1) : q.start]
    after = text[q.end : q.end + 12]
    clause_prefix = text[max(clause_start, q.start - _WINDOW) : q.start]
    if ctx.doc.in_heading(q.start):
        return "in a heading"
    if _in_title(ctx, q.start):
        return "inside a title"
    if before in "“‘\"「" and before:
        return "a quoted name"
    if _ENUMERATED_RE.search(clause_prefix):
        return "counts named items (…等N)"
    if _FROM_VALUE_RE.match(after):
        return "the value it starts from"
    if q.unit == "个" and _DURATION_AFTER_RE.match(after):
        return "a duration"
    if after.startswith(("及以下", "及以上")) or (q.suffix in ("以上", "以下") and after.startswith("的")
                                                  and q.unit != "%"):
        return "an eligibility threshold"
    near = text[max(clause_start, q.start - 6) : q.start]
    if (_CAP_BEFORE_RE.search(near) and after.startswith("的")) or \
            (_RULE_RE.search(clause_prefix) and _CAP_RE.search(clause_prefix)):
        return "a rule (cap or floor)"
    sent_start = max(sent_start, q.start - _WINDOW)
    sentence_prefix = text[sent_start : q.start]
    if _NORM_RE.search(sentence_prefix) and not _HARD_DEADLINE_RE.search(text[sent_start:sent_end]):
        return "a planning norm without a deadline"
    if q.unit in _EVENT_UNITS and _FREQUENCY_RE.search(clause_prefix):
        return "a recurring rule"
    if q.unit == "岁" and after[:1] not in ("", "，", "。", "；", ",", ";", "\n"):
        return "an age bound"
    if _HYPOTHETICAL_RE.search(sentence_prefix):
        return "hypothetical"
    if not q.number[0].isdigit() and "“" in after[:8] and q.kind == "number":
        return "counts named items (四个“高地”)"
    if _REGION_COUNT_RE.match(after):
        return "counts regions or bodies"
    if q.number == "一" and (q.unit not in ("个", "家", "所", "名") or
                             not _AT_LEAST_EACH_RE.search(text[sent_start : q.start])):
        return "一 as an article"
    if q.kind == "number" and not q.number[0].isdigit() and q.value <= 10 and \
            q.unit in ("个", "项", "条", "种", "类", "位") and not _AT_LEAST_EACH_RE.search(sentence_prefix):
        return "a small count in words (四个新发展区, 八项规定): names items"
    if _CLAUSE_PAST_RE.search(clause_prefix) or any(
            ctx.doc.year and int(m.group(1)) < ctx.doc.year for m in _STAT_YEAR_RE.finditer(clause_prefix)):
        return "a past figure (its clause says 去年/截至/同比 or a past year)"
    return None


def _frame(ctx: _Context, q: Quantity, sent_start: int, clause_start: int) -> tuple[bool | None, str]:
    """The last frame before the quantity in its sentence: goal (True), past/forecast (False) or none."""
    sent_start = max(sent_start, q.start - _WINDOW)
    clause_start = max(clause_start, sent_start)
    marks = []
    forecast = None
    for regex, kind in ((_GOAL_RE, "goal"), (_PAST_RE, "past"), (_FORECAST_RE, "forecast")):
        m = ctx.marks.last(regex, sent_start, q.start)
        if m:
            marks.append((m.end(), kind, m.group(0)))
            forecast = m if kind == "forecast" else forecast
    for m in ctx.marks.within(_STAT_YEAR_RE, clause_start, q.start):
        if ctx.doc.year and int(m.group(1)) < ctx.doc.year:
            marks.append((m.end(), "past", m.group(0)))
    if not marks:
        return None, "no frame word"
    strong = ctx.marks.last(_STRONG_GOAL_RE, forecast.start(), q.start) if forecast else None
    if forecast and strong is None:
        return False, f"forecast frame {forecast.group(0)}"
    end, kind, word = max(marks)
    if kind == "goal":
        return True, f"goal frame {word}"
    return False, f"{kind} frame {word}"


def _decide(ctx: _Context, q: Quantity, sent_start: int, clause_start: int) -> tuple[bool, str]:
    doc = ctx.doc
    goal, reason = _frame(ctx, q, sent_start, clause_start)
    anchor = doc.anchor_at(q.start)
    if goal is not None:
        if goal and anchor.role == "past" and not _DEADLINE_RE.search(ctx.text[sent_start : q.start]):
            return False, f"{reason}, but in a section about the past"
        return goal, reason
    carried = _carried_frame(ctx, sent_start)
    if carried is not None:
        return carried[0], "frame of the sentence before"
    if anchor.role == "past":
        return False, "in a section about the past"
    if anchor.role == "goal":
        return True, "in a goal section"
    if doc.kind != "news":
        return True, f"a statement of the {doc.kind}"
    return False, "news text without a goal frame"


def _carried_frame(ctx: _Context, sent_start: int) -> tuple[bool, int | None] | None:
    """A sentence without frame words continues the one before it in its paragraph (or, when it opens with
    包括/其中…, the previous paragraph)."""
    text = ctx.text
    para = ctx.doc.paragraph_start(sent_start)
    i = bisect_left(ctx.frame_starts, sent_start) - 1
    if i >= 0 and ctx.frame_starts[i] >= para:
        return ctx.frame_goals[i], None
    if i >= 0 and sent_start == para and _CONTINUATION_RE.match(text[sent_start : sent_start + 4]):
        return ctx.frame_goals[i], None
    return None


def _deadline_events(ctx: _Context) -> tuple[list[int], list[tuple[int, int, int | None, str, bool]]]:
    """Every deadline the text says, once per text, by end: (ends, [(start, end, year, how, closed)]).

    A 到2025年 / 2025年底前 / 2021-2025年 (a bare 2025年 only when still ahead of the text's year and not
    "2025年的"), a named period (“十四五”期间), 今年/全年 (the text's year) and an open horizon (未来五年, which
    closes: no year). At one end the earlier kind in that list wins, as when the kinds are read one by one.
    """
    if ctx.deadlines is not None:
        return ctx.deadlines
    doc, text = ctx.doc, ctx.text
    found: list[tuple[int, int, int, int | None, str, bool]] = []  # (end, -kind, start, year, how, closed)
    for m in _DEADLINE_RE.finditer(text):
        said = m.group(0)
        y = int(_FOUR_DIGITS_RE.findall(said)[-1])  # 2021-2025年: the end of the range
        if len(said) == 5 and (doc.year is None or y < doc.year or text[m.end() : m.end() + 1] == "的"):
            continue  # a bare year: only one still ahead of the text's own year is a deadline
        found.append((m.end(), 0, m.start(), y, said, False))
    for m in _NAMED_PERIOD_RE.finditer(text):
        y = named_plan_end(m.group(1) or m.group(2))
        if y:
            found.append((m.end(), -1, m.start(), y, m.group(0), False))
    if doc.year:
        found.extend((m.end(), -2, m.start(), doc.year, m.group(0), False) for m in _THIS_YEAR_RE.finditer(text))
    found.extend((m.end(), -3, m.start(), None, m.group(0), True) for m in _OPEN_HORIZON_RE.finditer(text))
    found.sort()
    ctx.deadlines = ([f[0] for f in found], [(f[2], f[0], f[3], f[4], f[5]) for f in found])
    return ctx.deadlines


def _deadline_in(ctx: _Context, start: int, end: int) -> tuple[int | None, str | None, bool]:
    """(year, how, closed): the last deadline said wholly inside text[start:end]; closed when an open horizon
    (未来五年) is the last one."""
    ends, events = _deadline_events(ctx)
    i = bisect_right(ends, end) - 1
    while i >= 0 and ends[i] > start:
        e_start, _end, year, how, closed = events[i]
        if e_start >= start:
            return year, how, closed
        i -= 1
    return None, None, False


def _item_deadline(ctx: _Context, pos: int) -> int | None:
    """A task list item's "完成时限：2019年12月底前" line, read until the next item or heading."""
    doc = ctx.doc
    i = doc.line_index(pos) + 1
    for line in doc.lines[i : i + 6]:
        s = ctx.text[line.start : line.end].strip()
        if re.match(r"^(?:\d{1,2}[.．、]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])", s):
            return None
        m = _DEADLINE_LINE_RE.search(s)
        if m:
            return int(m.group(1))
    return None


def _year_for(ctx: _Context, q: Quantity, sent_start: int, policy: Policy | None,
              region: str | None) -> tuple[int | None, str]:
    text = ctx.text
    year, how, closed = _deadline_in(ctx, max(sent_start, q.start - _WINDOW), q.start)
    if closed:
        return None, f"open horizon {how}"
    if year is not None:
        return year, f"sentence: {how}"
    para = ctx.doc.paragraph_start(q.start)
    starts = [para]
    if _CONTINUATION_RE.match(text[para : para + 4]) and para > 0:
        starts.insert(0, ctx.doc.paragraph_start(para - 1))
    for start in starts:
        key = (start, sent_start)  # every quantity of a sentence reads the same paragraph before it
        if key not in ctx.memo:
            ctx.memo[key] = _deadline_in(ctx, max(start, sent_start - _PARAGRAPH_WINDOW), sent_start)
        year, how, closed = ctx.memo[key]
        if closed:
            return None, f"open horizon {how}"
        if year is not None:
            return year, f"paragraph: {how}"
    line = ctx.doc.line_index(q.start)
    if ("item", line) not in ctx.memo:
        ctx.memo[("item", line)] = _item_deadline(ctx, q.start)
    item = ctx.memo[("item", line)]
    if item:
        return item, "the item's 完成时限"
    anchor = ctx.doc.anchor_at(q.start)
    if anchor.year:
        return anchor.year, "the section heading"
    if policy is not None:
        end = policy.period_end or named_plan_end(policy.title)
        if end:
            return end, f"the period of 《{policy.title}》"
    if ctx.doc.period_end:
        return ctx.doc.period_end, "the period of the whole text"
    if ctx.doc.kind == "news" and region:
        same = [p for p in ctx.policies if p.region == region and p.period_end]
        if same:
            return same[-1].period_end, f"the period of 《{same[-1].title}》 of the same region"
    return None, "no year in the text"


def _mentions_in(ctx: _Context, start: int, end: int) -> list[RegionMention]:
    return ctx.mentions[bisect_left(ctx.mention_starts, start) : bisect_left(ctx.mention_starts, end)]


def _refs_in(ctx: _Context, start: int, end: int) -> list:
    return ctx.refs[bisect_left(ctx.ref_starts, start) : bisect_left(ctx.ref_starts, end)]


def _clause_region(ctx: _Context, start: int, pos: int, metric_span: tuple[int, int]) -> str | None:
    text = ctx.text
    found = None
    for m in _mentions_in(ctx, start, pos):
        if metric_span[0] <= m.start < metric_span[1]:
            continue
        if _in_title(ctx, m.start) or _AREA_AFTER_RE.match(text[m.end : m.end + 4]):
            continue
        if len(m.surface) == 1 and ctx.doc.kind != "news":
            continue
        found = m.name
    national = _last(_NATIONAL_RE, text[start:pos]) if ctx.doc.kind == "news" else None
    if national:
        last_mention = max((m.start for m in _mentions_in(ctx, start, pos)), default=-1)
        if start + national.start() > last_mention:
            return "全国"
    return found


def _region_for(ctx: _Context, q: Quantity, sent_start: int, clause_start: int,
                metric_span: tuple[int, int]) -> tuple[str | None, str]:
    doc = ctx.doc
    scope = sent_start if doc.kind == "news" else clause_start
    region = _clause_region(ctx, scope, q.start, metric_span)
    if region:
        return region, "named in the sentence" if doc.kind == "news" else "named in the clause"
    refs = [r for r in _refs_in(ctx, sent_start, q.start) if r.policy.region]
    if refs:
        return refs[-1].policy.region, f"《{refs[-1].policy.title}》 in the sentence"
    if doc.kind == "news":
        para = max(doc.paragraph_start(q.start), sent_start - 2000)
        mention = next((m for m in reversed(_mentions_in(ctx, para, sent_start))
                        if not _in_title(ctx, m.start)), None)
        ref = next((r for r in reversed(_refs_in(ctx, para, sent_start)) if r.policy.region), None)
        if mention and (not ref or mention.start > ref.start):
            return mention.name, "named earlier in the paragraph"
        if ref:
            return ref.policy.region, f"《{ref.policy.title}》 earlier in the paragraph"
    if doc.region:
        return doc.region, "the document's region"
    ref = next((r for r in reversed(_refs_in(ctx, 0, q.start)) if r.policy.region), None)
    if ref:
        return ref.policy.region, f"《{ref.policy.title}》 named before"
    return None, "no region in the text"


def _policy_for(ctx: _Context, sent_start: int, pos: int, region: str | None) -> Policy | None:
    refs = _refs_in(ctx, sent_start, pos)
    if refs:
        return refs[-1].policy
    refs = _refs_in(ctx, ctx.doc.paragraph_start(pos), pos)
    if refs:
        return refs[-1].policy
    if ctx.doc.kind == "news":
        ref = next((r for r in reversed(_refs_in(ctx, 0, pos)) if r.policy.region == region), None)
        return ref.policy if ref else None
    return None


def _coordinated(metric: str) -> list[str] | None:
    """"A、B分别…" / "城镇和农村…分别": the parts one verb is shared by, when the subject lists them."""
    for key, parts in _SECTORS.items():
        if metric.startswith(key):
            return [p + metric[len(key):].replace("分别", "") for p in parts]
    if "分别" not in metric and "均" not in metric:
        return None
    head = _SHARED_VERB_RE.split(metric, 1)[0]
    if head == metric:
        return None
    rest = metric[len(head):].lstrip("分别均")
    parts = [p for p in re.split(r"[、和及与]", head) if p]
    if len(parts) < 2:
        return None
    if all(len(p) <= 2 for p in parts[:-1]):  # 城镇和农村常住居民收入: the shared tail goes with each part
        tail = parts[-1][2:] if len(parts[-1]) > 2 else ""
        return [p + tail + rest for p in parts[:-1]] + [parts[-1] + rest]
    return [p + rest for p in parts]


def _build(ctx: _Context, q: Quantity, sent_start: int, sent_end: int, clause_start: int, clause_end: int,
           targets: list[Target], shared: dict) -> list[Target] | str:
    text = ctx.text
    metric_start = max(clause_start, text.rfind("、", max(clause_start, q.start - 60), q.start) + 1)
    after = _metric_after(text, q, clause_end)
    span_start, span_end = q.start, q.end
    lead = text[max(metric_start, q.start - 8) : q.start]
    level_verb = bool(_LEVEL_VERB_RE.search(lead))
    if after and _STRUCTURAL_START_RE.match(after[0]):
        return f"counts {after[0]}"
    if after and not level_verb and _valid_metric(after[0]) and not _NOT_NP_START_RE.match(after[0]):
        metric, span_end = after
    elif after and len(after[0]) >= 2 and not level_verb:  # 20项具体措施, 11个省市: not a metric
        return f"counts {after[0]}"
    elif shared.get("end") is not None and _JOINER_RE.fullmatch(text[shared["end"] : q.start]):
        parts = shared.get("parts")  # "分别增长5%左右和6%左右": the next part of the shared subject
        idx = shared.get("index", 0) + 1
        metric = parts[idx] if parts and idx < len(parts) else shared.get("metric", "")
        shared["index"] = idx
        span_start = shared.get("start", q.start)
        if not _valid_metric(metric):
            return "no metric"
    else:
        metric, span_start = _metric_before(ctx, metric_start, q)
        speech = _SPEECH_RE.match(metric)
        if speech and speech.end() < len(metric):
            metric = re.sub(r"^(?:今年|全年)", "", metric[speech.end():])
        metric = metric.removesuffix("目标")
        if not metric and shared.get("end") is not None and metric_start - 1 <= shared["end"] + 1:
            parts = shared.get("parts")
            idx = shared.get("index", 0) + 1
            metric = parts[idx] if parts and idx < len(parts) else shared.get("metric", "")
            shared["index"] = idx
            span_start = shared.get("start", q.start)
        elif _SHARE_RE.match(metric) and targets and sent_start <= targets[-1].start:
            head = re.split(r"达到|达|突破|超过|增长|为", targets[-1].metric)[0]
            metric, span_start = head + metric, targets[-1].start
        if not _valid_metric(metric):
            return "no metric"
    qualifier = qualifier_of(q, text[max(sent_start, q.start - 6) : q.start])
    region, _region_how = _region_for(ctx, q, sent_start, clause_start,
                                      (span_start, span_end) if span_start >= q.start else (0, 0))
    policy = _policy_for(ctx, sent_start, q.start, region)
    year, _year_how = _year_for(ctx, q, sent_start, policy, region)
    metrics = [metric]
    parts = _coordinated(metric)
    if parts and not shared.get("parts"):
        following = [x for x in ctx.pending if x.start > q.start and x.start < clause_end + 40]
        if len(following) + 1 >= len(parts) and len(parts) > 1:
            shared.update(parts=parts, index=0, metric=metric, start=span_start)
            metrics = [parts[0]]
        else:
            metrics = parts  # "A、B均达到45%": one figure, one target per part
    elif not shared.get("parts"):
        shared.update(metric=metric, start=span_start, index=0)
    shared["end"] = q.end
    out = []
    for m in metrics:
        out.append(Target(region=region, year=year, metric=m, value=q.value, value_max=q.value_max, unit=q.unit,
                          qualifier=qualifier, text=text[span_start:span_end], start=span_start, end=span_end,
                          policy_title=policy.title if policy else None))
    if ctx.explain:
        ctx.decisions[-1].year, ctx.decisions[-1].year_from = year, _year_how
        ctx.decisions[-1].region, ctx.decisions[-1].region_from = region, _region_how
        ctx.decisions[-1].metric = "、".join(metrics)
    return out


def _scan(ctx: _Context) -> list[Target]:
    text = ctx.text
    n = len(text)
    sentences = _stops(text, _SENTENCE_END)
    clauses = _stops(text, _CLAUSE_END)
    targets: list[Target] = []
    quantities = find_quantities(text)
    ctx.pending = quantities
    shared: dict = {}
    seen: dict[tuple, list[Target]] = {}  # targets by (region, value, value_max, unit): duplicates are found there
    for q in quantities:
        sent_start, sent_end = _bounds(sentences, n, q.start)
        clause_start, clause_end = _bounds(clauses, n, q.start)
        if shared.get("end") is not None and (text[shared["end"]:q.start].strip("、和及与左右以上，, ")
                                              and not _SHORT_GLUE_RE.fullmatch(text, shared["end"], q.start)):
            shared.clear()
        if shared.get("end") is not None and sent_start > shared["end"]:
            shared.clear()
        snippet = text[max(0, q.start - 12) : q.end] if ctx.explain else ""
        reason = _reject(ctx, q, clause_start, sent_start, sent_end)
        if reason:
            if ctx.explain:
                ctx.decisions.append(Decision(snippet, q.start, False, reason))
            continue
        goal, reason = _decide(ctx, q, sent_start, clause_start)
        if not ctx.frame_starts or ctx.frame_starts[-1] != sent_start:
            ctx.frame_starts.append(sent_start)
            ctx.frame_goals.append(goal)
        if ctx.explain:
            ctx.decisions.append(Decision(snippet, q.start, goal, reason))
        if not goal:
            continue
        built = _build(ctx, q, sent_start, sent_end, clause_start, clause_end, targets, shared)
        if isinstance(built, str):
            if ctx.explain:
                ctx.decisions[-1].goal, ctx.decisions[-1].reason = False, built
            continue
        for target in built:
            key = (target.region, target.value, target.value_max, target.unit)
            if not is_duplicate(target, seen.setdefault(key, [])):
                seen[key].append(target)
                targets.append(target)
    return targets


def _context(text: str, policies: list[Policy], reference: date | None, regions: list[RegionMention] | None,
             scanned: tuple[list[Policy], list] | None, document: Document | None) -> _Context:
    mentions = _mentions(text, regions)
    reference = _reference_for(reference, text)
    found, refs = scanned if scanned is not None else policy_references(text, reference, mentions)
    by_title = {p.title: p for p in policies}
    for r in refs:  # point references at the caller's Policy objects (same titles)
        r.policy = by_title.get(r.policy.title, r.policy)
    doc = document or build_document(text, reference.year if reference else None)
    if document is None and doc.kind != "news" and (policies or found):
        doc.region = (policies or found)[0].region
    spans = [(m.start() + 1, m.end() - 1) for m in re.finditer(r"《[^《》\n]{1,150}》", text)]
    mentions = sorted(mentions, key=lambda m: m.start)
    refs = sorted(refs, key=lambda r: r.start)
    mentions_at: dict[int, list[RegionMention]] = {}
    for m in mentions:
        mentions_at.setdefault(m.start, []).append(m)
    return _Context(text, doc, policies or found, refs, mentions, spans,
                    mention_starts=[m.start for m in mentions], ref_starts=[r.start for r in refs], marks=_Marks(text),
                    title_starts=[s for s, _ in spans], mentions_at=mentions_at)


def extract_targets(text: str, policies: list[Policy], reference: date | None = None, *,
                    regions: list[RegionMention] | None = None,
                    scanned: tuple[list[Policy], list] | None = None,
                    document: Document | None = None) -> list[Target]:
    """Quantitative goals in the (normalised) text, deduplicated, in order of first statement."""
    try:
        return _scan(_context(text, policies, reference, regions, scanned, document))
    except Exception:  # noqa: BLE001 - extraction must not stop a crawl
        logger.exception("target extraction failed (%d chars)", len(text))
        return []


def explain_targets(text: str, policies: list[Policy], reference: date | None = None, *,
                    regions: list[RegionMention] | None = None,
                    document: Document | None = None) -> list[Decision]:
    """Every candidate quantity with its decision and the reason, year and region it was given."""
    ctx = _context(text, policies, reference, regions, None, document)
    ctx.explain = True
    _scan(ctx)
    return ctx.decisions
