"""Canonical URLs: one article, one identity, whatever tracking junk a link carried."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMS = {"spm", "from", "share", "share_token", "timestamp", "wfr", "isappinstalled", "scene"}
TRACKING_PREFIXES = ("utm_",)


def canonical_url(url: str) -> str:
    """Sorted query without tracking parameters, no fragment, normalised escapes."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    cleaned = urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", urlencode(query), ""))
    return canonicalize_url(cleaned, keep_fragments=False)
