"""Bundled offline sample sites (issue 2): five local HTTP servers shaped like real policy sources.

`policycrawl crawl --sample` starts them, crawls them and stops them; tests use `expected_articles()` as ground
truth. Importing this package is cheap: the HTTP server, the content, OpenCC and python-docx load only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.sample_sites.model import SITE_NAMES, ExpectedArticle, RequestLogEntry

if TYPE_CHECKING:
    from crawler.sample_sites.server import SampleSites

__all__ = ["SITE_NAMES", "ExpectedArticle", "RequestLogEntry", "SampleSites"]


def __getattr__(name: str) -> Any:
    if name == "SampleSites":
        from crawler.sample_sites.server import SampleSites

        return SampleSites
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
