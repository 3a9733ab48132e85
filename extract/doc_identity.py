"""The text's own identity when it is a document: its title, issuer, 发文字号, date and region.

A notice, plan or report is itself a policy (spec/FACTS.md Conventions): titled with its heading (lines of a split
heading joined, or the 标题/名称 field), issued by the body before 关于 in the title, in the 落款 above the closing
date, or in the 发文机关 field; dated by its 成文日期, 落款 or a 生成/发布日期; numbered by its 发文字号. A 印发
notice also gives its attachment(s) the same issuer, date and number. Relative issuers (市人民政府办公室) get
their region prefixed.
"""

from __future__ import annotations

import re

from extract.document import Document
from extract.policies import find_doc_number, policy_from_title, region_of_name
from extract.records import Policy

_FIELD_RE = {
    "title": re.compile(r"^(?:标\s*题|名\s*称)\s*[:：|]\s*\|?\s*(.+?)\s*\|?\s*$", re.M),
    "issuer": re.compile(r"^(?:发文机关|发布机构)\s*[:：|]\s*\|?\s*([^|\n]+?)\s*(?:\||$)", re.M),
    "written": re.compile(r"(?:成文日期)\s*[:：|]?\s*\|?\s*((?:19|20)\d{2}[-年./]\d{1,2}[-月./]\d{1,2})"),
    "generated": re.compile(r"(?:生成日期|发布日期)\s*[:：|]?\s*\|?\s*((?:19|20)\d{2}[-年./]\d{1,2}[-月./]\d{1,2})"),
    "number": re.compile(r"(?:发文字号|文\s*号)\s*[:：|]\s*\|?\s*([^|\n]+?〔\d{4}〕\s*\d+\s*号)"),
}
_DOC_NUMBER_LINE_RE = re.compile(r"^[（(]?([\u4e00-\u9fff]{1,12}〔(?:19|20)\d{2}〕\s*\d{1,4}\s*号)[)）]?$")
_DATE_LINE_RE = re.compile(r"^((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日$")
_DELIVERY_RE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日在(.{2,12}?)(?:第|人民代表大会)")
_TITLE_END_RE = re.compile(r"(?:通知|意见|方案|规划|办法|计划|决定|规定|条例|细则|纲要|措施|报告)(?:\([^()]{0,20}\))?$")
_ORG_LINE_RE = re.compile(r"^[\u4e00-\u9fff]{2,30}(?:部|委|办|厅|局|院|署|会|政府|办公室|办公厅|中心|室)$")
_ISSUER_BEFORE_GUANYU_RE = re.compile(r"^(.{2,120}?)关于")
_SOURCE_RE = re.compile(r"^\s*来\s*源\s*[:：]\s*([^\s|]{2,20})", re.M)
_SPEAKER_RE = re.compile(r"^(?:(.{2,20}?)(?:省长|市长|主席|区长|县长|州长)|省长|市长|主席|区长|县长)\s+([\u4e00-\u9fff]{2,4})$")
_RELATIVE_ISSUER_RE = re.compile(r"^(?:省|市|县|区|自治区|州)(?:人民政府|政府|委|人大)")
_REPORT_ISSUER_RE = re.compile(r"((?:[\u4e00-\u9fff]{2,8}?)(?:省|市|自治区|县|区)(?:人民)?政府)工作报告$")


def _iso(y: str, m: str, d: str) -> str:
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def _date_of(s: str) -> str | None:
    m = re.match(r"((?:19|20)\d{2})[-年./](\d{1,2})[-月./](\d{1,2})", s)
    return _iso(*m.groups()) if m else None


_FIELD_LINE_RE = re.compile(
    r"^(?:索\s*引\s*号|发文机关|发文字号|文\s*号|成文日期|发布日期|主题分类|公文种类|来\s*源|有效性|组配分类|发布机构|生成日期|"
    r"信息分类|是否有效|废止日期|主\s*题\s*词)")


def _heading_title(lines: list[str]) -> str | None:
    """The first heading lines joined until they end like a document title (a split heading), after any 信息公开
    field lines; None when the text opens with prose."""
    joined = ""
    for line in lines[:16]:
        if _FIELD_LINE_RE.match(line) or (not joined and "|" in line):
            continue
        if re.match(r"^(?:\d{4}[.\-]\d|\d{4}年\d{1,2}月|来源|[A-Z][a-z]{2},)", line) or len(line) > 80 or \
                line.startswith("各") and line.endswith(("：", ":")):
            break
        joined += line
        if _TITLE_END_RE.search(joined.replace("《", "").replace("》", "")):
            return joined
        if len(joined) > 120:
            break
    return None


def _signature(lines: list[str]) -> tuple[list[str], str | None]:
    """The 落款: the organisation lines right above the first closing date line, and that date."""
    for i, line in enumerate(lines):
        m = _DATE_LINE_RE.match(line)
        if not m or i == 0:
            continue
        orgs = []
        j = i - 1
        while j >= 0 and _ORG_LINE_RE.match(lines[j]) and len(orgs) < 12:
            orgs.insert(0, lines[j])
            j -= 1
        if orgs:
            return orgs, _iso(*m.groups())
    return [], None


def with_region(issuer: str | None, region: str | None) -> str | None:
    """A relative issuer gets its region prefixed (市人民政府办公室 + 六盘水市 → 六盘水市人民政府办公室, 省委 + 湖南省 →
    湖南省委); an absolute one, or one whose level is not the region's, stays as written."""
    if not issuer or not region or not _RELATIVE_ISSUER_RE.match(issuer):
        return issuer
    level = "自治区" if issuer.startswith("自治区") else issuer[0]
    return region + issuer[len(level):] if region.endswith(level) else issuer


