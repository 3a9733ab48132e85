"""Serve the bundled sample sites on 127.0.0.1: one ThreadingHTTPServer per site, each on a random free port.

The sites behave like the real thing where crawlers break: GBK bytes declared as gb2312 (or not at all), TRS
paging, a JSON search API, robots.txt with a disallowed /admin/, a 404 link, a 500 that heals after one retry,
a 500 that never does, ETag / Last-Modified with 304 answers, and a version 2 with one new and one changed page.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from crawler.sample_sites.model import SITE_NAMES, BuiltSite, ExpectedArticle, RequestLogEntry, Resource
from crawler.sample_sites.texts import http_date

logger = logging.getLogger(__name__)

ROBOTS_TXT = b"User-agent: *\nDisallow: /admin/\n"
ADMIN_PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>后台登录</title></head><body>管理员登录</body></html>'
NOT_FOUND_PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404</title></head><body>您访问的页面不存在</body></html>'
SERVER_ERROR_PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>500</title></head><body>服务器内部错误</body></html>'
HTML_UTF8 = "text/html; charset=utf-8"
STABLE_ORIGIN = "http://{site}.sample.invalid"  # .invalid (RFC 2606) never resolves: no stray live request


def site_builders() -> dict[str, Callable[[int], BuiltSite]]:
    from crawler.sample_sites.render_feed import build_feed_site
    from crawler.sample_sites.render_gov import build_gov_portal, build_policy_library
    from crawler.sample_sites.render_news import build_news_hans, build_news_hant, build_news_mangled

    return {
        "sample_policy_library": build_policy_library,
        "sample_gov_portal": build_gov_portal,
        "sample_news_hans": build_news_hans,
        "sample_news_hant": build_news_hant,
        "sample_news_mangled": build_news_mangled,
        "sample_feed": build_feed_site,
    }


def build_all(version: int) -> dict[str, BuiltSite]:
    return {name: builder(version) for name, builder in site_builders().items()}


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, site: str, owner: SampleSites) -> None:
        super().__init__(("127.0.0.1", 0), _SiteHandler)
        self.site = site
        self.owner = owner


class _SiteHandler(BaseHTTPRequestHandler):
    server: _SiteServer
    server_version = "nginx"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        logger.debug("%s %s", self.server.site, format % args)

    def _answer(self, send_body: bool) -> None:
        owner, site = self.server.owner, self.server.site
        status, headers, body = owner.respond(site, self.command, self.path, self.headers)
        # Logged before answering, so a client that has its response always finds its request in the log.
        owner.log_request(
            RequestLogEntry(
                site=site,
                method=self.command,
                path=self.path,
                status=status,
                if_none_match=self.headers.get("If-None-Match"),
                if_modified_since=self.headers.get("If-Modified-Since"),
                user_agent=self.headers.get("User-Agent"),
            )
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(body)


class SampleSites:
    """The five sample sites, started on enter and stopped on exit.

    >>> with SampleSites() as sites:
    ...     sites.base_urls["sample_gov_portal"]   # 'http://127.0.0.1:41234'
    """

    def __init__(self, version: int = 1) -> None:
        self.version = version
        self.base_urls: dict[str, str] = {}
        self._built: dict[str, BuiltSite] = {}
        self._servers: list[_SiteServer] = []
        self._threads: list[threading.Thread] = []
        self._requests: list[RequestLogEntry] = []
        self._lock = threading.Lock()
        self._failed_once: set[tuple[str, str]] = set()

    # --- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> SampleSites:
        self._built = build_all(self.version)
        for site in SITE_NAMES:
            server = _SiteServer(site, self)
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"sample-site-{site}",
                daemon=True,
            )
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
            self.base_urls[site] = f"http://127.0.0.1:{server.server_address[1]}"
        logger.info("sample sites up: %s", ", ".join(f"{k}={v}" for k, v in self.base_urls.items()))
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> SampleSites:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- what tests and the crawl command read -----------------------------------------------------------------

    @property
    def requests(self) -> list[RequestLogEntry]:
        """A snapshot of every request answered so far, in order."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def log_request(self, entry: RequestLogEntry) -> None:
        with self._lock:
            self._requests.append(entry)

    def expected_articles(self, site: str) -> list[ExpectedArticle]:
        """Every detail page the site's list pages or API link to, with absolute URLs, newest first."""
        if site not in SITE_NAMES:
            raise KeyError(f"unknown sample site {site!r}; known: {', '.join(SITE_NAMES)}")
        built = self._built.get(site) or build_all(self.version)[site]
        base = self.base_urls.get(site, "")
        return [
            replace(a, url=base + a.url, attachment_urls=tuple(base + u for u in a.attachment_urls))
            for a in sorted(built.expected, key=lambda a: a.published_on, reverse=True)
        ]

    def stable_url(self, url: str) -> str:
        """The run-independent form of a sample URL: the random port gives way to the site name
        (http://127.0.0.1:41234/news/list_1.html → http://sample_news_hans.sample.invalid/news/list_1.html),
        so a store keyed by URL sees the same page on every run. Other URLs come back unchanged."""
        for site, base in self.base_urls.items():
            if url == base or url.startswith(base + "/"):
                return STABLE_ORIGIN.format(site=site) + url[len(base) :]
        return url

    def live_url(self, stable: str) -> str:
        """The inverse of `stable_url` for the running servers."""
        for site, base in self.base_urls.items():
            origin = STABLE_ORIGIN.format(site=site)
            if stable == origin or stable.startswith(origin + "/"):
                return base + stable[len(origin) :]
        return stable

    def set_version(self, version: int) -> None:
        """Switch the content: version 2 adds one article to page 1 of sample_news_hans and changes one notice
        of sample_gov_portal (new body, Last-Modified and ETag)."""
        built = build_all(version)
        with self._lock:
            self.version = version
            self._built = built

    # --- answering -------------------------------------------------------------------------------------------

    def respond(self, site: str, method: str, raw_path: str, headers) -> tuple[int, dict[str, str], bytes]:  # noqa: ANN001
        """(status, headers, body) for one request; the handler only writes it out."""
        parts = urlsplit(raw_path)
        path = parts.path
        built = self._built[site]
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, ROBOTS_TXT
        if path.startswith("/admin/"):
            return 200, {"Content-Type": HTML_UTF8}, ADMIN_PAGE.encode("utf-8")
        if path == "/api/search" and built.api_pages:
            return self._api_page(built, parts.query)
        resource = built.resources.get(path)
        if resource is None:
            return 404, {"Content-Type": HTML_UTF8}, NOT_FOUND_PAGE.encode("utf-8")
        if self._fails(site, path, method, resource):
            return 500, {"Content-Type": HTML_UTF8}, SERVER_ERROR_PAGE.encode("utf-8")
        return self._resource(resource, headers)

    def _fails(self, site: str, path: str, method: str, resource: Resource) -> bool:
        if resource.status == "500":
            return True
        if resource.status != "500_once" or method != "GET":
            return False
        with self._lock:
            if (site, path) in self._failed_once:
                return False
            self._failed_once.add((site, path))
            return True

    @staticmethod
    def _api_page(built: BuiltSite, query: str) -> tuple[int, dict[str, str], bytes]:
        values = parse_qs(query).get("page", ["1"])
        try:
            page = int(values[0])
        except ValueError:
            page = 0
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if page < 1:
            return 400, headers, b'{"error": "page must be a positive integer"}'
        if page not in built.api_pages:
            return (
                200,
                headers,
                (f'{{"page": {page}, "pages": {built.api_page_count}, "total": 0, "items": []}}'.encode()),
            )
        return 200, headers, built.api_pages[page]

    @staticmethod
    def _resource(resource: Resource, request_headers) -> tuple[int, dict[str, str], bytes]:  # noqa: ANN001
        body = resource.payload()
        headers = {"Content-Type": resource.content_type}
        if resource.last_modified is None:
            return 200, headers, body
        etag = resource.etag()
        headers["ETag"] = etag
        headers["Last-Modified"] = http_date(resource.last_modified)
        if not_modified(request_headers, etag, resource):
            return 304, headers, b""
        return 200, headers, body


def not_modified(request_headers, etag: str, resource: Resource) -> bool:  # noqa: ANN001
    """RFC 9110: If-None-Match wins when present; else If-Modified-Since against Last-Modified (to the second)."""
    if_none_match = request_headers.get("If-None-Match")
    if if_none_match:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = request_headers.get("If-Modified-Since")
    if not since or resource.last_modified is None:
        return False
    try:
        return resource.last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        logger.debug("unreadable If-Modified-Since: %r", since)
        return False
