"""Labelled fields: the 信息公开 table of government notices and the "来源：/作者：/发布时间：" lines of articles.

Labels are written with half- or full-width spaces between characters (索 引 号, 标　　题) and a "：" that may sit
inside the label cell or be left out; values sit in the next `<td>`/`<div>`/`<dd>`, after the label in the same
cell, in the label's tail, or under the label in a two-row header table. The 信息公开 fields come as a table, as
`<label>`/`<div>` pairs or as a `<ul><li>` list; a placeholder value ("无", "-", "/") is no value. One generic
reader handles all of these, so no site needs its own XPath.
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
    "editor": ("责任编辑", "责编", "编辑"),
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
# A whole element's text that is only a label (the value sits in another element): "索 引 号", "发文字号：".
_BARE_LABEL = re.compile(
    "(?:"
    + "|".join(sorted({_label(w) for _, w in _ALL_LABELS}, key=len, reverse=True))
    + f"){_GAP}[:：]?{_GAP}"
)
# Bare label words that are also ordinary headings of list tables and menus: read only as a table's cell.
_AMBIGUOUS_BARE = {"标题", "名称", "分类", "时间", "日期", "来源", "出处", "作者", "记者", "撰稿", "撰文", "稿源"}
_LABEL_WORD_LAST = frozenset(w[-1] for _, w in _ALL_LABELS)
_LABEL_STRIP = " \t\r\n\u3000\xa0:："
# Elements a bare label is written in (as its own first text): cells, list items, <label>s and inline wrappers.
_BARE_LABEL_TAGS = ("td", "th", "dt", "label", "li", "div", "p", "span", "b", "strong", "font", "em")
PLACEHOLDERS = {"无", "暂无", "空", "-", "--", "—", "——", "/", "\\", "null", "none", "n/a", "*", "…"}
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


def is_placeholder(value: str) -> bool:
    """"无", "-", "/", "——": a template's way of saying a field is empty."""
    return re.sub(r"[\s\u3000\xa0]+", "", value).lower() in PLACEHOLDERS


def is_bare_label(text: str) -> bool:
    """Whether `text` is nothing but a field label ("索 引 号", "发文字号：", "日期"): a cell of a 信息公开 table
    or of a list table's header, not data."""
    return _bare_label(text) is not None


def _bare_label(text: str) -> str | None:
    """The label word when `text` is nothing but a label (and maybe a colon), else None."""
    if len(text) > 24:
        return None
    match = _BARE_LABEL.fullmatch(text.strip(" \t\r\n\u3000\xa0"))
    if match is None:
        return None
    return re.sub(r"[\s\u3000\xa0:：]+", "", match.group(0))


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
                return text if not (_ANY_LABEL.match(text) or _bare_label(text)) else ""
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


# Short by-line labels that also end longer words (图片来源, 会议时间, 数据来源, 摄影作者): read only standing alone.
_WORD_ENDINGS = {"来源", "出处", "作者", "记者", "撰稿", "撰文", "编辑", "责编", "稿源", "时间", "日期"}


def _split_labelled(text: str) -> list[tuple[str, str]]:
    """'发布时间：2019-01-02 来源：新华社' → [('发布时间', '2019-01-02'), ('来源', '新华社')].

    A label that ends a longer word is that word's, not ours: 图片来源 (a caption), 会议时间, 数据来源."""
    matches = [
        m
        for m in _ANY_LABEL.finditer(text)
        if not (
            m.start()
            and "\u4e00" <= text[m.start() - 1] <= "\u9fff"
            and re.sub(_GAP, "", m.group(1)) in _WORD_ENDINGS
        )
    ]
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
        in_cell = (
            el.tag in _NOTICE_TAGS
            or any(a.tag in _NOTICE_TAGS for a in el.iterancestors())
            or _bare_label(stripped) is not None  # <label>索 引 号：</label><div>…</div>
        )
        starts_with_label = bool(_ANY_LABEL.match(stripped))
        pairs = _split_labelled(stripped)
        leading = _leading_date(stripped)
        if leading:
            pairs.insert(0, ("发布时间", leading))
        if not pairs or _in_caption(el):
            continue
        for label, value in pairs:
            field_in_table = _field_for(label)
            if field_in_table is None:
                continue
            field, notice_label = field_in_table
            if not value and len(pairs) == 1:
                # Only a label standing alone has its value in the next cell; on a by-line of several labels
                # ("2005-5-7 21:23:57 来源： 作者："), an empty value means there is none.
                value = _next_value(el)
            if not value or is_placeholder(value) or (field, value) in seen:
                continue
            seen.add((field, value))
            # A row of its own that starts with the label (<div>发文字号：…</div>) is a notice field too, but
            # not a bare "标题：" (too often a form's) nor "发布日期：" (a by-line's).
            in_notice = in_cell or (starts_with_label and field in _ROW_FIELDS and label == pairs[0][0])
            found.append(LabelledValue(field, value, label, in_table=notice_label and in_notice))
    found_fields = {item.field for item in found if item.in_table}
    for item in _bare_label_values(tree):
        if item.field not in found_fields and (item.field, item.value) not in seen:
            found_fields.add(item.field)
            seen.add((item.field, item.value))
            found.append(item)
    return found


