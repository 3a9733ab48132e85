"""Structural body detection: which part of a page is the article, as paragraphs in reading order.

Readability-style scoring adapted to Chinese pages: every leaf block scores by its sentence punctuation (，。；！？)
and length, discounted by its share of link text; the score flows to its parent and, halved, to its grandparent.
The best container wins, siblings that score like body text join it, and navigation, share bars, comment boxes and
related-article lists are removed first by tag and by class/id words. Everything is iterative (no recursion), so
deeply nested markup cannot exhaust the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from lxml import html as lxml_html

from extract.notice_table import is_bare_label

NOISE_TAGS = {
    "script", "style", "noscript", "iframe", "svg", "canvas", "template", "button", "select", "input",
    "textarea", "nav", "footer", "aside", "object", "embed", "video", "audio", "map",
}  # fmt: skip
BLOCK_TAGS = {
    "div", "p", "td", "th", "li", "ul", "ol", "table", "tr", "tbody", "thead", "section", "article", "main",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dl", "dt", "dd", "form", "center", "header",
    "figure", "figcaption", "body", "html",
}  # fmt: skip
PARAGRAPH_BREAK_TAGS = BLOCK_TAGS | {"br", "hr"}
# Leaf blocks that are candidates themselves; <body> too, for a page whose text sits in it with only <br>s
# between (an old page, or deep markup read flat).
_CONTAINER_TAGS = {"div", "td", "section", "article", "body"}
NOISE_HINT = re.compile(
    r"(?:^|[\s_\-])(?:comments?|cmt|share|sharebar|bdshare|jiathis|related|relate|recommend|rec|breadcrumbs?|crumbs?|"
    r"footer|foot|nav|navbar|menu|sidebar|side|copyright|advert|ads?|adv|banner|toolbar|social|tags?|hot|hotnews|rank|"
    r"ranking|login|pagination|pager|page-nav|qrcode|ewm|reply|replies|xgwz|xglj|tjyd|xgxw|more|hotlist|float|popup|"
    r"weixin-share|top-bar|topbar|header|head|print|fontsize|zoom-bar|statement|shenming|disclaimer|mianze|"
    r"friend-?links?|links|yqlj|submenu)(?:$|[\s_\-\d])",
    re.I,
)
CONTENT_HINT = re.compile(
    r"ucap-content|trs_editor|pages_content|zoom|article|content|text|detail|body|post|entry|main|news_con|"
    r"conTxt|xl_con|wz_|zw|neirong|cont",
    re.I,
)
# Sentence punctuation; ASCII marks count only before a space, so URLs and numbers do not look like prose.
_PUNCT = re.compile(r"[，。；！？、]|[,.;!?](?=\s|$)")
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none", re.I
)  # not visibility:hidden: WeChat reveals its body by JS
_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:hide|hidden|d-none|sr-only)(?:$|\s)", re.I)
_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


@dataclass
class _Stats:
    chars: int = 0
    link_chars: int = 0
    punct: int = 0
    has_block: bool = False
    is_block: bool = False  # the element itself is a block tag (its parent then has a block)


def _squeezed_len(text: str | None) -> int:
    # Whitespace (\s, U+3000 and U+00A0 among it) left out; str.split is several times faster than a regex.
    return sum(map(len, text.split())) if text else 0


def _hint(el: lxml_html.HtmlElement) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def remove_noise(root: lxml_html.HtmlElement) -> None:
    """Drop scripts, navigation, share bars, comment boxes and related lists (by tag and by class/id words)."""
    doomed = []
    stack = [root]
    while stack:  # root.iter()'s order, without entering a subtree that goes anyway
        el = stack.pop()
        tag = el.tag  # lxml makes a new string at every read: read once, and each attribute once
        if not isinstance(tag, str):
            if isinstance(el, (etree._Comment, etree._ProcessingInstruction)):
                doomed.append(el)
            continue
        if _is_noise(el, tag):
            doomed.append(el)  # what it holds goes with it: dropping it again inside would change nothing
            continue
        stack.extend(reversed(el))
    for el in doomed:
        _drop_keep_tail(el)


def _is_noise(el: lxml_html.HtmlElement, tag: str) -> bool:
    """A noise tag, a hidden element, or one whose class/id says navigation, share bar, comments… (unless it
    also says content, or holds real prose rather than links)."""
    if tag in NOISE_TAGS:
        return True
    cls, ident = el.get("class"), el.get("id")
    if tag in {"body", "html"}:
        return False
    if _is_hidden(el.get("style"), cls):
        return True
    if not cls and not ident:
        return False  # no class or id: no hint (the usual case)
    if _noise_hint(f"{cls or ''} {ident or ''}"):  # = _hint(el)
        text = el.text_content() if len(el) < 2000 else ""
        return _PUNCT.findall(text).__len__() < 12 or _link_share(el) > 0.3
    return False


@lru_cache(maxsize=4096)  # a site's class names come back on every page, and many times on each
def _noise_hint(hint: str) -> bool:
    """Class/id words that say navigation, share bar, comments… and not content."""
    return bool(hint.strip() and NOISE_HINT.search(hint) and not CONTENT_HINT.search(hint))


@lru_cache(maxsize=4096)
def _is_hidden(style: str | None, cls: str | None) -> bool:
    """Elements a reader never sees (inline display:none, hide classes): templates, SEO stuffing, popups;
    from the element's style and class attributes (never said of <body> or <html>)."""
    return bool(style and _HIDDEN_STYLE.search(style)) or bool(cls and _HIDDEN_CLASS.search(cls))


