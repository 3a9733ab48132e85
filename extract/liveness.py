"""Is a stored document still there? The judgements a revisit makes on an answer, as pure functions.

Portals rarely answer a withdrawn notice with a 404: many send their home page (a redirect to `/`) or a
"页面不存在" page with status 200. Those are `gone`, not `changed`. A diff's size is counted by lines (a
multiset difference), linear in the texts, so a revisit of a long plan stays cheap.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

SOFT_404_MAX_CHARS = (
    600  # a "not found" page is short; a notice that mentions 页面不存在 in its text is not one
)
_SOFT_404_RE = re.compile(
    r"页面不存在|页面未找到|找不到(?:该|您要访问的|您所访问的)?页面|(?:您|你)(?:所)?访问的页面(?:不存在|已删除|已被删除|已过期)|"
    r"信息已(?:删除|撤销|撤回|下线|过期)|(?:该|此)(?:信息|文章|页面|内容)(?:已|不)(?:删除|存在|撤销|下线)|"
    r"内容已(?:删除|撤销|下线)|\b404\b|not\s+found|page\s+(?:does\s+not|doesn't)\s+exist",
    re.I,
)
# Second-level domains shared by many sites (hunan.gov.cn and www.gov.cn are two sites under gov.cn).
_SHARED_SUFFIXES = {f"{label}.cn" for label in ("gov", "com", "org", "net", "edu", "ac", "mil")} | {
    "cn",
    "com",
    "org",
    "net",
}
_HOME_PATHS = {
    "",
    "/",
    "/index.html",
    "/index.htm",
    "/index.shtml",
    "/index.jsp",
    "/default.htm",
    "/default.html",
    "/default.aspx",
    "/index.php",
}


def looks_gone(title: str | None, text: str | None) -> bool:
    """A 200 page that says the document is not there (soft 404): a short page naming its absence."""
    body = text or ""
    if len(body) > SOFT_404_MAX_CHARS:
        return False
    return bool(_SOFT_404_RE.search(title or "") or _SOFT_404_RE.search(body))


def is_home_page(url: str, base_url: str | None) -> bool:
    """`url` is the site's home page (its root or index, or the registry's base URL): where portals send what
    they removed."""
    parts = urlsplit(url)
    if parts.path.rstrip("/") in {p.rstrip("/") for p in _HOME_PATHS} and not parts.query:
        return True
    if base_url:
        base = urlsplit(base_url)
        same_host = base.netloc.lower() == parts.netloc.lower()
        return same_host and parts.path.rstrip("/") == base.path.rstrip("/") and not parts.query
    return False


def diff_chars(old: str | None, new: str | None) -> int:
    """Characters in lines removed plus lines added between two texts (line multisets: linear)."""
    before = Counter((old or "").splitlines())
    after = Counter((new or "").splitlines())
    removed = before - after
    added = after - before
    return sum(len(line) * n for line, n in removed.items()) + sum(len(line) * n for line, n in added.items())


def rebase(url: str, bases: dict[str, str]) -> str:
    """`url` with its base swapped by `bases` ({from: to}, e.g. a site's canonical base → where it is served)."""
    for origin, target in bases.items():
        origin = origin.rstrip("/")
        if url == origin or url.startswith(origin + "/"):
            return target.rstrip("/") + url[len(origin) :]
    return url


def same_site(url: str, other: str) -> bool:
    """Both URLs on one site (www. aside, or one host under the other): a revisit follows only such redirects,
    so it never asks a host the crawl did not choose."""
    a = (urlsplit(url).hostname or "").removeprefix("www.")
    b = (urlsplit(other).hostname or "").removeprefix("www.")
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return longer.endswith("." + shorter) and shorter not in _SHARED_SUFFIXES and shorter.count(".") >= 1
