"""A reading of markup nested deeper than libxml2 allows: the tags past a depth are dropped, the text stays.

libxml2 stops parsing at 256 open elements ("Excessive depth in document") and everything after that point is
lost: 300 nested `<font>`s or 10 000 nested `<article>`s with text between the tags cost the page its body.
`flatten_deep_markup` drops the elements that lie on a path nested past `max_depth` (a dropped block tag becomes
a `<br>`, so paragraphs stay apart), except the page's frame above the run, and keeps the rest as written: two
passes over the tags, with an amortised O(1) stack step per tag.
Raw-text elements (`<script>`, `<style>`, `<textarea>`, `<title>`) and comments are copied whole, never entered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Elements that never hold children: they open no level.
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)  # fmt: skip
# Tags whose break a reader sees: dropped, they leave a <br> so the text on either side stays two paragraphs.
_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "figure", "footer", "form",
     "h1", "h2", "h3", "h4", "h5", "h6", "header", "li", "main", "nav", "ol", "p", "pre", "section", "table",
     "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
)  # fmt: skip
_RAW_TEXT_TAGS = ("script", "style", "textarea", "title", "xmp")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*>")


def flatten_deep_markup(text: str, max_depth: int) -> str:
    """`text` without the elements that lie on a path of more than `max_depth` nested elements (their text
    kept); elements off such paths (a menu, a footer, the paragraphs beside the run) keep their structure."""
    tags = list(_tags(text))
    # For every opening tag: its depth, the depth of the deepest element under it, and its closing tag's index.
    depth = [0] * len(tags)
    below = [0] * len(tags)
    closed_by = [-1] * len(tags)
    stack: list[int] = []
    open_count: dict[str, int] = {}
    for index, (_, _, name, kind) in enumerate(tags):
        if kind == "open":
            depth[index] = len(stack)
            stack.append(index)
            open_count[name] = open_count.get(name, 0) + 1
        elif kind == "close" and open_count.get(name):
            while stack:  # implicitly closed elements first (an unclosed <p>), then the one this tag closes
                opened = stack.pop()
                open_count[tags[opened][2]] -= 1
                if stack:
                    below[stack[-1]] = max(below[stack[-1]], below[opened] + 1)
                if tags[opened][2] == name:
                    closed_by[opened] = index
                    break
    dropped = bytearray(len(tags))
    for index, (_, end, name, kind) in enumerate(tags):
        if kind != "open" or depth[index] + below[index] < max_depth or name in _KEPT_ALWAYS:
            continue
        # On such a path the page's frame (wrappers with no text of their own, near the top) stays, so the body
        # keeps its container; from the first element that opens on text of its own, the run is read flat.
        next_tag = text.find("<", end)
        opens_on_text = bool(text[end : next_tag if next_tag >= 0 else len(text)].strip())
        if opens_on_text or depth[index] >= KEPT_FRAME_DEPTH:
            dropped[index] = 1
            if closed_by[index] >= 0:
                dropped[closed_by[index]] = 1
    out: list[str] = []
    copied = 0
    for index, (start, end, name, _) in enumerate(tags):
        if dropped[index]:
            out.append(text[copied:start])
            out.append("<br>" if name in _BLOCK_TAGS else "")
            copied = end
    out.append(text[copied:])
    return "".join(out)


_KEPT_ALWAYS = frozenset({"html", "head", "body"})
KEPT_FRAME_DEPTH = 32


def _tags(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, lower-case name, "open" | "close" | "void") of every tag, in one forward pass; comments and
    the contents of raw-text elements are stepped over."""
    position, length = 0, len(text)
    while True:
        position = text.find("<", position)
        if position < 0:
            return
        if text.startswith("<!--", position):
            end = text.find("-->", position + 4)
            position = length if end < 0 else end + 3
            continue
        match = _TAG.match(text, position)
        if match is None:
            position += 1
            continue
        name, end = match.group(2).lower(), match.end()
        if match.group(1):
            yield position, end, name, "close"
        elif name in _RAW_TEXT_TAGS:
            close_at = _find_close(text, name, end)
            end = length if close_at < 0 else close_at
        elif name in VOID_TAGS or match.group(0).endswith("/>"):
            yield position, end, name, "void"
        else:
            yield position, end, name, "open"
        position = end


def _find_close(text: str, name: str, start: int) -> int:
    """The index just past `</name>` from `start` (case-insensitive), or -1 when the element is never closed."""
    pattern = re.compile(rf"</{name}\s*>", re.I)
    found = pattern.search(text, start)
    return found.end() if found else -1
