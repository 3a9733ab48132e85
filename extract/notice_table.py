"""Labelled fields: the 信息公开 table of government notices and the "来源：/作者：/发布时间：" lines of articles.

Labels are written with half- or full-width spaces between characters (索 引 号, 标　　题) and a "：" that may sit
inside the label cell; values sit in the next `<td>`, after the label in the same cell, or in the label's tail.
One generic reader handles all of these, so no site needs its own XPath.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import html as lxml_html

_GAP = r"[\s\u3000\xa0]*"


def _label(word: str) -> str:
    return _GAP.join(re.escape(ch) for ch in word)


# field → label words, most specific first. Order matters only within a field.
NOTICE_LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号",),
    "topic": ("主题分类", "主题类别", "信息分类", "分类"),
    "issuer": ("发文机关", "发布机构", "发文单位", "发布机关", "成文机关"),
    "written_on": ("成文日期", "成文时间", "印发日期"),
    "title": ("标题", "名称", "文件名称"),
    "doc_number": ("发文字号", "文号", "发文编号"),
    "published_on": ("发布日期", "公开日期", "发文日期"),
}
LINE_LABELS: dict[str, tuple[str, ...]] = {
    "source": ("信息来源", "文章来源", "新闻来源", "稿件来源", "稿源", "来源", "出处"),
    "author": ("作者", "记者", "撰稿", "撰文"),
    "published_at": ("发布时间", "发表时间", "发布日期", "时间", "日期", "更新时间"),
}
_ALL_LABELS = [
    (field, word)
    for table in (NOTICE_LABELS, LINE_LABELS)
    for field, words in table.items()
    for word in words
]
_ANY_LABEL = re.compile(
    "("
    + "|".join(sorted({_label(w) for _, w in _ALL_LABELS if len(w) > 1}, key=len, reverse=True))
    + f"){_GAP}[:：]"
)
MAX_LABEL_ELEMENT_CHARS = 160
_SKIP_TAGS = {"script", "style", "noscript", "textarea", "option", "select"}


@dataclass
class LabelledValue:
    field: str
    value: str
    label: str
    in_table: bool  # the label sat in a table cell (信息公开 table) rather than a by-line


def _clean(text: str | None) -> str:
    return re.sub(r"[\s\u3000\xa0]+", " ", text or "").strip(" ：:|丨/")


def _own_text(el: lxml_html.HtmlElement) -> str:
    try:
        return el.text_content()
    except ValueError:
        return ""


def _next_value(el: lxml_html.HtmlElement) -> str:
    """The value that follows a label with nothing after its colon: its tail, or the next non-empty sibling cell."""
    tail = _clean(el.tail)
    if tail:
        return tail
    node = el
    for _ in range(3):
        sibling = node.getnext()
        while sibling is not None:
            text = _clean(_own_text(sibling))
            if text:
                return text if not _ANY_LABEL.match(text) else ""
            if _clean(sibling.tail):
                return _clean(sibling.tail)
            sibling = sibling.getnext()
        parent = node.getparent()
        if parent is None or _clean(_own_text(parent)) != _clean(_own_text(node)):
            break
        node = parent
        if _clean(node.tail):
            return _clean(node.tail)
    return ""


def _split_labelled(text: str) -> list[tuple[str, str]]:
    """'发布时间：2019-01-02 来源：新华社' → [('发布时间', '2019-01-02'), ('来源', '新华社')]."""
    matches = list(_ANY_LABEL.finditer(text))
    pairs = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        pairs.append((re.sub(_GAP, "", match.group(1)), _clean(text[match.end() : end])))
    return pairs


def _field_for(label: str) -> tuple[str, bool] | None:
    for field, words in NOTICE_LABELS.items():
        if label in words:
            return field, True
    for field, words in LINE_LABELS.items():
        if label in words:
            return field, False
    return None


def _has_label(text: str) -> bool:
    return bool(text) and len(text) <= MAX_LABEL_ELEMENT_CHARS and bool(_ANY_LABEL.search(text))


def _leading_date(text: str) -> str | None:
    """A by-line that starts with the date before its first label: '2024年04月18日 08:30　来源：…'."""
    first = _ANY_LABEL.search(text)
    head = text[: first.start()] if first else text
    return _clean(head) if _DATE_HINT.search(head) else None


_DATE_HINT = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")


def find_labelled_values(tree: lxml_html.HtmlElement) -> list[LabelledValue]:
    """Every label:value pair, read in the deepest short element that holds the label, in document order."""
    found: list[LabelledValue] = []
    seen: set[tuple[str, str]] = set()
    for el, text in _elements_with_labels(tree):
        if not _has_label(text):
            continue
        if any(isinstance(child.tag, str) and _has_label(_own_text(child)) for child in el):
            continue  # a child holds a label: read the pairs there, where cells and by-line parts are separate
        stripped = text.strip(" \t\r\n\u3000\xa0")
        in_cell = el.tag in _TABLE_TAGS or any(a.tag in _TABLE_TAGS for a in el.iterancestors())
        pairs = _split_labelled(stripped)
        leading = _leading_date(stripped)
        if leading:
            pairs.insert(0, ("发布时间", leading))
        for label, value in pairs:
            field_in_table = _field_for(label)
            if field_in_table is None:
                continue
            field, notice_label = field_in_table
            if not value:
                value = _next_value(el)
            if not value or (field, value) in seen:
                continue
            seen.add((field, value))
            found.append(LabelledValue(field, value, label, in_table=notice_label and in_cell))
    return found


def _elements_with_labels(tree: lxml_html.HtmlElement) -> Iterator[tuple[lxml_html.HtmlElement, str]]:
    """(element, its text) in document order, as tree.iter() would give them, for elements whose text holds a
    label; _SKIP_TAGS left out. An element's text contains the text of every descendant, so where it holds no
    label none of its descendants' can: the subtree is skipped without reading its text again."""
    stack = [tree]
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue  # a comment or processing instruction: no children, no label
        try:
            text = el.text_content()
        except ValueError:
            text = None  # unreadable here (as _own_text): its descendants are still looked at one by one
        if text is not None and _ANY_LABEL.search(text) is None:
            continue
        if el.tag not in _SKIP_TAGS:
            yield el, text or ""
        stack.extend(reversed(el))  # popped first child first: document order


_TABLE_TAGS = {"td", "th", "tr", "table", "tbody"}