_CAPTION_CLASS = re.compile(r"caption|img|pic|photo|figure", re.I)


def _in_caption(el: lxml_html.HtmlElement) -> bool:
    """An image's caption ("图片来源：…", "作者：…摄") names the picture's source, not the article's."""
    node = el
    for _ in range(3):  # the caption's own element or its wrapper, not a page section named "pic-news"
        if node is None or node.tag in ("body", "article"):
            return False
        if node.tag in ("figcaption", "figure") or _CAPTION_CLASS.search(node.get("class") or ""):
            return True
        node = node.getparent()
    return False


def _label_holder(el: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """The outermost element holding nothing but this label: <td><b>索引号</b></td> → the <td>."""
    text = _clean(_own_text(el))
    while True:
        parent = el.getparent()
        if parent is None or _clean(_own_text(parent)) != text:
            return el
        el = parent


def _value_below(cell: lxml_html.HtmlElement) -> str | None:
    """In a two-row header table (labels in one row, values in the next), the cell under `cell`; None when the
    table is not one (a list table's header row, with many rows of data under it)."""
    row = cell.getparent()
    if row is None or row.tag != "tr":
        return None
    cells = [c for c in row if c.tag in ("td", "th")]
    labels = sum(1 for c in cells if _bare_label(_own_text(c)))
    filled = sum(1 for c in cells if _clean(_own_text(c)))
    # A header row: labels (and a few headings we do not read, 有效性, 公开方式) in <th>s or in most cells;
    # label, value, label, value in one row is read cell by cell instead.
    if labels < 2 or not (all(c.tag == "th" for c in cells) or labels * 2 > filled):
        return None
    below = row.getnext()
    while below is not None and below.tag != "tr":
        below = below.getnext()
    if below is None:
        return None
    values = [c for c in below if c.tag in ("td", "th")]
    if len(values) != len(cells) or any(_bare_label(_own_text(c)) for c in values):
        return None
    after = below.getnext()
    if after is not None and after.tag == "tr" and not any(_bare_label(_own_text(c)) for c in after):
        return None  # a data row follows the data row: a list, not a notice
    return _clean(_own_text(values[cells.index(cell)]))


def _bare_label_values(tree: lxml_html.HtmlElement) -> Iterator[LabelledValue]:
    """Labels with no colon in a cell of their own (<td>索引号</td><td>…</td>), and two-row header tables."""
    for element in tree.iter(_BARE_LABEL_TAGS):
        text = element.text
        # Cheap tests first: this runs on every cell and span of the page.
        if not text or len(text) > 24 or text.rstrip(_LABEL_STRIP)[-1:] not in _LABEL_WORD_LAST:
            continue
        label = _bare_label(text)
        field_in_table = _field_for(label) if label else None
        if field_in_table is None:
            continue
        field, notice_label = field_in_table
        holder = _label_holder(element)
        if _bare_label(_own_text(holder)) is None:
            continue
        in_cell = holder.tag in _NOTICE_TAGS or any(a.tag in _NOTICE_TAGS for a in holder.iterancestors())
        if label in _AMBIGUOUS_BARE and holder.tag not in ("td", "th", "dt", "label"):
            continue
        value = _value_below(holder) if holder.tag in ("td", "th") else None
        if value is None:
            sibling = holder.getnext()
            while sibling is not None and not isinstance(sibling.tag, str):
                sibling = sibling.getnext()
            value = _clean(_own_text(sibling)) if sibling is not None else _clean(holder.tail)
        if not value or is_placeholder(value) or _bare_label(value) or len(value) > MAX_LABEL_ELEMENT_CHARS:
            continue
        yield LabelledValue(field, value, label, in_table=notice_label and (in_cell or holder.tag == "label"))


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
_ROW_FIELDS = {"index_no", "doc_number", "issuer", "topic", "written_on"}
# Where the 信息公开 fields sit as a block of their own: a table, a <ul>/<ol> list, a <dl>.
_NOTICE_TAGS = _TABLE_TAGS | {"li", "dl", "dt", "dd"}
