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


def clean_author(value: str | None) -> str | None:
    """A person's name from an author field, or None for platform names, account ids and placeholders."""
    value = collapse_spaces(value)
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
