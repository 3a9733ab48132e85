"""Evidence from a page's `<head>`: the standard government meta tags, Open Graph, and the `<title>`.

Chinese government portals (TRS/集约化 platforms, gov.cn) publish `ArticleTitle`, `PubDate`, `ContentSource`,
`SiteName`, `SiteIDCode`, `ColumnName` and `firstpublishedtime` as `<meta name=…>`; they are the most reliable
field source when present, so they are read first.
"""

from __future__ import annotations

import logging
import re

from lxml import html as lxml_html

logger = logging.getLogger(__name__)

TITLE_META = ("articletitle", "og:title", "twitter:title", "title", "dc.title")
DATE_META = (
    "pubdate",
    "firstpublishedtime",
    "article:published_time",
    "publishdate",
    "publish_date",
    "publishtime",
    "og:release_date",
    "dc.date",
    "dc.date.issued",
    "weibo:article:create_at",
    "ptime",
    "maketime",
)
SOURCE_META = ("contentsource", "source", "article:source", "og:site_name")
AUTHOR_META = ("author", "article:author", "dc.creator")

_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
# A bare "-" separates only next to a Chinese character, so "1-10月" and "Wi-Fi" stay whole.
_TITLE_SEPARATORS = re.compile(
    r"\s*(?:_|\||｜|--|——|—|-\s|\s-|–|(?<=[\u4e00-\u9fff）》」”])-(?=[^\d\s])|(?<=[^\d\s])-(?=[\u4e00-\u9fff]))\s*"
)
_SPACES = re.compile(r"[\s\u3000\xa0]+")
# "Author" metas that name a platform, a numeric account or a template's placeholder, not a person.
_JUNK_AUTHOR = re.compile(r"^(?:\d+|.*@.*|.*(?:team|\.net|\.com|网站|网|报|频道).*|name.*)$", re.I)


def collapse_spaces(text: str | None) -> str:
    """One space for any run of ASCII, full-width or non-breaking spaces; trimmed."""
    return " ".join((text or "").split())  # str.split's spaces are _SPACES'