def _link_share(el: lxml_html.HtmlElement) -> float:
    total = _squeezed_len(el.text_content())
    if not total:
        return 0.0
    linked = sum(_squeezed_len(a.text_content()) for a in el.iter("a"))
    return linked / total


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _drop_keep_tail(el: lxml_html.HtmlElement) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = _XML_UNSAFE.sub("", el.tail or "")  # &#1; or &#xFFFF; parse, but lxml will not set them back
    previous = el.getprevious()
    if tail:
        if previous is not None:
            previous.tail = _XML_UNSAFE.sub("", previous.tail or "") + tail
        else:
            parent.text = _XML_UNSAFE.sub("", parent.text or "") + tail
    parent.remove(el)


def _collect_stats(root: lxml_html.HtmlElement) -> dict[lxml_html.HtmlElement, _Stats]:
    stats: dict[lxml_html.HtmlElement, _Stats] = {}
    count_punct = _PUNCT.findall
    for _event, el in etree.iterwalk(root, events=("end",)):
        tag = el.tag  # lxml makes a new string at every read: read once
        if not isinstance(tag, str):
            continue
        text = el.text
        chars, punct = (_squeezed_len(text), len(count_punct(text))) if text else (0, 0)
        link_chars, has_block = 0, False
        for child in el:
            # Every element child ended before its parent, so is in `stats`; comments and PIs never are.
            c = stats.get(child)
            if c is None:
                continue
            chars += c.chars
            link_chars += c.link_chars
            punct += c.punct
            has_block = has_block or c.has_block or c.is_block
            tail = child.tail
            if tail:
                chars += _squeezed_len(tail)
                punct += len(count_punct(tail))
        if tag == "a":
            link_chars = chars
        stats[el] = _Stats(chars, link_chars, punct, has_block, tag in BLOCK_TAGS)
    return stats


def _paragraph_score(s: _Stats) -> float:
    if s.chars < 8 or (s.punct == 0 and s.chars < 25):
        return 0.0  # menu items, headline lists and captions are not body text
    link_share = s.link_chars / s.chars
    return (1.0 + s.punct + min(s.chars / 80.0, 4.0)) * (1.0 - link_share) ** 2


def _score_candidates(stats: dict[lxml_html.HtmlElement, _Stats]) -> dict[lxml_html.HtmlElement, float]:
    scores: dict[lxml_html.HtmlElement, float] = {}
    for el, s in stats.items():
        if el.tag not in BLOCK_TAGS or s.has_block:
            continue
        score = _paragraph_score(s)
        if score <= 0:
            continue
        container = el if el.tag in _CONTAINER_TAGS else None
        if container is not None:
            scores[container] = scores.get(container, 0.0) + score
        parent = el.getparent()
        weight = 1.0
        for _ in range(2):
            if parent is None:
                break
            scores[parent] = scores.get(parent, 0.0) + score * weight
            parent, weight = parent.getparent(), weight / 2
    for table, score in _data_table_scores(stats).items():
        scores[table] = scores.get(table, 0.0) + score
    final: dict[lxml_html.HtmlElement, float] = {}
    for el, score in scores.items():
        s = stats[el]
        if not s.chars or el.tag in {"html"}:
            continue
        link_share = s.link_chars / s.chars
        bonus = 1.25 if CONTENT_HINT.search(_hint(el)) else 1.0
        final[el] = score * (1.0 - link_share) * bonus
    return final


MIN_DATA_ROWS = 3
# A table with this many cells that are field labels (索引号, 发文机关, 日期…) holds a notice's 信息公开 fields or
# heads a list: not a body.
MAX_LABEL_CELLS = 2
MAX_LABEL_CHARS = 24


def _is_data_row(row: lxml_html.HtmlElement, stats: dict[lxml_html.HtmlElement, _Stats]) -> bool:
    """A row of two or more cells that hold text only (no block inside): data, not page layout."""
    cells = [cell for cell in row if cell.tag in ("td", "th")]
    return len(cells) >= 2 and not any((s := stats.get(cell)) is None or s.has_block for cell in cells)


