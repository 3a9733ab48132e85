"""Policy documents named in a text: titles in 《》 with issuer, region, date, 发文字号, period, type, status.

Input is normalised Simplified text (`extract.normalize.normalize_text`). A title counts as a policy only when it
ends like an official document (方案, 计划, 意见, 通知, 办法…), so newspapers (《证券日报》) and article headlines fall
out; short generic names (《计划》, 《意见》, 《实施方案》) and aliases from `(以下简称…)` point back to the last full
title instead of making a new policy (`policy_references`), which `extract.targets` uses to place goals.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date

from extract.policy_identity import policy_key
from extract.records import Policy, RegionMention

logger = logging.getLogger(__name__)

NATIONAL = "全国"

# Endings that make a 《…》 title an official document; the FACTS.md doc_type is the first matching row.
DOC_TYPE_ENDINGS: tuple[tuple[str, str], ...] = (
    ("政府工作报告", "政府工作报告"),
    ("行动计划", "行动计划"),
    ("实施方案", "实施方案"),
    ("行动方案", "行动方案"),
    ("总体方案", "总体方案"),
    ("政策措施", "政策措施"),
    ("规划", "规划"),
    ("意见", "意见"),
    ("通知", "通知"),
    ("办法", "办法"),
)
_OTHER_DOC_ENDINGS = (
    "计划", "方案", "决定", "条例", "规定", "措施", "纲要", "报告", "细则", "指引", "指南", "政策", "法",
    "规则", "决议", "公告", "通告", "批复", "要点", "清单", "目录", "章程", "准则", "制度", "白皮书", "标准",
    "路线图", "若干条", "工作方案", "函", "建议", "战略", "举措", "守则", "规范", "纪要", "试点", "行动",
    "策略", "公约", "倡议", "分工",
)
DOC_ENDINGS: tuple[str, ...] = tuple(sorted({e for e, _ in DOC_TYPE_ENDINGS} | set(_OTHER_DOC_ENDINGS), key=len,
                                            reverse=True))

# Trailing parentheticals that are part of a title but not of its kind: (2020-2022年), (征求意见稿), (试行)…
_TRAILING_PAREN_RE = re.compile(r"(?:\([^()]{0,30}\))+$")
_PERIOD_RE = re.compile(r"((?:19|20)\d{2})\s*年?\s*[-—–~～至到]\s*((?:19|20)\d{2})\s*年")

# A back-reference: a bare document word, optionally with a generic modifier, no place, no topic.
_GENERIC_REF_RE = re.compile(
    r"^(?:若干|三年|五年|专项|总体|实施|行动|工作|发展|该|本|上述|此)?"
    r"(?:行动|实施|工作|总体|专项|发展|指导|若干|政策|三年)?"
    r"(?:计划|方案|意见|规划|办法|通知|措施|政策措施|纲要|细则|条例|决定|规定|报告|指引|指南|政策|若干措施|若干政策)$"
)
_ALIAS_RE = re.compile(r"[(（]\s*(?:以下简称|下称|以下称|简称|以下统称)\s*[:：]?\s*[《“\"']([^》”\"'()（）]{1,20})[》”\"']\s*[)）]")

_SENTENCE_END_RE = re.compile(r"[。！？!?\n]")
_WINDOW = 160  # characters around a title that its issuer, date and number are read from
_TITLE_RE = re.compile(r"《([^《》\n]{2,150})》")
_SENTENCE_END = "。！？!?\n"
_CLAUSE_END = "，,；;：:。！？!?\n"

_VERBS = r"印发|发布|出台|公布|下发|颁布|发出|出炉|推出|制定|编制|发文|审议通过|通过"
_VERB_RE = re.compile(rf"联合(?:正式)?(?:{_VERBS})|正式(?:{_VERBS})|{_VERBS}")  # literal-first: fast to search
_FILLER_RE = re.compile(
    r"(?:近日|日前|今天|今日|昨天|昨日|日内|近期|也|还|已经|已|就|于|正式|再次|先后|分别|相继|共同|刚刚|又|专门|"
    r"(?:\d{1,2}月)?\d{1,2}日|\d{1,2}月(?:初|中旬|下旬|上旬|底|末|份)?)+$"
)
_ORG_SUFFIX_RE = re.compile(
    r"(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会|党委|省委|市委|区委|县委|中共中央|中央|国务院|"
    r"政府|厅|局|委|部|署|院|办|中心|银行|协会|总局|集团|管委会|领导小组|小组)$"
)
_CENTRAL_RE = re.compile(
    r"^(?:中华人民共和国|中共中央|中央|国务院|全国人大|全国人民代表大会|全国政协|国家|中国人民银行|最高人民|海关总署|"
    r"(?:工业和信息化|财政|科学技术|科技|商务|教育|公安|民政|司法|人力资源和社会保障|自然资源|生态环境|住房和城乡建设|"
    r"交通运输|水利|农业农村|文化和旅游|卫生健康|应急管理|审计|外交|国防|退役军人事务)部|"
    r"(?:国家)?(?:发展改革委|发改委|网信办|统计局|市场监管总局|税务总局|广电总局|能源局|知识产权局|医保局)|"
    r"银保监会|证监会|银监会|保监会|央行)"
)
_DOC_NUMBER_RE = re.compile(
    r"([\u4e00-\u9fff]{1,12})\s*[〔\[［(（【]\s*((?:19|20)\d{2})\s*[〕\]］)）】]\s*(\d{1,4})\s*号"
)
_MONTH_ONLY_RE = re.compile(r"(?:((?:19|20)\d{2})年)?(\d{1,2})月(?:初|上旬|中旬|下旬|底|末|份|中)?(?!\d|日|号)")
_FULL_DATE_RE = re.compile(r"(?:((?:19|20)\d{2})年)?(\d{1,2})月(\d{1,2})[日号]")
_YEAR_ONLY_RE = re.compile(r"((?:19|20)\d{2})年(?!\d|[-—–~～至到])")


_TITLE_ISSUER_RE = re.compile(r"^([\u4e00-\u9fff、]{2,40}?)关于")
_RELATIVE_RE = re.compile(r"^[省市](?:人民政府|政府|委|政府办公厅|人民政府办公厅|人民政府办公室)")


@dataclass
class PolicyReference:
    """One place in the text that names a policy: its full title, a back-reference (《计划》) or an alias."""

    start: int
    end: int
    policy: Policy
    full: bool  # the full title, as opposed to a back-reference


@dataclass
class _Candidate:
    title: str
    raw: str
    start: int  # of the raw title, inside 《》
    end: int


def _normalize_title(raw: str) -> str:
    """Identity of a title (Simplified, ASCII brackets, no spaces); falls back to a local rule if needed."""
    try:
        from extract.normalize import normalize_title

        return normalize_title(raw)
    except Exception:  # noqa: BLE001 - a title must never stop extraction
        logger.warning("normalize_title failed on %r", raw)
        return re.sub(r"\s+", "", raw.replace("（", "(").replace("）", ")"))


def strip_title_suffixes(title: str) -> str:
    """The title without trailing parentheticals such as (2020-2022年), (征求意见稿), (试行)."""
    return _TRAILING_PAREN_RE.sub("", title)


def doc_type_of(title: str) -> str:
    """FACTS.md doc_type: the title's ending kind, else 其他."""
    core = strip_title_suffixes(title)
    for ending, kind in DOC_TYPE_ENDINGS:
        if core.endswith(ending):
            return kind
    return "其他"