def read_meta(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """Lower-cased meta name/property → first non-empty content."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        value = collapse_spaces(meta.get("content"))
        if key and value and key not in found:
            found[key] = value
    return found


def first_meta(meta: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key]
    return None


def iso_date(text: str | None) -> str | None:
    """'2019-09-07 13:43:45' → '2019-09-07T13:43:45'; '2019年04月25日' → '2019-04-25'; None if no date."""
    if not text:
        return None
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    date_part = f"{year:04d}-{month:02d}-{day:02d}"
    if match["H"] is None:
        return date_part
    hour, minute, second = int(match["H"]), int(match["M"]), int(match["S"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return date_part
    return f"{date_part}T{hour:02d}:{minute:02d}:{second:02d}"


def html_title(tree: lxml_html.HtmlElement) -> str | None:
    node = tree.find(".//title")
    if node is None:
        return None
    return collapse_spaces(node.text_content()) or None


def title_prefix(title: str) -> str:
    """The article part of a `<title>`: drops '_栏目_网站' / '-网站名' suffixes."""
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if not parts:
        return title
    best = parts[0]
    # Some sites put the site first: "网站名 - 文章标题"; the longest part is then the article.
    longest = max(parts, key=len)
    if len(best) <= 6 and len(longest) > 2 * len(best):
        return longest
    return best


def heading_matching_title(tree: lxml_html.HtmlElement, title: str | None) -> str | None:
    """An h1/h2 whose text begins the `<title>` (or the other way round): the article's own heading."""
    if not title:
        return None
    squeezed_title = _SPACES.sub("", title)
    for tag in ("h1", "h2", "h3"):
        for node in tree.iter(tag):
            text = collapse_spaces(node.text_content())
            squeezed = _SPACES.sub("", text)
            if len(squeezed) >= 4 and (
                squeezed_title.startswith(squeezed) or squeezed.startswith(squeezed_title)
            ):
                return text
    return None


# What follows a source or an author on a by-line and is not part of it: report and print links, counters, font
# size and share widgets, the next label, a date.
_BYLINE_CHROME = re.compile(
    r"\s*(?:[|｜丨]|【|\[|（?\s*(?:举报|纠错|打印|分享|收藏|关闭|评论|扫一扫|二维码|微信|微博|QQ空间)"
    r"|(?:访问量|浏览量|浏览次数|浏览|阅读量|阅读数|阅读|点击量|点击数|点击|字号|字体)\s*[:：]?"
    r"|[\u4e00-\u9fff]{1,4}\s*[:：]"
    r"|(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)
_BYLINE_LABEL = re.compile(
    r"^(?:信息来源|文章来源|新闻来源|稿件来源|稿源|来源|出处|作者|记者|撰稿|撰文|责任编辑|责编|编辑|通讯员)\s*[:：]\s*"
)
_BYLINE_PLACEHOLDER = re.compile(r"^(?:无|暂无|空|未知|佚名|不详|本站|-+|—+|/|null|none)$", re.I)


def _byline_value(value: str | None) -> str:
    """The name on a by-line: its label stripped, cut where the next label, a date or the page's chrome begins."""
    value = collapse_spaces(value)
    while True:
        stripped = _BYLINE_LABEL.sub("", value, count=1)
        if stripped == value:
            break
        value = stripped
    chrome = _BYLINE_CHROME.search(value)
    if chrome is not None:
        value = value[: chrome.start()]
    value = _unbalanced_brackets(value.strip(" ：:|丨/,，;；。"))
    return "" if _BYLINE_PLACEHOLDER.match(value) else value


def _unbalanced_brackets(value: str) -> str:
    """"经济日报）" (the credit "（来源：经济日报）" read from its label on) → "经济日报"; "人民网（北京）" stays."""
    value = value.strip()
    for opening, closing in (("（", "）"), ("(", ")"), ("【", "】"), ("[", "]")):
        if value.endswith(closing) and opening not in value:
            value = value[: -len(closing)].rstrip()
        if value.startswith(opening) and closing not in value:
            value = value[len(opening) :].lstrip()
    return value


def clean_source(value: str | None) -> str | None:
    """'来源：新华社 举报' → '新华社'; None for an empty by-line value ("来源： 作者：") or a sentence."""
    value = _byline_value(re.split(r"\s{2,}", (value or "").strip())[0])
    if not value or len(value) > 40:
        return None
    return value


def clean_author(value: str | None) -> str | None:
    """A person's name from an author field, or None for platform names, account ids and placeholders."""
    value = _byline_value(value)
    if not value or len(value) > 40 or _JUNK_AUTHOR.match(value):
        return None
    return value


def region_from_site_id(site_id: str | None) -> str | None:
    """Division code from a `SiteIDCode`: central sites (bm…) → '100000', local sites → first six digits."""
    if not site_id:
        return None
    site_id = site_id.strip()
    if site_id.lower().startswith("bm"):
        return "100000"
    if re.fullmatch(r"\d{10}", site_id) and site_id[:2] != "00":
        return site_id[:6]
    return None


_BYLINE_DATE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?)?"
)
# Names of the bodies that publish news: a source written with no label ends like one of these.
_PUBLISHER_NAME = re.compile(
    r"^[\u4e00-\u9fffA-Za-z·－\-—（）()《》]{2,20}?(?:社|网|报|台|刊|局|委|厅|部|办|府|院|会|中心|新闻|客户端|在线|频道|杂志|号)$"
)
_SOURCE_PREFIX = re.compile(r"^(?:本文|本稿|本篇)?(?:来源于|来自|转自|转载自|稿件来源)\s*[:：]?\s*")
MAX_BYLINE_CHARS = 150
_NOT_BLOCKS = {"script", "style", "noscript", "template"}


