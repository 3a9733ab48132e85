"""One page → one `PageRecord` (spec/CLI.md `parse-page`): the entry point of page understanding.

Evidence is layered and each field records the layer that gave it in `fields_from`: the government `<meta>` tags
("meta"), labelled tables and by-lines ("table"), structural body detection ("structure"), a library's opinion
("library": htmldate for dates when nothing else has one) and the page text ("text"). Bad input never raises:
it yields a record whose `problems` say what went wrong.
"""

from __future__ import annotations

import logging
import re
from datetime import date

from lxml import etree
from lxml import html as lxml_html

from extract import page_meta
from extract.attachments import find_attachment_links
from extract.body import find_body
from extract.challenge import detect_challenge, looks_like_challenge
from extract.encoding import decode_html
from extract.flat_markup import flatten_deep_markup
from extract.notice_table import LabelledValue, find_labelled_values
from extract.records import PageRecord
from extract.text_credits import author_in_text, source_in_text

logger = logging.getLogger(__name__)

# Pages beyond this are truncated: real article pages are far smaller, and the work stays bounded.
MAX_HTML_CHARS = 1_500_000
LIBRARY_DATE_MAX_CHARS = 600_000  # htmldate copies and searches the whole tree: only worth it on ordinary sizes
_BINARY_SAMPLE = 65_536
# Characters lxml parses but refuses to set back into a tree (the body cleaner moves text around): dropped.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LATEST_PLAUSIBLE_DATE = "2099-12-31"
_BYLINE_EDGE = re.compile(
    r"^(?:(?:发布|更新|发表)?(?:时间|日期)\s*[:：]|发布于|来源\s*[:：|]|作者\s*[:：]|字号|【?\s*字体|分享到|打印|"
    r"(?:19|20)\d{2}[-/年.]\d{1,2}[-/月.]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*$)"
)
_TRAILER_EDGE = re.compile(
    r"^(?:[（(【\[]?\s*(?:责任编辑|编辑|责编|审核|校对)\s*[:：]|平台声明|免责声明|版权声明|返回.{0,6}查看更多|"
    r"分享到|打印本页|关闭窗口|【纠错】|扫一扫|相关(?:阅读|新闻|文章|链接))"
)


def _blank(url: str | None, problem: str) -> PageRecord:
    return PageRecord(url=url, problems=[problem])


_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b)  # C0 controls but tab, newlines, FF, CR


def _looks_binary(body: bytes) -> bool:
    sample = body[:_BINARY_SAMPLE]
    if not sample:
        return False
    nul = sample.count(b"\x00")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return nul > len(sample) * 0.01 or controls > len(sample) * 0.05


def looks_like_waf_challenge(text: str) -> bool:
    """A 200 page that is a captcha / JS challenge of a web application firewall, not content
    (extract.challenge decides)."""
    return looks_like_challenge(text)


# libxml2 stops at 256 open elements and the rest of the page is lost; a run of more than MAX_WRAPPER_RUN
# bare wrapper tags in a row (50 000 nested <div>s around a notice) is cut to that many before parsing.
MAX_WRAPPER_RUN = 64
_WRAPPER_NAMES = ("div", "span", "font", "section", "center", "blockquote", "b", "i", "u", "strong", "em", "table",
                  "tbody", "tr", "td", "ul", "ol", "li", "p")
# The names in any case, as re.IGNORECASE reads them (which also takes İ and ı for i, ſ for s, K for k), spelled
# out as character classes and grouped by first letter behind a look-ahead on it: the pattern is tried at every
# "<" of a page, and so written it fails in one step at most of them. (Which name matches a tag does not matter:
# at most one of them is followed by the end of the name.)
_IGNORECASE_EXTRA = "\u0130\u0131\u017f\u212a"


def _case_chars(ch: str) -> str:
    return "".join(c for c in dict.fromkeys(ch + ch.upper() + _IGNORECASE_EXTRA) if re.fullmatch(ch, c, re.I))


def _any_case(text: str) -> str:
    return "".join(f"[{_case_chars(ch)}]" for ch in text)


def _names_pattern(names: tuple[str, ...]) -> str:
    by_first: dict[str, list[str]] = {}
    for name in names:
        by_first.setdefault(name[0], []).append(name[1:])
    firsts = "".join(_case_chars(first) for first in by_first)
    branches = (
        _any_case(first) + "(?:" + "|".join(_any_case(rest) for rest in sorted(rests, key=len, reverse=True)) + ")"
        for first, rests in by_first.items()
    )
    return f"(?=[{firsts}])(?:" + "|".join(branches) + ")"


