"""Quantitative targets that a region's policy sets: "力争到2022年建成10个以上区块链公共服务平台".

Works on normalised Simplified text and on matched spans only (numbers are converted where they are found, never by
running a converter over the whole text). A number with a unit is a target when its sentence reads as a goal (到2022年,
力争, 计划, 将, 要, 提出, 年内…) and the last frame before it is not a statistic about the past (已, 截至, 拥有, 实现了…)
or an analyst's forecast (预计, 有望…). Region and year come from the sentence, else from the policy the text is
talking about, else from the paragraph; see spec/FACTS.md.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from extract.records import Policy, RegionMention, Target

logger = logging.getLogger(__name__)

# Units: counting words, currency, percent. 万/亿 are magnitudes and never part of a unit.
UNITS: tuple[str, ...] = tuple(sorted((
    "个百分点", "个", "家", "户", "项", "座", "所", "条", "套", "台", "辆", "件", "名", "人次", "人", "位", "张",
    "款", "种", "处", "场", "次", "栋", "间", "亩", "公顷", "平方公里", "平方米", "公里", "千米", "米", "吨", "千瓦时",
    "千瓦", "兆瓦", "吉瓦", "瓦", "元", "美元", "港元", "欧元", "%", "％", "‰", "倍", "艘", "架", "颗", "片", "块",
    "根", "支", "本", "篇", "例", "床", "张", "只", "头", "批", "期", "层", "标准机架", "机架", "PB", "EB", "TB",
    "Gbps", "Mbps",
), key=len, reverse=True))
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_NUM = rf"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十][{_CN_DIGITS}]*)"
_MAG = r"(?:万亿|千亿|百亿|亿|千万|百万|万)?"
_RANGE_SEP = r"(?:至|到|—|－|-|~|～|–)"
# The first number, as (?<![\d.A-Za-z…第前])(?P<num>{_NUM}) reads it, but starting with its first character: a
# pattern that starts with a character class lets the regex engine skip to the digits instead of trying the
# whole pattern at every character. The lookbehind then checks the character before that first one, and the
# branch goes on as the digit or the Chinese numeral it was.
_LEADING = "一二两三四五六七八九十"
_FIRST_NUM = (
    rf"[\d{_LEADING}](?<![\d.A-Za-z{_CN_DIGITS}第前].)"
    rf"(?:(?<=\d)\d*(?:\.\d+)?|(?<=[{_LEADING}])[{_CN_DIGITS}]*)"
)
_QTY_RE = re.compile(
    rf"(?P<num>{_FIRST_NUM})(?P<mag>{_MAG})(?P<unit1>{_UNIT_RE})?"
    rf"(?:\s*{_RANGE_SEP}\s*(?P<num2>{_NUM})(?P<mag2>{_MAG}))?"
    rf"(?P<unit>{_UNIT_RE})(?![A-Za-z])"
    r"(?P<suffix>以上|以下|以内|左右|上下|多|余)?"
)
_MAGNITUDES = {"": 1, "万": 10**4, "百万": 10**6, "千万": 10**7, "亿": 10**8, "百亿": 10**10, "千亿": 10**11,
               "万亿": 10**12}

_SENTENCE_END = "。！？!?\n"
_CLAUSE_END = "，,；;：:。！？!?\n"

# The frame words below are read in every number's sentence. Each alternative starts with a plain character
# (a lookbehind comes after it: 要(?<![主…]要) is (?<![主…])要), so the regex engine jumps straight to the
# characters that can start a match instead of trying every alternative at every place.
_GOAL_RE = re.compile(
    r"力争|争取|到(?:19|20)\d{2}年(?!\d{1,2}月)|至(?:19|20)\d{2}年(?!\d{1,2}月)|19\d{2}年(?:前|以前)|20\d{2}年(?:前|以前)"
    r"|计划|目标|要(?<![主需重只必想摘纲简提]要)(?![素闻求点害])"
    r"|将(?<![即]将)(?!近|来)|提出|明确|确保|年内|全年|今年内|拟|努力|力求|规划|部署|任务是|着力|加快"
)
_STRONG_GOAL_RE = re.compile(r"力争|争取|计划|目标|提出|明确|确保|要(?<![主需重只必想]要)(?![素闻求点害])|拟")
_PAST_VERBS = (  # "… 了": a result already reached
    "建成", "实现", "完成", "达到", "突破", "超过", "新增", "吸引", "培育", "打造", "出台", "引进", "形成", "聚集", "集聚",
    "入驻", "上线", "发布", "签约", "带动", "建立", "覆盖", "获得", "公布", "开通", "部署", "落地", "汇聚", "服务", "达",
)
_PAST_RE = re.compile(
    r"已经|已有|已|截至|截止|拥有|涵盖|共有|目前|现有|去年|上年|同比|比上年|较上年|此前|曾经|曾|过去|"
    + "|".join(f"{verb}了" for verb in _PAST_VERBS)
    + r"|有(?=\d)|只需要?|只有|排名|位居|居全国|占全国|分别为|总计|合计"
)
_FORECAST_RE = re.compile(r"预计|预测|有望|或将|估计|测算|预期(?!目标)|展望|可能")
_YEAR_DEADLINE_RE = re.compile(
    r"(?:(?<!截)(?:到|至|力争到|争取到|力争在|在)((?:19|20)\d{2})年(?:底|末)?(?!\d{1,2}月)"
    r"|((?:19|20)\d{2})年(?:前|以前|底前|年底)"
    r"|(?<![到至\d\-])((?:19|20)\d{2})年(?![\d\-—至到])(?!\d{1,2}月))"
)
# Every deadline match holds a year like this, at most 3 characters after its start (力争到2025年): scanning
# for the years first (a pattern the engine jumps through) spares the full pattern the text before them.
_YEAR_IN_DEADLINE_RE = re.compile(r"(?:19|20)\d{2}年")
_DEADLINE_LEAD_CHARS = 3
_THIS_YEAR_RE = re.compile(r"年内|今年|全年|本年度")

_LEAD_STRIP_RE = re.compile(
    r"^(?:(?:到|至|力争到|争取到|在)?(?:19|20)\d{2}年(?:底|末|前)?|力争|争取|年内|全年|今年|明年|为此|其中|同时|此外|届时|"
    r"全市|全省|全区|全国|全县|全州|我省|我市|我区|本市|本省|则|还|也|并|将|明确要求|要求|要|计划|提出|明确|表示|确保|努力|使|实现|"
    r"建设|打造|培育|建成|形成|推广|引进|推动|发展|完成|新建成|带动|吸引|聚集|集聚|达到|高标准|加快|重点|支持|鼓励|"
    r"进一步|基本|初步|全面|着力|大力|积极|共|总共|一共|累计|的|、)"
)
_TRAIL_STRIP_RE = re.compile(
    r"(?:力争|要|将|需|应|预计)?(?:达到|达|突破|超过|不少于|不低于|不超过|不高于|控制在|保持在|提高到|提升到|提升至|"
    r"提高至|增长到|增加到|增至|降低到|降至|减少到|至少|超|约|大约|近|接近|为|至|到|在|是|有)$"
)
_PREFIX_QUAL = (
    (re.compile(r"(?:不少于|不低于|超过|突破|至少|超)$"), "at_least"),
    (re.compile(r"(?:不超过|不高于|控制在|低于|少于)$"), "at_most"),
    (re.compile(r"(?:约|大约|近|接近)$"), "about"),
)
_SUFFIX_QUAL = {"以上": "at_least", "多": "at_least", "余": "at_least", "以下": "at_most", "以内": "at_most",
                "左右": "about", "上下": "about"}

_NP_STOP_RE = re.compile(
    r"[，,。；;：:！？!?、\n（()）]|(?<=..)(?:并且|并|同时|以及|实现|带动|推动|覆盖|使|让|达到|形成|建成|打造|培育|引进|"
    r"支撑|辐射|吸引|助力|满足|用于|开展|参与|等|和\d|与\d|及\d)"
)
_VERB_OBJECT_RE = re.compile(r"^(.{1,10}?)(上链|上云|上平台|上市|入驻|入园|入库|落户|挂牌|上线|接入|联网|用云|上规)$")
_RATE_RE = re.compile(r"^(?:年均|年平均|平均|年)?(?:增速|增长率|增幅|增长|复合增长率)$")
_ENUM_AFTER_RE = re.compile(r"^.{0,3}(?:即|分别|包括|：|:|——)")

STRUCTURAL_NOUNS = frozenset((
    "任务", "重点任务", "具体任务", "主要任务", "方面", "领域", "重点领域", "原则", "基本原则", "措施", "举措", "环节",
    "目标", "部分", "方向", "板块", "维度", "步骤", "阶段", "批次", "章", "节", "大类", "中类", "小类", "类", "问题",
    "难题", "短板", "特点", "优势", "途径", "路径", "渠道", "工程", "行动", "机制", "体系", "内容", "要求", "条款",
))
REGION_CLASS_NOUNS = frozenset((
    "省", "市", "县", "区", "地", "州", "省市", "省份", "省区", "城市", "地区", "地市", "市州", "国家", "部门", "个省",
    "直辖市", "自治区", "区县", "县区", "省级行政区", "地方", "国", "省中", "市中",
))


@dataclass
class _Quantity:
    start: int
    end: int
    value: int | float
    value_max: int | float | None
    unit: str
    suffix: str | None
    match: re.Match[str]


def _chinese_int(s: str) -> int | None:
    """两千 → 2000, 三十 → 30, 一百二十 → 120 (fallback when extract.numbers cannot say)."""
    digits = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
    units = {"十": 10, "百": 100, "千": 1000}
    total, current = 0, None
    for ch in s:
        if ch in digits:
            current = digits[ch]
        elif ch in units:
            total += (current if current is not None else 1) * units[ch]
            current = None
        else:
            return None
    return total + (current or 0)


def _plain_number(num: str) -> Decimal | None:
    if num[0].isdigit():
        try:
            return Decimal(num)
        except InvalidOperation:
            return None
    try:
        from extract.numbers import parse_chinese_number

        parsed = parse_chinese_number(num)
    except Exception:  # noqa: BLE001
        parsed = None
    if parsed is None:
        parsed = _chinese_int(num)
    return Decimal(str(parsed)) if parsed is not None else None


@lru_cache(maxsize=4096)  # pure, and the same few numbers come back in every text (years, 10, 100)
def to_value(num: str, magnitude: str = "") -> int | float | None:
    """"3"+"万" → 30000, "1.5"+"亿" → 150000000, "两千" → 2000; int whenever the value is whole."""
    base = _plain_number(num)
    if base is None:
        return None
    value = base * _MAGNITUDES.get(magnitude, 1)
    return int(value) if value == value.to_integral_value() else float(value)


def find_quantities(text: str) -> list[_Quantity]:
    """Every number with a unit: 10个以上, 3至5个, 2个至3个, 30亿元, 15%左右."""
    out = []
    for m in _QTY_RE.finditer(text):
        num = m.group("num")
        if num == "一" or (not num[0].isdigit() and m.group("unit") in ("%", "％", "G", "M")):
            continue
        value = to_value(num, m.group("mag") or "")
        if value is None:
            continue
        value_max = None
        if m.group("num2"):
            value_max = to_value(m.group("num2"), m.group("mag2") or m.group("mag") or "")
            if m.group("num2") and not m.group("mag") and m.group("mag2"):
                value = to_value(num, m.group("mag2"))
            if value_max is None or value is None or value_max < value:
                continue
            if m.group("unit1") and m.group("unit1") != m.group("unit"):
                continue
        unit = m.group("unit").replace("％", "%")
        out.append(_Quantity(m.start(), m.end(), value, value_max, unit, m.group("suffix"), m))
    return out


@lru_cache(maxsize=16)
def _stop_re(stops: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(stops) + "]")


@lru_cache(maxsize=8)
def _stop_positions(text: str, stops: str) -> list[int]:
    """Offsets of every character of `stops` in `text`, in order (found once per text, then bisected)."""
    return [m.start() for m in _stop_re(stops).finditer(text)]


def _bounds(text: str, pos: int, stops: str) -> tuple[int, int]:
    """The span around `pos` delimited by any of `stops` (sentence, clause or line): after the last stop before
    `pos`, up to the first stop at or after it."""
    positions = _stop_positions(text, stops)
    i = bisect_left(positions, pos)
    return (positions[i - 1] + 1 if i else 0), (positions[i] if i < len(positions) else len(text))


def _paragraph_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _last_match_end(regex: re.Pattern[str], s: str) -> int:
    m = None
    for m in regex.finditer(s):  # noqa: B007 - only the last match is wanted
        pass
    return m.end() if m is not None else -1


def sentence_is_goal(prefix: str) -> bool | None:
    """Whether the words before a number frame it as a goal (True), a past/forecast figure (False), or neither."""
    goal = _last_match_end(_GOAL_RE, prefix)
    past = _last_match_end(_PAST_RE, prefix)
    forecast = _last_match_end(_FORECAST_RE, prefix)
    if forecast >= 0 and _last_match_end(_STRONG_GOAL_RE, prefix) <= forecast:
        return False
    if goal < 0 and past < 0:
        return None
    return goal > past


def qualifier_of(q: _Quantity, before: str) -> str:
    if q.value_max is not None:
        return "range"
    if q.suffix:
        return _SUFFIX_QUAL[q.suffix]
    for regex, kind in _PREFIX_QUAL:
        if regex.search(before):
            return kind
    return "exact"


_METRIC_NOISE_RE = re.compile(r"[“”‘’\"'「」\s]")
_LOWER_LATIN_RE = re.compile(r"[a-z]")
_NOT_A_METRIC_RE = re.compile(r"[\d\W]+")
# = (?<![到至\d])((?:19|20)\d{2})年…, the lookbehind moved behind the digits it follows (faster, same matches).
_STATISTIC_YEAR_RE = re.compile(r"((?:19|20)\d{2})(?<![到至\d]\d{4})年(?!前|以前|底前)")


def clean_metric(metric: str) -> str:
    metric = _METRIC_NOISE_RE.sub("", metric)
    metric = metric.strip("的、和及与")
    return _LOWER_LATIN_RE.sub(lambda m: m.group(0).upper(), metric)


ENUMERATION = ("", -1)


def _is_enumeration(q: _Quantity, np: str, rest: str) -> bool:
    """四个“高地”，即…; 两条“道路”; 20项具体任务：…: a number that counts named items, not a goal."""
    if _ENUM_AFTER_RE.match(rest):
        return True
    chinese = not q.match.group("num")[0].isdigit()
    return chinese and "“" in np


def _metric_after(text: str, q: _Quantity, limit: int) -> tuple[str, int] | None:
    """The counted thing after the unit: "10个以上区块链公共服务平台" → (区块链公共服务平台, end)."""
    start = q.end
    window = text[start : min(limit, start + 40)]
    stop = _NP_STOP_RE.search(window)
    np = window[: stop.start()] if stop else window
    if np and _is_enumeration(q, np, window[len(np) :]):
        return ENUMERATION
    end = start + len(np)
    cut = np.rfind("的")
    core = np[cut + 1 :] if cut >= 0 and len(np) - cut - 1 >= 2 else np.lstrip("的")
    core = clean_metric(core)
    vo = _VERB_OBJECT_RE.match(core)
    if vo:
        core = vo.group(2) + vo.group(1)
    return (core, end) if core else None


def _metric_before(text: str, clause_start: int, q: _Quantity,
                   mentions: list[RegionMention]) -> tuple[str, int] | None:
    """The counted thing before the verb: "相关产业营业收入达到30亿元" → (相关产业营业收入, its start)."""
    s = clause_start
    end = q.start
    while True:
        seg = text[s:end]
        m = _LEAD_STRIP_RE.match(seg)
        region = next((r for r in mentions if r.start == s and r.end <= end), None)
        if region is not None:
            s = region.end
        elif m and m.end() > 0 and m.end() < len(seg):
            s += m.end()
        else:
            break
    seg = text[s:end]
    while True:
        t = _TRAIL_STRIP_RE.search(seg)
        if not t or t.start() == 0:
            break
        seg = seg[: t.start()]
    metric = clean_metric(seg)
    if not metric or len(metric) > 30:
        return None
    return metric, s


# A metric that ends in one of these with at most two characters before it is a heading's noun (重点任务).
_STRUCTURAL_ENDINGS = ("任务", "方面", "领域", "原则", "举措", "措施", "环节", "工程", "行动")
_STRUCTURAL_ENDING_LEN = 2  # all of them: one length check and one endswith() instead of a loop
assert all(len(n) == _STRUCTURAL_ENDING_LEN for n in _STRUCTURAL_ENDINGS)


def _valid_metric(metric: str) -> bool:
    if not metric or len(metric) < 2 and metric not in ("人",):
        return False
    if metric in STRUCTURAL_NOUNS or (len(metric) <= _STRUCTURAL_ENDING_LEN + 2
                                      and metric.endswith(_STRUCTURAL_ENDINGS)):
        return False
    if metric in REGION_CLASS_NOUNS or (len(metric) <= 4 and (metric[:2] in REGION_CLASS_NOUNS
                                                                or len(metric) <= 2)):
        return False
    return not _NOT_A_METRIC_RE.fullmatch(metric)


def _deadline_year(prefix: str, reference: date | None) -> int | None:
    best = None
    year = _YEAR_IN_DEADLINE_RE.search(prefix)
    start = max(0, year.start() - _DEADLINE_LEAD_CHARS) if year else len(prefix)  # no match starts before
    for m in _YEAR_DEADLINE_RE.finditer(prefix, start):  # (its lookbehinds still see the text before `start`)
        if m.group(1) or m.group(2):
            best = int(m.group(1) or m.group(2))
        elif m.group(3) and reference is not None and int(m.group(3)) > reference.year:
            best = int(m.group(3))
    if best is None and reference is not None and _THIS_YEAR_RE.search(prefix):
        return reference.year
    return best


def _past_year(prefix: str, reference: date | None) -> bool:
    """A bare year before the reference year in the clause: a statistic ("2019年,全省新增…")."""
    if reference is None:
        return False
    for m in _STATISTIC_YEAR_RE.finditer(prefix):
        if int(m.group(1)) < reference.year:
            return True
    return False


@dataclass
class _Context:
    text: str
    policies: list[Policy]
    refs: list  # PolicyReference
    mentions: list[RegionMention]
    reference: date | None
    title_spans: list[tuple[int, int]]


def _region_for(ctx: _Context, sent_start: int, pos: int, metric_span: tuple[int, int]) -> str | None:
    in_sentence = [m for m in ctx.mentions if sent_start <= m.start < pos
                   and not (metric_span[0] <= m.start < metric_span[1])]
    if in_sentence:
        return in_sentence[-1].name
    refs = [r for r in ctx.refs if sent_start <= r.start < pos]
    if refs and refs[-1].policy.region:
        return refs[-1].policy.region
    para = _paragraph_start(ctx.text, pos)
    mention = next((m for m in reversed(ctx.mentions) if para <= m.start < sent_start), None)
    ref = next((r for r in reversed(ctx.refs) if para <= r.start < sent_start and r.policy.region), None)
    if mention and (not ref or mention.start > ref.start):
        return mention.name
    if ref:
        return ref.policy.region
    ref = next((r for r in reversed(ctx.refs) if r.start < pos and r.policy.region), None)
    return ref.policy.region if ref else None


def _policy_for(ctx: _Context, sent_start: int, pos: int, region: str | None) -> Policy | None:
    """The policy that sets a goal: named in the sentence, else the latest one of the goal's region."""
    refs = [r for r in ctx.refs if sent_start <= r.start < pos]
    if refs:
        return refs[-1].policy
    para = _paragraph_start(ctx.text, pos)
    refs = [r for r in ctx.refs if para <= r.start < pos]
    if refs and (region is None or refs[-1].policy.region == region):
        return refs[-1].policy
    same = [p for p in ctx.policies if region and p.region == region]
    return same[-1] if same else None