def looks_like_document(title: str) -> bool:
    """A title names an official document when it ends with a document word (and is not a headline)."""
    core = strip_title_suffixes(title).rstrip("”’\"'")
    return bool(core) and core.endswith(DOC_ENDINGS)


def is_back_reference(title: str) -> bool:
    """《计划》, 《意见》, 《实施方案》: a generic name that means the last full title."""
    return len(title) <= 8 and bool(_GENERIC_REF_RE.match(title))


def plan_period(title: str) -> tuple[int | None, int | None]:
    """(2020-2022年) → (2020, 2022); anything else → (None, None)."""
    m = _PERIOD_RE.search(title)
    if not m:
        return None, None
    start, end = int(m.group(1)), int(m.group(2))
    return (start, end) if start <= end else (None, None)


def status_of(title: str) -> str:
    return "draft" if "征求意见稿" in title else "final"


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    start = pos
    while start > 0 and text[start - 1] not in _SENTENCE_END:
        start -= 1
    end = pos
    while end < len(text) and text[end] not in _SENTENCE_END:
        end += 1
    return start, end


def _find_candidates(text: str) -> list[_Candidate]:
    out = []
    for m in _TITLE_RE.finditer(text):
        raw = m.group(1)
        out.append(_Candidate(_normalize_title(raw), raw, m.start(1), m.end(1)))
    return out


