"""Canonical URLs: one article, one identity, whatever tracking junk a link carried."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMS = {"spm", "from", "share", "share_token", "timestamp", "wfr", "isappinstalled", "scene"}
TRACKING_PREFIXES = ("utm_",)


def canonical_url(url: str) -> str:
    """Sorted query without tracking parameters, no fragment, normalised escapes.

    The query is filtered as written, so GBK escapes (?title=%D5%FE%B2%DF) survive byte for byte; a URL that
    cannot be parsed at all (http://[::1) is its own identity rather than an exception in a spider.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    kept = []
    for part in parts.query.split("&"):
        key = unquote(part.split("=", 1)[0].replace("+", " ")).lower()
        if part and key not in TRACKING_PARAMS and not key.startswith(TRACKING_PREFIXES):
            kept.append(part)
    cleaned = urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", "&".join(kept), ""))
    try:
        return canonicalize_url(cleaned, keep_fragments=False)
    except ValueError:
        return cleaned