def _metric_overlap(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    return dice(a, b) >= 0.5


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


def is_duplicate(t: Target, seen: list[Target]) -> bool:
    return any(t.region == s.region and t.value == s.value and t.value_max == s.value_max and t.unit == s.unit
               and _metric_overlap(t.metric, s.metric) for s in seen)


def _scan(ctx: _Context) -> list[Target]:
    text = ctx.text
    targets: list[Target] = []
    prev_goal: tuple[int, int | None] | None = None  # (sentence end, year) of the last goal sentence
    for q in find_quantities(text):
        if any(s <= q.start < e for s, e in ctx.title_spans) or _in_heading(text, q.start):
            continue
        sent_start, sent_end = _bounds(text, q.start, _SENTENCE_END)
        clause_start, clause_end = _bounds(text, q.start, _CLAUSE_END)
        prefix = text[sent_start : q.start]
        clause_prefix = text[clause_start : q.start]
        goal = sentence_is_goal(prefix)
        year = _deadline_year(prefix, ctx.reference)
        if goal is None and prev_goal and _continues(text, prev_goal[0], sent_start):
            goal, year = True, prev_goal[1] if year is None else year
        if not goal or _past_year(clause_prefix, ctx.reference):
            continue
        target = _build(ctx, q, sent_start, sent_end, clause_start, clause_end, year, targets)
        if target is None:
            continue
        prev_goal = (sent_end, target.year)
        if not is_duplicate(target, targets):
            targets.append(target)
    return targets


def _in_heading(text: str, pos: int) -> bool:
    """A headline or subheading line (short, no sentence punctuation) restates the body; its numbers are not read."""
    start, end = _bounds(text, pos, "\n")
    line = text[start:end]
    return len(line) <= 40 and not any(c in line for c in "。！？；，")


def _continues(text: str, prev_end: int, sent_start: int) -> bool:
    """The sentence right after a goal sentence, in the same paragraph, carries its frame."""
    between = text[prev_end:sent_start]
    return len(between) <= 1 and "\n" not in between


def _build(ctx: _Context, q: _Quantity, sent_start: int, sent_end: int, clause_start: int, clause_end: int,
           year: int | None, targets: list[Target]) -> Target | None:
    text = ctx.text
    if q.start > 0 and text[q.start - 1] in "“‘\"「":
        return None  # “五位一体”, “十四五”: names, not quantities
    after = _metric_after(text, q, clause_end)
    if after == ENUMERATION:
        return None
    metric, span_start, span_end = "", q.start, q.end
    if after and _valid_metric(after[0]):
        metric, span_end = after
    elif after and after[0]:
        return None  # an enumeration or a count of regions
    else:
        before = _metric_before(text, clause_start, q, ctx.mentions)
        if before is None:
            return None
        metric, span_start = before
        if _RATE_RE.match(metric):
            prev = targets[-1] if targets else None
            if prev and sent_start <= prev.start and prev.end <= clause_start and \
                    len(text[prev.end : clause_start].strip("，,；; ")) == 0:
                metric, span_start = prev.metric + metric, prev.start
            else:
                return None
        if not _valid_metric(metric):
            return None
    qualifier = qualifier_of(q, text[max(sent_start, q.start - 6) : q.start])
    region = _region_for(ctx, sent_start, q.start, (span_start, span_end) if span_start >= q.start else (0, 0))
    policy = _policy_for(ctx, sent_start, q.start, region)
    if year is None and policy is not None and policy.period_end and (region is None or policy.region == region):
        year = policy.period_end
    return Target(region=region, year=year, metric=metric, value=q.value, value_max=q.value_max, unit=q.unit,
                  qualifier=qualifier, text=text[span_start:span_end], start=span_start, end=span_end,
                  policy_title=policy.title if policy else None)


def extract_targets(text: str, policies: list[Policy], reference: date | None = None, *,
                    regions: list[RegionMention] | None = None,
                    scanned: tuple[list[Policy], list] | None = None) -> list[Target]:
    """Quantitative goals in the (normalised) text, deduplicated, in order of first statement.

    `scanned`: what `policy_references` gave for this same text, reference and regions, when the caller has it
    (extract_facts): the text is then not scanned for policies a second time.
    """
    try:
        from extract.policies import _mentions, _reference_for, policy_references

        mentions = _mentions(text, regions)
        reference = _reference_for(reference, text)
        found, refs = scanned if scanned is not None else policy_references(text, reference, mentions)
        by_title = {p.title: p for p in policies}
        for r in refs:  # point references at the caller's Policy objects (same titles)
            r.policy = by_title.get(r.policy.title, r.policy)
        spans = [(m.start() + 1, m.end() - 1) for m in re.finditer(r"《[^《》\n]{1,150}》", text)]
        ctx = _Context(text, policies or found, refs, mentions, reference, spans)
        return _scan(ctx)
    except Exception:  # noqa: BLE001 - extraction must not stop a crawl
        logger.exception("target extraction failed (%d chars)", len(text))
        return []