def _is_related_headline(text: str, cand: _Candidate) -> bool:
    """"…网发布了《…》的文章": a link to another article, not a document."""
    after = text[cand.end + 1 : cand.end + 6]
    before = text[max(0, cand.start - 8) : cand.start - 1]
    if after.startswith(("的文章", "一文", "的报道")):
        return True
    return before.rstrip().endswith("发布了") and " " in cand.raw


def _issuer_clause(text: str, sent_start: int, title_start: int) -> str:
    """The words between the start of the clause and 《 (the issuer is named there)."""
    prefix = text[sent_start : title_start - 1]
    cut = max(prefix.rfind(c) for c in "，,；;：:")
    return prefix[cut + 1 :] if cut >= 0 else prefix


def find_issuer(clause: str, mentions: list[RegionMention] | None = None) -> str | None:
    """The body named before 印发/发布/出台… in the clause that leads to a title, else None."""
    verbs = list(_VERB_RE.finditer(clause))
    if not verbs:
        return None
    for verb in reversed(verbs):
        tail = clause[verb.end() :]
        # Between the verb and 《 only short glue (了, 的, 关于, 公开征求, a second verb…).
        if len(tail) > 12 or any(c in tail for c in "。，；"):
            continue
        head = clause[: verb.start()]
        head = _FILLER_RE.sub("", head)
        issuer = _org_suffix_of(head)
        if issuer:
            return issuer
    return None


_JUNK_PREFIX_RE = re.compile(
    r"^(?:.*?(?:获悉|了解到|据悉|报道|消息|显示|指出|表示|看到|注意到|发现|例如|比如|其中|此外|另外|同时))"
)
_DATE_PREFIX_RE = re.compile(r"^(?:(?:19|20)\d{2}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:初|底|末|中旬|上旬|下旬)?")


def _org_suffix_of(head: str) -> str | None:
    head = re.sub(r"^(?:根据|据|按照|依据)", "", head.strip(" 、"))
    counted = re.search(r"等(?:\d+|[一二三四五六七八九十]+)(?:个)?部门$", head)  # 国家卫生健康委等4部门, kept as printed
    bare = head[: counted.start()] if counted else re.sub(r"(?:等(?:部门|单位)?)$", "", head)
    if not bare or not _ORG_SUFFIX_RE.search(bare):
        return None
    head = head if counted else bare
    head = _DATE_PREFIX_RE.sub("", head)
    # Keep from the first place where an organisation plausibly starts.
    start = _org_start(head)
    head = head[start:]
    if not (2 <= len(head) <= 40):
        return None
    return head


_ORG_START_RE = re.compile(
    r"中共|中央|国务院|全国|国家|[\u4e00-\u9fff]{2,3}(?:省|市|自治区|特别行政区|县|区|州|盟)|"
    r"(?:北京|天津|上海|重庆|[\u4e00-\u9fff]{2})(?=市|省)"
)


def _org_start(head: str) -> int:
    """Where an organisation name begins in a clause head: after reporting junk, at a place or central body."""
    try:
        from extract.regions import find_regions

        mentions = find_regions(head)
    except Exception:  # noqa: BLE001
        mentions = []
    candidates = [m.start for m in mentions]
    c = _CENTRAL_RE.search(head)
    if c:
        candidates.append(c.start())
    if candidates:
        return min(candidates)
    m = _JUNK_PREFIX_RE.match(head)
    return m.end() if m and m.end() < len(head) - 1 else 0


def region_of_name(name: str) -> str | None:
    """The region a body or title belongs to: its leading place name, or 全国 for central bodies."""
    if not name:
        return None
    if _CENTRAL_RE.match(name):
        return NATIONAL
    try:
        from extract.regions import find_regions

        mentions = find_regions(name)
    except Exception:  # noqa: BLE001
        logger.warning("region lookup failed for %r", name)
        return None
    if mentions and mentions[0].start <= 2:
        return mentions[0].name
    return None


def _region_of_issuer(issuer: str) -> str | None:
    parts = [p for p in re.split(r"[、和及与]", issuer) if p]
    regions = [region_of_name(p) for p in parts]
    for r in regions:
        if r and r != NATIONAL:
            return r
    return NATIONAL if NATIONAL in regions else None


def _reference_for(reference: date | None, text: str) -> date | None:
    if reference is not None:
        return reference
    try:
        from extract.dates import infer_reference_year

        year = infer_reference_year(text)
    except Exception:  # noqa: BLE001
        year = None
    return date(year, 12, 31) if year else None