def _data_table_scores(stats: dict[lxml_html.HtmlElement, _Stats]) -> dict[lxml_html.HtmlElement, float]:
    """A table of data (a 行政处罚信息公开表, a statistics table) scored as one paragraph, each of its cells counted
    like a clause: cell by cell its short values would score as menu items, and a disclaimer beside it win."""
    rows: dict[lxml_html.HtmlElement, int] = {}
    cells: dict[lxml_html.HtmlElement, int] = {}
    labels: dict[lxml_html.HtmlElement, int] = {}
    for row in stats:
        if row.tag != "tr" or not _is_data_row(row, stats):
            continue
        table = row.getparent()
        if table is not None and table.tag in ("tbody", "thead", "tfoot"):
            table = table.getparent()
        if table is None or table.tag != "table" or table not in stats:
            continue
        row_cells = [c for c in row if c.tag in ("td", "th") and stats[c].chars]
        rows[table] = rows.get(table, 0) + 1
        cells[table] = cells.get(table, 0) + len(row_cells)
        labels[table] = labels.get(table, 0) + sum(
            1 for c in row_cells if stats[c].chars <= MAX_LABEL_CHARS and is_bare_label(c.text_content())
        )
    scores: dict[lxml_html.HtmlElement, float] = {}
    for table, count in rows.items():
        if count >= MIN_DATA_ROWS and labels[table] < MAX_LABEL_CELLS:
            s = stats[table]
            scores[table] = _paragraph_score(_Stats(s.chars, s.link_chars, s.punct + cells[table] // 2))
    return scores


def _block_text(el: lxml_html.HtmlElement, stats: dict[lxml_html.HtmlElement, _Stats]) -> list[str]:
    """Paragraphs of an element in document order: a break at every block boundary and `<br>`; a data table's
    row is one line, its cells apart by tabs."""
    parts: list[str] = []
    skip_el = None
    row = None  # the data row being read: its text stays on one line
    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = node.tag
        if not isinstance(tag, str):
            continue
        if skip_el is not None:
            if event == "end" and node is skip_el:
                skip_el = None
                if node.tail:
                    parts.append(node.tail)
            continue
        if event == "start":
            s = stats.get(node)
            if node is not el and s is not None and tag in BLOCK_TAGS and _is_link_list(s):
                skip_el = node
                continue
            if row is None and tag == "tr" and _is_data_row(node, stats):
                row = node
                parts.append("\n")
            elif row is None and tag in PARAGRAPH_BREAK_TAGS:
                parts.append("\n")
            if node.text:
                parts.append(node.text if row is None else _one_line(node.text))
        else:
            if node is row:
                row = None
                parts.append("\n")
            elif row is not None and tag in ("td", "th") and node.getparent() is row:
                parts.append("\t")
            elif row is None and tag in PARAGRAPH_BREAK_TAGS:
                parts.append("\n")
            if node is not el and node.tail:
                parts.append(node.tail if row is None else _one_line(node.tail))
    lines = (_collapse_line(line) for line in "".join(parts).split("\n"))
    return [line for line in lines if line and _CJK_OR_WORD.search(line)]


def _one_line(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ")


def _collapse_line(line: str) -> str:
    """Spaces collapsed; in a table row, within each cell, the cells kept apart by one tab."""
    if "\t" not in line:
        return " ".join(line.split())
    return "\t".join(" ".join(cell.split()) for cell in line.rstrip().rstrip("\t").split("\t")).strip()


def _is_link_list(s: _Stats) -> bool:
    return s.chars > 0 and s.link_chars / s.chars > 0.6 and s.punct < 4


@dataclass
class BodyResult:
    paragraphs: list[str]
    score: float
    node_path: str | None


def find_body(root: lxml_html.HtmlElement) -> BodyResult:
    """The article body of a parsed page (noise already removed or not): paragraphs and the winning score."""
    remove_noise(root)
    stats = _collect_stats(root)
    scores = _score_candidates(stats)
    if not scores:
        return BodyResult([], 0.0, None)
    best = max(scores, key=scores.get)  # type: ignore[arg-type]
    best_score = scores[best]
    chosen = [best]
    parent = best.getparent()
    if parent is not None:
        threshold = max(8.0, best_score * 0.2)
        chosen = []
        for sibling in parent:
            if sibling is best:
                chosen.append(sibling)
                continue
            s = stats.get(sibling)
            if s is None or not isinstance(sibling.tag, str):
                continue
            if (
                scores.get(sibling, 0.0) >= threshold
                and not _is_link_list(s)
                and s.link_chars < 0.25 * s.chars
            ):
                chosen.append(sibling)
            elif sibling.tag == "p" and s.punct >= 2 and s.link_chars < 0.2 * s.chars:
                chosen.append(sibling)
    paragraphs: list[str] = []
    for node in chosen:
        paragraphs.extend(_block_text(node, stats))
    try:
        path = best.getroottree().getpath(best)
    except ValueError:
        path = None
    return BodyResult(paragraphs, best_score, path)
