"""One article → its facts (spec/FACTS.md): article fields, policies, targets, regions, keywords.

The single entry point the CLI (`policycrawl extract`), the pipelines and the scorer call. Time is injected: the
article's publish date when the crawler knows it, else the year the text itself is about; never the clock.
"""

from __future__ import annotations

import logging
import re
from datetime import date

from extract.dates import infer_reference_year, parse_date
from extract.doc_identity import (
    document_policies,
    local_region,
    report_article_fields,
    signature_region,
    with_region,
)
from extract.document import build_document, region_for_news
from extract.keywords import extract_keywords
from extract.normalize import Normalized, normalize_text
from extract.policies import _merge, _reference_for, _scan, find_doc_number, policy_from_title
from extract.policies import logger as policies_logger
from extract.records import ArticleFacts, Policy, RegionMention
from extract.regions import find_regions, lookup_region
from extract.targets import explain_targets, extract_targets

logger = logging.getLogger(__name__)

HANS = "zh-Hans"

_SENTENCE_PUNCT = "。！？!?；;…"
_NEWSPAPER_REPORTER_RE = re.compile(r"《([^《》\n]{2,12}(?:报|刊|周刊|杂志|网|社|台|新闻))》(?:记者|报道|讯|消息|评论员)")
_AGENCY_REPORTER_RE = re.compile(
    r"(?:^|[\n（(【\[据])((?:新华社|中新社|中新网|人民网|新华网|央视网|央视新闻|中国新闻网|澎湃新闻|第一财经|经济日报|"
    r"[\u4e00-\u9fff]{2,6}(?:日报|晚报|时报|商报|新闻网|报社))(?:记者|讯|消息|报道))"
)
_TRAILER_SOURCE_RES = (
    re.compile(r"以上(?:信息|内容|资讯)?由\s*([^\s—\-（(，,。:：|]{2,20}?)\s*(?:[—\-（(]|小编|编辑|整理)"),
    re.compile(r"(?:来源|稿件来源|文章来源|信息来源|来源于)\s*[:：]\s*([^\s（()）,，。|]{2,20})"),
    re.compile(r"(?:^|\s)([^\s《》]{2,12}?)\s*发布了\s*《"),
)
_AUTHOR_END_RE = re.compile(
    r"[（(]\s*(?:记者|文|作者|通讯员|撰稿)?\s*[:：]?\s*((?:[\u4e00-\u9fff]\s?){1,3}[\u4e00-\u9fff])\s*[)）]\s*$"
)
_AUTHOR_END_CHARS = 80  # "（记者 张三 李四）" closes a text: only its tail is read
# Each by-line pattern with the words it cannot match without: most texts have none, and are not searched.
_AUTHOR_LINE_RES = (
    (re.compile(r"(?:^|\n)[^\n。，]{0,12}?记者\s*[|｜:：]?\s*([\u4e00-\u9fff]{2,3})\s*(?:\n|$)"), ("记者",)),
    (re.compile(r"(?:^|\n)[^\n。，]{2,14}?(?:研究员|分析师|撰稿人)\s+([\u4e00-\u9fff]{2,3})\s"), ("研究员", "分析师", "撰稿人")),
    (re.compile(r"(?:^|\n)\s*(?:作者|文|撰文|记者)\s*[:：/｜|]\s*([\u4e00-\u9fff]{2,4})(?=\s|$|[，。])"),
     (":", "：", "/", "｜", "|")),
    (re.compile(r"(?:本报|本刊|本台)?记者\s+([\u4e00-\u9fff]{2,3})(?=\s|报道|$)"), ("记者",)),
)
_NOT_NAMES = frozenset("完续略图摄待编注")


def _normalize(text: str, normalized: bool):
    if not normalized:
        return normalize_text(text)
    return Normalized(text, text, HANS, [])


def infer_title(text: str) -> str | None:
    """The first line when it is a headline: short, and not a sentence."""
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if 4 <= len(line) <= 40 and not any(c in line for c in _SENTENCE_PUNCT) and line.count("，") <= 1 \
                and not line.endswith(("，", ",", "：", ":")):
            return line
        return None
    return None