_WRAPPERS = _names_pattern(_WRAPPER_NAMES)
_OPEN_TAG = rf"<{_WRAPPERS}\b[^<>]*>\s*"
_CLOSE_TAG = rf"</{_WRAPPERS}\s*>\s*"
# One tag, then MAX_WRAPPER_RUN more: the same runs as (tag){MAX_WRAPPER_RUN + 1,}, but a pattern that starts with
# a literal "<" lets the regex engine jump from "<" to "<" instead of trying every character of the page.
_OPEN_RUN = re.compile(rf"{_OPEN_TAG}(?:{_OPEN_TAG}){{{MAX_WRAPPER_RUN},}}")
_CLOSE_RUN = re.compile(rf"{_CLOSE_TAG}(?:{_CLOSE_TAG}){{{MAX_WRAPPER_RUN},}}")
_ONE_TAG = re.compile(r"<[^<>]*>")


def _cut_wrapper_runs(text: str) -> str:
    def cut(match: re.Match[str]) -> str:
        return "".join(_ONE_TAG.findall(match.group(0))[:MAX_WRAPPER_RUN])

    return _CLOSE_RUN.sub(cut, _OPEN_RUN.sub(cut, text))


# libxml2 gives up at 256 open elements and drops the rest of the page; a page that hits it is read again with
# the elements past this depth left out (extract.flat_markup), which keeps their text.
MAX_PARSE_DEPTH = 200


def _parse_tree(text: str) -> lxml_html.HtmlElement | None:
    try:
        parser = lxml_html.HTMLParser(huge_tree=False, remove_comments=True, remove_pis=True)
        tree = lxml_html.document_fromstring(_cut_wrapper_runs(text), parser=parser)
        if not _stopped_too_deep(parser):
            return tree
        logger.info("markup nested past libxml2's depth limit: read with the elements past %d levels left out",
                    MAX_PARSE_DEPTH)
        parser = lxml_html.HTMLParser(huge_tree=False, remove_comments=True, remove_pis=True)
        return lxml_html.document_fromstring(flatten_deep_markup(text, MAX_PARSE_DEPTH), parser=parser)
    except (etree.ParserError, ValueError) as error:
        logger.warning("unparseable page: %s", error)
        return None


def _stopped_too_deep(parser: lxml_html.HTMLParser) -> bool:
    """Whether libxml2 stopped at its nesting limit, losing what followed."""
    return any(entry.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for entry in parser.error_log)


def _set(record: PageRecord, field: str, value: str | None, layer: str) -> bool:
    if value and getattr(record, field) in (None, ""):
        setattr(record, field, value)
        record.fields_from[field] = layer
        return True
    return False


def _apply_meta(record: PageRecord, meta: dict[str, str]) -> None:
    _set(record, "title", meta.get("articletitle"), "meta")
    _set(record, "published_at", page_meta.iso_date(page_meta.first_meta(meta, page_meta.DATE_META)), "meta")
    # The platforms' ContentSource is the page's; a plain "source" meta is read after the by-line (_apply_labels).
    _set(record, "source", page_meta.clean_source(meta.get("contentsource")), "meta")
    _set(record, "region_code", page_meta.region_from_site_id(meta.get("siteidcode")), "meta")


def _apply_labels(record: PageRecord, labelled: list[LabelledValue], meta_source: str | None = None) -> str | None:
    """Fill the fields the page labels; returns the 责任编辑, the author of last resort."""
    visible_date: str | None = None  # the first publication date the page shows
    editor: str | None = None  # 责任编辑: the author when the page names no other
    for item in labelled:
        value = item.value
        if item.field in {"written_on", "published_on", "published_at"}:
            value = page_meta.iso_date(value) or ""
            if item.label in _PUBLISHED_LABELS and visible_date is None and value:
                visible_date = value
            if item.field == "published_on" and not item.in_table:
                _set(record, "published_at", value, "table")
                continue
        elif item.field == "title" and not item.in_table:
            continue  # a bare "标题：" outside the 信息公开 table is too often a form label
        elif item.field in {"index_no", "doc_number", "issuer", "topic"} and not item.in_table:
            continue
        elif item.field == "source":
            value = page_meta.clean_source(value) or ""
        elif item.field == "author":
            value = page_meta.clean_author(value) or ""
        elif item.field == "editor":
            editor = editor or page_meta.clean_author(value)
            continue
        _set(record, item.field, value, "table")
    if record.published_on and not record.published_at:
        _set(record, "published_at", record.published_on, "table")
    _prefer_visible_date(record, visible_date)
    _set(record, "source", page_meta.clean_source(meta_source), "meta")
    return editor


# Labels that name the publication itself ("时间：", "日期：" alone also label meetings and deadlines).
_PUBLISHED_LABELS = {"发布日期", "发布时间", "发表时间", "公开日期", "发文日期"}
# A 成文日期 alone outweighs a <meta> date only this far from it: publication follows signing by days or weeks.
_WRITTEN_TO_PUBLISHED_MAX_DAYS = 90