def document_policies(text: str, doc: Document) -> list[Policy]:
    """The policies the text itself is (a notice and what it issues, a report); [] for a news story."""
    if doc.kind == "news":
        return []
    head = text[:2500]
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    field = _FIELD_RE["title"].search(head)
    title = field.group(1) if field else _heading_title(lines)
    if not title:
        return []
    title = title.replace("《", "").replace("》", "")
    number = _FIELD_RE["number"].search(head)
    doc_number = number.group(1).strip() if number else None
    if doc_number is None:
        for line in lines[:12]:
            m = _DOC_NUMBER_LINE_RE.match(line)
            if m:
                doc_number = m.group(1)
                break
    orgs, signed_on = _signature(lines[:80])
    written = _FIELD_RE["written"].search(head)
    generated = _FIELD_RE["generated"].search(head)
    issued_on = (_date_of(written.group(1)) if written else None) or signed_on or \
        (_date_of(generated.group(1)) if generated else None)
    issuer = None
    before = _ISSUER_BEFORE_GUANYU_RE.match(title)
    if before and not re.search(r"等\S*部门$", before.group(1)):
        issuer = "、".join(p for p in re.split(r"\s+", before.group(1).strip()) if p)
    elif orgs:
        issuer = "、".join(orgs)
    elif before:
        issuer = before.group(1)
    else:
        issued_by = _FIELD_RE["issuer"].search(head)
        issuer = issued_by.group(1).strip() if issued_by else None
    if doc.kind == "report":
        delivery = _DELIVERY_RE.search(head)
        if delivery:
            issued_on = _iso(*delivery.groups()[:3])
        speaker = next((m for m in (_SPEAKER_RE.match(ln) for ln in lines[1:6]) if m), None)
        by_title = _REPORT_ISSUER_RE.search(re.sub(r"^(?:19|20)\d{2}年", "", title))
        spoken = speaker.group(1) if speaker and speaker.group(1) else None
        if spoken and (not spoken.endswith("政府") or _RELATIVE_ISSUER_RE.match(spoken)):
            spoken = None
        issuer = spoken or (by_title.group(1) if by_title else None)
    region = region_of_name(issuer or "") if issuer else None
    region = region or region_of_name(re.sub(r"^\d{4}年", "", title))
    if region is None and doc.kind == "report":
        delivery = _DELIVERY_RE.search(head)
        region = region_of_name(delivery.group(4)) if delivery else None
    if region is None:
        local = re.match(r"^(?:\d{4}年)?([\u4e00-\u9fff]{2,6}?[县区旗])", re.sub(r"^\d{4}年", "", title))
        region = local.group(1) if local else None
    if region is None and issuer:
        local = re.match(r"^([\u4e00-\u9fff]{2,6}?[县旗])", issuer)
        region = local.group(1) if local else None
    if region is None and issuer and re.match(r"^[\u4e00-\u9fff]{2,16}(?:部|总局|委员会|署)(?:办公厅)?$", issuer) \
            and not re.match(r"^[\u4e00-\u9fff]{1,6}[省市县区]", issuer):
        region = "全国"  # a ministry: 人力资源社会保障部, 住房城乡建设部
    issuer = with_region(issuer, region)
    doc_number = find_doc_number(doc_number) if doc_number and " " not in doc_number else doc_number
    own = policy_from_title(title, issuer=issuer, issued_on=issued_on, doc_number=doc_number, region=region)
    out = [own]
    if "印发" in title or "印发" in text[:1500]:
        for sentence in re.split(r"[。\n]", text[:3000]):
            if "印发" not in sentence:
                continue
            for m in re.finditer(r"《([^《》\n]{2,150})》", sentence):
                out.append(policy_from_title(m.group(1), issuer=issuer, issued_on=issued_on,
                                             doc_number=doc_number, region=region))
    for m in re.finditer(r"附件\s*\d?\s*《([^《》\n]{2,150})》|《([^《》\n]{2,150})》\s*[（(]见附件", text):
        out.append(policy_from_title(m.group(1) or m.group(2), issuer=issuer, issued_on=issued_on,
                                     doc_number=doc_number, region=region))
    return out


def local_region(name: str | None) -> str | None:
    """A county or district named at the start of a body or title (金乡县人民政府 → 金乡县)."""
    m = re.match(r"^(?:\d{4}年)?([\u4e00-\u9fff]{2,5}?[县旗])", name or "")
    return m.group(1) if m else None


def signature_region(text: str) -> str | None:
    """The region of the body in the text's 落款, when no title names it."""
    orgs, _ = _signature([ln.strip() for ln in text[:6000].split("\n") if ln.strip()][:80])
    return local_region(orgs[0]) if orgs else None


def report_article_fields(text: str, doc: Document) -> tuple[str | None, str | None]:
    """(source, author) a document's header states: the 来源 line; for a report, the speaker."""
    head = text[:800]
    source = _SOURCE_RE.search(head)
    author = None
    if doc.kind == "report":
        for line in [ln.strip() for ln in head.split("\n")][1:7]:
            m = _SPEAKER_RE.match(line) or re.match(r"^([\u4e00-\u9fff]{2,3})$", line)
            if m:
                author = m.group(m.lastindex or 1)
                break
    return (source.group(1) if source else None), author