def unlabelled_byline_source(blocks: list[lxml_html.HtmlElement]) -> str | None:
    """A source the by-line under the title names without a "来源：" label: "新华社 2020-01-03 18:13",
    "2019-09-26 10:56:28 证券时报网", "本文来源于国家统计局 2024-05-11". Only a publisher's name is taken."""
    for block in blocks:
        text = collapse_spaces(block.text_content())
        if len(text) > MAX_BYLINE_CHARS or not _BYLINE_DATE.search(text):
            continue
        for piece in block.itertext():
            name = _byline_value(_SOURCE_PREFIX.sub("", _BYLINE_DATE.sub(" ", piece).strip()))
            if _PUBLISHER_NAME.match(name):
                return name
        return None
    return None


def byline_date(blocks: list[lxml_html.HtmlElement]) -> str | None:
    """The date on the by-line under the title when no label names it ("2024年03月08日 09:41　举报"): the day the
    page shows, read before any library's guess."""
    for block in blocks:
        text = collapse_spaces(block.text_content())
        found = _BYLINE_DATE.search(text) if len(text) <= MAX_BYLINE_CHARS else None
        if found and _looks_like_byline(text, found):
            return iso_date(found.group(0))
    return None


_BYLINE_WORDS = re.compile(r"来源|作者|记者|编辑|发布|浏览|阅读|点击|字号|字体|分享|举报|打印|评论|收藏")
MAX_BYLINE_REST_CHARS = 12


def _looks_like_byline(text: str, date: re.Match[str]) -> bool:
    """A by-line, not a sentence that holds a date ("（2018年3月20日第十三届全国人民代表大会第一次会议通过）"): the
    date has its time, or the line's other words are by-line words or few."""
    if re.search(r"\d{1,2}\s*[:：]\s*\d{2}", date.group(0)) or _BYLINE_WORDS.search(text):
        return True
    rest = re.sub(r"[\W_]+", "", text[: date.start()] + text[date.end() :])
    return len(rest) <= MAX_BYLINE_REST_CHARS


def byline_lines(blocks: list[lxml_html.HtmlElement]) -> list[str]:
    """The short texts of the by-line blocks."""
    lines = (collapse_spaces(block.text_content()) for block in blocks)
    return [line for line in lines if line and len(line) <= MAX_BYLINE_CHARS]


# Where pages of the 2000s set the title when they have no <h1>: a bold or large-font run of its own.
_OLD_HEADING_TAGS = ("b", "strong", "font", "span", "td", "div", "p")


def byline_blocks(tree: lxml_html.HtmlElement, title: str | None) -> list[lxml_html.HtmlElement]:
    """The few elements after the heading that repeats the title (where by-lines are), or none; the readers of
    by-lines above take them."""
    squeezed_title = _SPACES.sub("", title or "")
    if len(squeezed_title) < 4:
        return []
    for tag in ("h1", "h2", "h3"):
        for heading in tree.iter(tag):
            squeezed = _SPACES.sub("", heading.text_content())
            if len(squeezed) >= 4 and (squeezed.startswith(squeezed_title) or squeezed_title.startswith(squeezed)):
                return _blocks_after(heading)
    for heading in tree.iter(_OLD_HEADING_TAGS):  # own text only: one look at each element
        if heading.text and len(heading) == 0 and _SPACES.sub("", heading.text) == squeezed_title:
            return _blocks_after(heading)
    return []


def _blocks_after(heading: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """The few elements that follow a heading: its next siblings, else its parent's."""
    node: lxml_html.HtmlElement | None = heading
    for _ in range(4):  # <tr><td><font><b>title</b></font></td></tr><tr>…by-line…</tr>: three levels up
        if node is None:
            break
        siblings = [el for el in node.itersiblings() if isinstance(el.tag, str) and el.tag not in _NOT_BLOCKS][:3]
        if siblings:
            return siblings
        node = node.getparent()
    return []