def _prefer_visible_date(record: PageRecord, visible: str | None) -> None:
    """Some portals stamp `<meta name="PubDate">` with the time the page was last regenerated, weeks or years
    after publication: where the 发布日期 the page shows (or, lacking it, its 成文日期) disagrees, the page wins."""
    if record.fields_from.get("published_at") != "meta" or not record.published_at:
        return
    meta_day = record.published_at[:10]
    if visible:
        if visible[:10] != meta_day:
            record.published_at = visible
            record.fields_from["published_at"] = "table"
        return
    if record.written_on:
        try:
            gap = (date.fromisoformat(meta_day) - date.fromisoformat(record.written_on[:10])).days
        except ValueError:
            return
        if not 0 <= gap <= _WRITTEN_TO_PUBLISHED_MAX_DAYS:
            record.published_at = record.written_on
            record.fields_from["published_at"] = "table"


def _choose_title(record: PageRecord, tree: lxml_html.HtmlElement, meta: dict[str, str]) -> None:
    raw_title = page_meta.html_title(tree)
    heading = page_meta.heading_matching_title(tree, raw_title)
    if _set(record, "title", heading, "structure"):
        return
    og = page_meta.first_meta(meta, ("og:title", "twitter:title"))
    if _set(record, "title", og and page_meta.title_prefix(og), "meta"):
        return
    _set(record, "title", raw_title and page_meta.title_prefix(raw_title), "structure")


def _library_date(tree: lxml_html.HtmlElement, reference_date: date | None) -> str | None:
    """htmldate's opinion, given our parsed tree: handed a string, htmldate downloads any text that looks like a
    URL (issue 21), and parsing the page a second time is wasted work."""
    try:
        from htmldate import find_date
    except ImportError:  # pragma: no cover - optional
        return None
    try:
        # An explicit bound keeps htmldate from consulting the clock; callers bound it with `reference_date`.
        latest = reference_date.isoformat() if reference_date is not None else _LATEST_PLAUSIBLE_DATE
        return find_date(tree, outputformat="%Y-%m-%d", extensive_search=False, max_date=latest)
    except Exception as error:  # noqa: BLE001 - a library's bad day must not stop the crawl
        logger.info("htmldate failed: %s", error)
        return None


def _trim_edges(paragraphs: list[str], title: str | None) -> list[str]:
    """Drop by-lines, a repeated title and editor/share trailers at the edges of the body."""
    squeezed_title = re.sub(r"\s+", "", title or "")
    start, end = 0, len(paragraphs)
    while start < end and len(paragraphs[start]) < 80:
        line = paragraphs[start]
        if (squeezed_title and re.sub(r"\s+", "", line) == squeezed_title) or _BYLINE_EDGE.match(line):
            start += 1
        else:
            break
    while end > start and len(paragraphs[end - 1]) < 80 and _TRAILER_EDGE.match(paragraphs[end - 1]):
        end -= 1
    return paragraphs[start:end]


def _normalise(record: PageRecord) -> None:
    try:
        from extract.normalize import normalize_text
    except ImportError:
        record.text = record.text_original
        return
    try:
        normalized = normalize_text(record.text_original)
    except Exception as error:  # noqa: BLE001 - normalisation must not lose the page
        logger.warning("normalisation failed: %s", error)
        record.text = record.text_original
        record.problems.append("normalize_failed")
        return
    record.text = normalized.text
    record.language = getattr(normalized, "language", None)


def _decode(body: bytes | str, declared: str | None, record: PageRecord) -> str | None:
    if isinstance(body, str):
        text = body
        record.encoding = "str"
    else:
        if _looks_binary(body):
            record.problems.append("binary_body")
            return None
        text, record.encoding = decode_html(body, declared)
        if record.encoding.endswith("+replace"):
            record.problems.append("undecodable_bytes_replaced")
    if "\x00" in text[:_BINARY_SAMPLE] and text[:_BINARY_SAMPLE].count("\x00") > 100:
        record.problems.append("binary_body")
        return None
    if len(text) > MAX_HTML_CHARS:
        record.problems.append(f"truncated_at_{MAX_HTML_CHARS}_chars")
        text = text[:MAX_HTML_CHARS]
    return _XML_UNSAFE.sub("", text) if _has_xml_unsafe(text) else text


# _XML_UNSAFE's control characters as UTF-8 bytes (no other character's encoding holds a byte below 0x80).
_XML_UNSAFE_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 13))


