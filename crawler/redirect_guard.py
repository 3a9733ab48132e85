"""Redirects that cannot reach the page become recorded failures instead of silent drops.

Scrapy drops a redirect back to a URL it has already requested (its duplicate filter: every redirect loop)
and a redirect to another domain (its offsite filter) without calling the request's errback, so the linked
page vanished from the run without an `errors` row. This middleware sees each 3xx before RedirectMiddleware
does and refuses those two with an IgnoreRequest that names its kind; the spider's errback records it.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from w3lib.url import safe_url_string

from crawler.urls import canonical_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class RedirectRefused(IgnoreRequest):
    """A redirect we will not follow; `kind` and `status` become the `errors` row's kind and last status."""

    def __init__(self, kind: str, status: int, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


class RedirectGuardMiddleware:
    """Placed above RedirectMiddleware (600) in DOWNLOADER_MIDDLEWARES, so it sees redirects first."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if response.status not in REDIRECT_STATUSES or b"Location" not in response.headers:
            return response
        if request.meta.get("dont_redirect") or response.status in request.meta.get("handle_httpstatus_list", ()):
            return response
        location = safe_url_string(response.headers[b"Location"].decode("latin-1"))
        target = urljoin(request.url, location)
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if canonical_url(target) in {canonical_url(u) for u in chain}:
            hops = " → ".join([*chain, target])
            raise RedirectRefused("redirect_loop", response.status, f"redirect loop: {hops}")
        allowed = getattr(self.crawler.spider, "allowed_domains", None)
        if allowed and not request.meta.get("allow_offsite") and not _on_domains(target, allowed):
            raise RedirectRefused(
                "offsite", response.status,
                f"redirected off the site's allowed domains ({', '.join(allowed)}) to {target}",
            )
        return response


def _on_domains(url: str, domains: list[str]) -> bool:
    """The host (port ignored) is one of `domains` or a subdomain of one, as Scrapy's offsite filter decides."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)