def infer_source(text: str, removed: list[str]) -> str | None:
    """The newspaper or site that published the text: 《证券日报》记者, "以上信息由某网…整理", 来源：…."""
    for part in (*removed, text[-300:]):
        for regex in _TRAILER_SOURCE_RES:
            m = regex.search(part)
            if m and m.group(1) not in ("本站", "本网", "小编"):
                return m.group(1)
    m = _NEWSPAPER_REPORTER_RE.search(text)
    if m:
        return m.group(1)
    m = _AGENCY_REPORTER_RE.search(text[:400])
    if m and not m.group(1).startswith("本"):
        return m.group(1)
    return None


def infer_author(text: str, removed: list[str]) -> str | None:
    """The reporter: "（邢 萌）" at the end → 邢萌; "记者 张三" / "作者：张三"."""
    for part in (text.rstrip()[-_AUTHOR_END_CHARS:], *reversed(removed)):
        m = _AUTHOR_END_RE.search(part)
        if m:
            name = re.sub(r"\s+", "", m.group(1))
            if not set(name) & _NOT_NAMES and not _is_place(name):
                return name
    for part in (text[:400], text[-200:]):
        for regex, needed in _AUTHOR_LINE_RES:
            m = regex.search(part) if any(word in part for word in needed) else None
            if m and not _is_place(m.group(1)):
                return m.group(1)
    return None


def _is_place(name: str) -> bool:
    try:
        return lookup_region(name) is not None
    except Exception:  # noqa: BLE001
        return False


def _reference(reference_date: date | None, text: str) -> date | None:
    if reference_date is not None:
        return reference_date
    try:
        year = infer_reference_year(text)
    except Exception:  # noqa: BLE001
        logger.warning("could not infer the reference year")
        year = None
    return date(year, 12, 31) if year else None


def _page_policy(page_fields: dict, reference: date | None) -> Policy | None:
    """A government notice page is itself a policy: its title, 发文字号, issuer, 成文日期."""
    title = (page_fields.get("title") or "").strip()
    if not title:
        return None
    issued = page_fields.get("written_on") or page_fields.get("published_on")
    if issued:
        try:
            issued = parse_date(str(issued), reference) or str(issued)
        except Exception:  # noqa: BLE001
            issued = str(issued)
    doc_number = page_fields.get("doc_number")
    if doc_number:
        doc_number = find_doc_number(doc_number) or doc_number.strip()
    issuer = (page_fields.get("issuer") or "").strip() or None
    return policy_from_title(title, issuer=issuer, issued_on=issued, doc_number=doc_number)


def _keywords(text: str) -> list[tuple[str, float]]:
    try:
        return extract_keywords(text)
    except Exception:  # noqa: BLE001
        logger.warning("keyword extraction failed")
        return []


def _scan_policies(body: str, reference: date | None,
                   mentions: list[RegionMention]) -> tuple[list[Policy], list] | None:
    """One scan for policies (as extract_policies) and the places that name them (which the targets use),
    instead of one each; None when it failed (logged as extract_policies would)."""
    try:
        return _scan(body, _reference_for(reference, body), mentions)
    except Exception:  # noqa: BLE001 - extraction must not stop a crawl
        policies_logger.exception("policy extraction failed (%d chars)", len(body))
        return None


_INTERNATIONAL_RE = re.compile(r"^(?:联合国|二十国集团|国际|世界|全球|亚太|金砖|上海合作组织)")


def _fill_policy_regions(policies: list[Policy], region: str | None, kind: str) -> None:
    """Fields a named policy inherits from the text it is named in: a relative issuer (省委, 省政府) gets the
    text's region; in a national document or a Hong Kong story, an unplaced policy is the text's region's."""
    if not region:
        return
    for p in policies:
        absolute = with_region(p.issuer, region) if region != "全国" else p.issuer
        if absolute != p.issuer:
            p.issuer, p.region = absolute, p.region or region
        if p.region is None and not _INTERNATIONAL_RE.match(p.title) and (
                region in ("全国", "香港特别行政区") and (kind != "news" or region == "香港特别行政区")):
            p.region = region