def _has_xml_unsafe(text: str) -> bool:
    """Whether _XML_UNSAFE finds anything in `text`, told faster on a big page (which almost never has any)."""
    try:
        data = text.encode("utf-8")  # refuses the surrogates
    except UnicodeEncodeError:
        return True
    return len(data.translate(None, _XML_UNSAFE_CONTROLS)) != len(data) or "\ufffe" in text or "\uffff" in text


def parse_page(
    body: bytes | str,
    url: str | None = None,
    *,
    declared_encoding: str | None = None,
    reference_date: date | None = None,
) -> PageRecord:
    """Understand one page. Never raises: failures become `record.problems`."""
    record = PageRecord(url=url)
    try:
        _fill(record, body, declared_encoding, reference_date)
    except Exception as error:  # noqa: BLE001 - the last guard of the crawl
        logger.exception("parse_page failed on %s", url)
        record.problems.append(f"parse_error: {type(error).__name__}: {error}"[:200])
    return record


def _fill(record: PageRecord, body: bytes | str, declared: str | None, reference_date: date | None) -> None:
    if not body:
        record.problems.append("empty_body")
        return
    text = _decode(body, declared, record)
    if text is None or not text.strip():
        if "binary_body" not in record.problems:
            record.problems.append("empty_body")
        return
    challenge = detect_challenge(text)
    if challenge is not None:
        logger.info("waf challenge page (%s: %s): %s", challenge.kind, challenge.evidence, record.url)
        record.problems.append("waf_challenge")
    tree = _parse_tree(text)
    if tree is None:
        record.problems.append("unparseable_html")
        return
    # lxml.html picks each element's Python class in Python whenever it makes the element's proxy, and drops
    # the proxy as soon as nothing holds it; held here, every walk below (labels, links, body) reuses them.
    proxies = list(tree.iter())
    meta = page_meta.read_meta(tree)
    _apply_meta(record, meta)
    editor = _apply_labels(record, find_labelled_values(tree), meta.get("source"))
    _choose_title(record, tree, meta)
    byline = page_meta.byline_blocks(tree, record.title)  # read before find_body takes the page's chrome out
    byline_text = page_meta.byline_lines(byline)
    if not record.source:
        _set(record, "source", page_meta.unlabelled_byline_source(byline), "structure")
    if not record.published_at:
        _set(record, "published_at", page_meta.byline_date(byline), "structure")
    if not record.published_at and len(text) <= LIBRARY_DATE_MAX_CHARS:
        _set(record, "published_at", _library_date(tree, reference_date), "library")
    _set(record, "author", page_meta.clean_author(page_meta.first_meta(meta, page_meta.AUTHOR_META)), "meta")
    record.attachments = find_attachment_links(tree, record.url)
    found = find_body(tree)
    del proxies
    paragraphs = _trim_edges(found.paragraphs, record.title)
    # What the text itself credits ("新华社北京3月5日电", "（记者 张三）"), where the page said nothing; the
    # 责任编辑 only after that: an editor is not the author.
    _set(record, "source", source_in_text(paragraphs), "text")
    _set(record, "author", author_in_text(paragraphs, byline_text), "text")
    _set(record, "author", editor, "table")
    record.text_original = "\n".join(paragraphs)
    if record.text_original:
        record.fields_from["text"] = "structure"
    else:
        record.problems.append("no_body")
    _normalise(record)


def _is_lead_paragraph(line: str) -> bool:
    """A real opening paragraph: long, with several full sentences (headline lists have none at the top)."""
    marks = len(re.findall(r"[。！？!?；]", line)) + len(re.findall(r"[，,、]", line)) // 3
    return len(line) >= 100 and marks >= 2


def is_probably_article(record: PageRecord) -> bool:
    """True for a page with a real body; False for list pages, WAF challenges and empty or binary pages."""
    if {"waf_challenge", "binary_body", "empty_body", "unparseable_html"} & set(record.problems):
        return False
    body = record.text or record.text_original  # normalised first: mangled "." punctuation is repaired there
    if len(body) < 80:
        return False
    if record.doc_number or record.index_no:
        return True  # a notice with its 信息公开 fields is an article even when it is a list of names
    lines = [line for line in body.split("\n") if line.strip()]
    # Clause commas count too: a short news flash is one or two long sentences, a headline list has none.
    sentence_marks = len(re.findall(r"[。！？；!?]", body)) + len(re.findall(r"[，,]", body)) // 3
    short_lines = sum(1 for line in lines if len(line) < 30)
    if sentence_marks < 2 and len(body) < 400:
        return False
    if any(_is_lead_paragraph(line) for line in lines[:3]):
        return True  # a news lead, then a list (prices, hotlines, venues): still one article, not a headline list
    # A headline list: many short lines, almost no sentences.
    return not (len(lines) >= 10 and short_lines / len(lines) > 0.8 and sentence_marks < len(lines) / 4)