def find_issue_date(prefix: str, reference: date | None) -> str | None:
    """The date said just before a title in its sentence: 4月27日 → YYYY-04-27, 7月初 → YYYY-07, 2020年 → 2020."""
    prefix = re.sub(r"(?:到|至|截至|截止)(?:19|20)\d{2}年", "", prefix)
    year_default = reference.year if reference else None
    best: tuple[int, str] | None = None
    for m in _FULL_DATE_RE.finditer(prefix):
        year = int(m.group(1)) if m.group(1) else year_default
        month, day = int(m.group(2)), int(m.group(3))
        if year and 1 <= month <= 12 and 1 <= day <= 31:
            best = max(best or (-1, ""), (m.end(), f"{year:04d}-{month:02d}-{day:02d}"))
    if best is None:
        for m in _MONTH_ONLY_RE.finditer(prefix):
            year = int(m.group(1)) if m.group(1) else year_default
            month = int(m.group(2))
            if year and 1 <= month <= 12:
                best = max(best or (-1, ""), (m.end(), f"{year:04d}-{month:02d}"))
    if best is None:
        for m in _YEAR_ONLY_RE.finditer(prefix):
            best = max(best or (-1, ""), (m.end(), m.group(1)))
    return best[1] if best else None


def canonical_doc_number(match: re.Match[str]) -> str:
    """京政办发[2020]19号 / (2020) / 【2020】 → 京政办发〔2020〕19号 (the official bracket form)."""
    return f"{match.group(1)}〔{match.group(2)}〕{match.group(3)}号"


def find_doc_number(text: str) -> str | None:
    m = _DOC_NUMBER_RE.search(text)
    return canonical_doc_number(m) if m else None


def _doc_number_near(text: str, cand: _Candidate, sent_start: int, sent_end: int) -> str | None:
    """A 发文字号 in the title's sentence, the nearest one after the title first."""
    after = text[cand.end : min(sent_end, cand.end + 60)]
    m = _DOC_NUMBER_RE.search(after)
    if m and "《" not in after[: m.start()]:
        return canonical_doc_number(m)
    before = text[max(sent_start, cand.start - 60) : cand.start]
    ms = list(_DOC_NUMBER_RE.finditer(before))
    return canonical_doc_number(ms[-1]) if ms else None


def _sentence_region(sent_start: int, sent_end: int, mentions: list[RegionMention], mention_starts: list[int],
                     titles: list[tuple[int, int]], title_starts: list[int]) -> str | None:
    """The one region a sentence names outside titles, when it names exactly one (by bisect over the sorted
    mentions and titles: a sentence of hundreds of titles stays linear)."""
    names = set()
    for m in mentions[bisect_left(mention_starts, sent_start) : bisect_left(mention_starts, sent_end)]:
        i = bisect_right(title_starts, m.start) - 1
        if i < 0 or m.start >= titles[i][1]:
            names.add(m.name)
    return names.pop() if len(names) == 1 else None


def _merge(into: Policy, other: Policy) -> None:
    for f in ("issuer", "region", "issued_on", "doc_number", "period_start", "period_end"):
        if getattr(into, f) is None and getattr(other, f) is not None:
            setattr(into, f, getattr(other, f))
    into.spans.extend(other.spans)


def policy_from_title(title: str, *, issuer: str | None = None, issued_on: str | None = None,
                      doc_number: str | None = None, region: str | None = None) -> Policy:
    """A Policy with every field that the title alone determines (period, type, status, region)."""
    title = _normalize_title(title)
    start, end = plan_period(title)
    if issuer is None:
        own = _TITLE_ISSUER_RE.match(title)
        if own and _ORG_SUFFIX_RE.search(own.group(1)):
            issuer = own.group(1)
    if issuer and _RELATIVE_RE.match(issuer):
        place = next((m for m in _mentions(title, None) if m.name.endswith(issuer[0])), None)
        if place is not None:
            issuer = place.name + issuer[1:] if issuer[0] in "省市" else issuer
    if region is None:
        region = (_region_of_issuer(issuer) if issuer else None) or region_of_name(title)
    return Policy(title=title, issuer=issuer, region=region, issued_on=issued_on, doc_number=doc_number,
                  period_start=start, period_end=end, doc_type=doc_type_of(title), status=status_of(title))