def extract_facts(text: str, *, file: str | None = None, reference_date: date | None = None,
                  title: str | None = None, source: str | None = None, author: str | None = None,
                  page_fields: dict | None = None, normalized: bool = False, keywords: bool = True,
                  explain: list | None = None) -> ArticleFacts:
    """Everything FACTS.md asks for one article; never raises (a failing stage leaves its fields empty).

    `explain`: a list that receives every candidate quantity's decision (`policycrawl extract --explain`).
    """
    try:
        norm = _normalize(text or "", normalized)
    except Exception:  # noqa: BLE001
        logger.exception("normalisation failed for %s", file)
        return ArticleFacts(file=file, title=title, language=HANS, regions_mentioned=[], source=source,
                            author=author)
    body = norm.text
    facts = ArticleFacts(file=file, title=None, language=norm.language or HANS, regions_mentioned=[],
                         source=source, author=author)
    mentions: list[RegionMention] = []
    try:
        mentions = find_regions(body)
        facts.region_mentions = mentions
        facts.regions_mentioned = sorted({m.name for m in mentions})  # = regions_mentioned(body), one pass
    except Exception:  # noqa: BLE001
        logger.exception("region finding failed for %s", file)
    reference = _reference(reference_date, body)
    doc = build_document(body, reference.year if reference else None)
    try:
        header_source, speaker = report_article_fields(body, doc)
        facts.title = title.strip() if title else infer_title(body)
        facts.source = source or header_source or infer_source(body, norm.removed)
        facts.author = re.sub(r"\s+", "", author) if author else (speaker or infer_author(body, norm.removed))
    except Exception:  # noqa: BLE001
        logger.exception("article fields failed for %s", file)
    try:
        scanned = _scan_policies(body, reference, mentions)
        policies = list(scanned[0]) if scanned is not None else []
        own = document_policies(body, doc) if not page_fields else []
        for p in reversed(own):
            same = next((x for x in policies if x.title == p.title), None)
            if same is not None:
                policies.remove(same)
                for f in ("issuer", "issued_on", "doc_number", "region"):
                    if getattr(same, f) is not None and getattr(p, f) is None:
                        setattr(p, f, getattr(same, f))
                p.spans.extend(same.spans)
            policies.insert(0, p)
        if page_fields:
            page = _page_policy(page_fields, reference)
            if page is not None:
                same = next((p for p in policies if p.title == page.title), None)
                if same is not None:
                    policies.remove(same)
                    _merge(page, same)
                policies.insert(0, page)
        for p in policies:
            if p.region is None and doc.kind != "news" and own:
                p.region = own[0].region if p.title in {o.title for o in own} else p.region
        facts.policies = policies
        if own and doc.kind == "document":
            facts.title = title.strip() if title else own[0].title
        doc.region = (own[0].region if own else None) or region_for_news(body, facts.language, mentions)
        if doc.region is None and doc.kind != "news":
            doc.region = signature_region(body) or next(
                (r for p in policies for r in (p.region, local_region(p.title)) if r), None)
            for p in policies:
                if p.region is None and local_region(p.title) is None and p.doc_type == "政府工作报告":
                    p.region = doc.region
        if doc.region is None and doc.kind == "news":
            first = body.split("\n", 1)[0]
            names = {m.name for m in mentions if m.end <= len(first)}
            doc.region = names.pop() if len(names) == 1 else None
        _fill_policy_regions(policies, doc.region, doc.kind)
        if scanned is not None:
            scanned = (policies, scanned[1])
        facts.targets = extract_targets(body, policies, reference, regions=mentions, scanned=scanned, document=doc)
        if explain is not None:
            explain.extend(explain_targets(body, policies, reference, regions=mentions, document=doc))
    except Exception:  # noqa: BLE001
        logger.exception("policy/target extraction failed for %s", file)
    if keywords:
        facts.keywords = _keywords(body)
    return facts