def _scan(text: str, reference: date | None, mentions: list[RegionMention]) -> tuple[list[Policy],
                                                                                     list[PolicyReference]]:
    cands = _find_candidates(text)
    stops = [m.start() for m in _SENTENCE_END_RE.finditer(text)]
    title_spans = [(c.start, c.end) for c in cands]  # in order, not overlapping
    title_starts = [start for start, _ in title_spans]
    mentions = sorted(mentions, key=lambda m: m.start)
    mention_starts = [m.start for m in mentions]
    policies: dict[str, Policy] = {}
    aliases: dict[str, Policy] = {}
    refs: list[PolicyReference] = []
    last: Policy | None = None
    for cand in cands:
        title = cand.title
        if title in aliases or is_back_reference(title):
            target = aliases.get(title) or last
            if target is not None:
                refs.append(PolicyReference(cand.start - 1, cand.end + 1, target, False))
            continue
        named_report = text.startswith(("的报告", "报告"), cand.end + 1) or text.endswith("题为", 0, cand.start - 1)
        if (not looks_like_document(title) and not named_report) or _is_related_headline(text, cand):
            continue
        i = bisect_left(stops, cand.start)
        s_start = max(stops[i - 1] + 1 if i else 0, cand.start - _WINDOW)  # bounded: linear in the text
        s_end = min(stops[i] if i < len(stops) else len(text), cand.end + _WINDOW)
        clause = _issuer_clause(text, s_start, cand.start)
        issuer = find_issuer(clause, mentions)
        issued_on = find_issue_date(text[s_start : cand.start - 1], reference)
        policy = policy_from_title(title, issuer=issuer, issued_on=issued_on,
                                   doc_number=_doc_number_near(text, cand, s_start, s_end))
        if policy.region is None:
            policy.region = _sentence_region(s_start, s_end, mentions, mention_starts, title_spans, title_starts)
        policy.spans.append((cand.start, cand.end))
        key = policy_key(title)  # one document printed with two dashes or brackets is one policy
        if key in policies:
            _merge(policies[key], policy)
            policy = policies[key]
        else:
            policies[key] = policy
        last = policy
        refs.append(PolicyReference(cand.start - 1, cand.end + 1, policy, True))
        alias = _ALIAS_RE.match(text, cand.end + 1)
        if alias:
            name = _normalize_title(alias.group(1))
            aliases[name] = policy
            if text[alias.start(1) - 1] != "《":  # a quoted alias (简称“方案”) is also used bare
                refs.extend(_bare_alias_refs(text, name, policy, alias.end()))
    return list(policies.values()), sorted(refs, key=lambda r: r.start)


def _bare_alias_refs(text: str, alias: str, policy: Policy, after: int) -> list[PolicyReference]:
    """An alias given in quotes (以下简称“方案”) is later used bare or in quotes: 方案指出…, “方案”提出…."""
    out = []
    pattern = re.compile(rf"(?:^|(?<=[，。；：\n“”]))“?{re.escape(alias)}”?(?=还?(?:提出|指出|明确|要求|强调|表示|规定|称))")
    for m in pattern.finditer(text, after):
        s = m.start()
        if text.rfind("《", 0, s) > text.rfind("》", 0, s):
            continue  # inside another title
        out.append(PolicyReference(s, m.end(), policy, False))
    return out


def extract_policies(text: str, reference: date | None = None,
                     regions: list[RegionMention] | None = None) -> list[Policy]:
    """Every policy document the (normalised) text names, in order of first mention, one per title."""
    try:
        return _scan(text, _reference_for(reference, text), _mentions(text, regions))[0]
    except Exception:  # noqa: BLE001 - extraction must not stop a crawl
        logger.exception("policy extraction failed (%d chars)", len(text))
        return []


def policy_references(text: str, reference: date | None = None,
                      regions: list[RegionMention] | None = None) -> tuple[list[Policy], list[PolicyReference]]:
    """Policies and every place that names one (full titles, 《计划》-style back-references, aliases)."""
    try:
        return _scan(text, _reference_for(reference, text), _mentions(text, regions))
    except Exception:  # noqa: BLE001
        logger.exception("policy extraction failed (%d chars)", len(text))
        return [], []


def _mentions(text: str, regions: list[RegionMention] | None) -> list[RegionMention]:
    if regions is not None:
        return regions
    try:
        from extract.regions import find_regions

        return find_regions(text)
    except Exception:  # noqa: BLE001
        logger.warning("region finder failed; policies without sentence regions")
        return []
