"""A generated government portal for the benchmarks: N detail pages behind list pages on 127.0.0.1.

List pages are TRS-style (index.html, index_1.html …, 20 links each, a 下一页 link to the next); detail pages
carry the 信息公开 table when they are notices, as provincial portals print them.

Every page is rendered on request from its number (a seeded RNG picks the template slots), so the server holds
no page in memory and a 20,000-page site costs what a 2,000-page one does. Same number, same bytes, on every
run. The texts are our own templates of provincial notices and work news: regions, plans in 《》, targets with
numbers and units, dates, the way the real sites write them.

The server runs in its own process (`python -m bench.site serve --pages N`), so the two cores are shared
between it and the crawl the way a remote site would not be: the benchmarks say so when they print.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from bench.texts import ArticleWriter

SITE_NAME = "bench_portal"
COLUMN = "/col/col_bench"
PER_LIST_PAGE = 20
FIRST_ID = 3_100_000
DETAIL_RE = re.compile(rf"^{COLUMN}/(\d{{6}})/t(\d{{8}})_(\d+)\.html$")
LIST_RE = re.compile(rf"^{COLUMN}/index(?:_(\d+))?\.html$")
STATS_PATH = "/__bench_stats"


class BenchSite:
    """The pages of a generated portal with `pages` detail pages, newest first, PER_LIST_PAGE per list page."""

    def __init__(self, pages: int) -> None:
        if pages < 1:
            raise ValueError("a bench site needs at least one detail page")
        self.pages = pages
        self.list_pages = -(-pages // PER_LIST_PAGE)

    # --- addresses -------------------------------------------------------------------------------------------
    def published_on(self, n: int) -> str:
        """Page n's date: newest first, three pages a day going back from 2024-12-30."""
        day = time.gmtime(1735516800 - (n // 3) * 86400)  # 2024-12-30
        return time.strftime("%Y-%m-%d", day)

    def detail_path(self, n: int) -> str:
        day = self.published_on(n).replace("-", "")
        return f"{COLUMN}/{day[:6]}/t{day}_{FIRST_ID + n}.html"

    @staticmethod
    def list_path(index: int) -> str:
        return f"{COLUMN}/index.html" if index == 0 else f"{COLUMN}/index_{index}.html"

    def start_path(self) -> str:
        return self.list_path(0)

    def page_of(self, path: str) -> tuple[str, int] | None:
        """('detail', n) or ('list', index) for a path this site serves, else None."""
        m = DETAIL_RE.match(path)
        if m:
            n = int(m.group(3)) - FIRST_ID
            if 0 <= n < self.pages and self.detail_path(n) == path:
                return "detail", n
            return None
        m = LIST_RE.match(path)
        if m:
            index = int(m.group(1) or 0)
            if 0 <= index < self.list_pages and (index > 0 or m.group(1) is None):
                return "list", index
        return None

    # --- content ---------------------------------------------------------------------------------------------
    def _writer(self, n: int) -> tuple[ArticleWriter, bool, tuple[str, str, str]]:
        rng = random.Random(f"bench-page-{n}")
        writer = ArticleWriter(rng, int(self.published_on(n)[:4]))
        notice = rng.random() < 0.6  # notices issuing a plan; the rest are work reports
        return writer, notice, writer.headline(notice)

    def article_title(self, n: int) -> str:
        return self._writer(n)[2][0]

    def article(self, n: int) -> dict[str, str]:
        """Title, issuer, doc number, date and body of page n (deterministic; 700 to 2,500 characters)."""
        published = self.published_on(n)
        writer, notice, (title, issuer, doc_number) = self._writer(n)
        paragraphs = writer.notice(published, issuer) if notice else writer.news()
        return {"title": title, "issuer": issuer, "doc_number": doc_number, "published_on": published,
                "index_no": f"430A{n % 100:02d}/{published[:4]}-{n:05d}", "theme": writer.theme.name,
                "body": "\n".join(paragraphs)}

    def detail_html(self, n: int) -> str:
        a = self.article(n)
        title = escape(a["title"])
        body = "\n".join(f'<p style="text-indent: 2em;">{escape(p)}</p>' for p in a["body"].split("\n"))
        table = ""
        if a["doc_number"]:
            table = f"""<table class="xxgk_table" width="100%" border="0">
<tr><th>索 引 号：</th><td>{a["index_no"]}</td><th>主题分类：</th><td>{escape(a["theme"])}</td></tr>
<tr><th>发文机关：</th><td>{escape(a["issuer"])}</td><th>成文日期：</th><td>{a["published_on"]}</td></tr>
<tr><th>标　　题：</th><td colspan="3">{title}</td></tr>
<tr><th>发文字号：</th><td>{escape(a["doc_number"])}</td><th>发布日期：</th><td>{a["published_on"]}</td></tr>
</table>"""
        return f"""{_head(f"{title}_省人民政府门户网站", a)}
<body>
{_HEADER}
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{COLUMN}/index.html">通知公告</a></div>
<div class="xxgk">{table}</div>
<div class="main_con">
<h1 class="sp_title">{title}</h1>
<div class="sp_time"><span>发布时间：{a["published_on"]}</span><span>来源：{escape(a["issuer"])}</span>
<span>【字体：<a>大</a> <a>中</a> <a>小</a>】</span><span>【<a>打印</a>】【<a>关闭</a>】</span></div>
<div class="TRS_Editor">
{body}
</div>
<div class="editor">责任编辑：{"王镕李明周敏"[n % 3]}</div>
</div>
{_FOOTER}"""

    def list_html(self, index: int) -> str:
        items = []
        for n in range(index * PER_LIST_PAGE, min(self.pages, (index + 1) * PER_LIST_PAGE)):
            title = escape(self.article_title(n))
            items.append(f'<li><span class="date">{self.published_on(n)}</span>'
                         f'<a href=".{self.detail_path(n)[len(COLUMN):]}" target="_blank" title="{title}">{title}</a></li>')
        nav = []
        if index > 0:
            nav.append(f'<a href="{self.list_path(index - 1).rsplit("/", 1)[1]}">上一页</a>')
        if index < self.list_pages - 1:
            nav.append(f'<a href="index_{index + 1}.html">下一页</a>')
        return f"""{_head("通知公告_省人民政府门户网站", None)}
<body>
{_HEADER}
<div class="crumb">当前位置：<a href="/">首页</a> &gt; 通知公告</div>
<div class="list_box"><ul class="list">
{chr(10).join(items)}
</ul></div>
<div class="page">{" ".join(nav)}</div>
{_FOOTER}"""

    def render(self, path: str) -> tuple[int, str, bytes]:
        """(status, content type, body) of one GET."""
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", b"User-agent: *\nDisallow: /admin/\n"
        page = self.page_of(path)
        if page is None:
            return 404, "text/html; charset=utf-8", "<html><body>页面不存在</body></html>".encode()
        kind, number = page
        html = self.detail_html(number) if kind == "detail" else self.list_html(number)
        return 200, "text/html; charset=utf-8", html.encode("utf-8")


def _head(title: str, article: dict[str, str] | None) -> str:
    meta = ""
    if article is not None:
        meta = (f'<meta name="ArticleTitle" content="{escape(article["title"])}">\n'
                f'<meta name="PubDate" content="{article["published_on"]} 09:30">\n'
                f'<meta name="ContentSource" content="{escape(article["issuer"])}">\n')
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta name="SiteName" content="省人民政府门户网站">
<meta name="ColumnName" content="通知公告">
{meta}<link rel="stylesheet" href="/css/main.css">
<script type="text/javascript" src="/js/jquery.min.js"></script>
</head>"""


_HEADER = """<div class="header"><div class="logo">省人民政府门户网站</div>
<div class="nav"><a href="/">首页</a><a href="/col/col_bench/index.html">通知公告</a><a href="/zwgk/">政务公开</a>
<a href="/zwfw/">政务服务</a><a href="/hdjl/">互动交流</a><a href="/sjfb/">数据发布</a></div>
<div class="search"><form action="/search"><input name="q" placeholder="请输入关键词"><button>搜索</button></form></div></div>"""
_FOOTER = """<div class="footer"><p><a href="/about/">关于我们</a> | <a href="/map/">网站地图</a> | <a href="/contact/">联系我们</a></p>
<p>主办：省人民政府办公厅　承办：省电子政务服务中心</p>
<p>网站标识码：4300000099　ICP备案号：湘ICP备05009999号　公安机关备案号：43010502000999号</p></div>
</body>
</html>"""


def registry_yaml(base_url: str, *, concurrency: int = 8, download_delay: float = 0.0, pages: int = 0) -> str:
    """The registry entry of the bench site as served at `base_url` (list pages capped at what exists)."""
    list_pages = max(1, -(-pages // PER_LIST_PAGE)) if pages else 100_000
    return f"""sites:
  - name: {SITE_NAME}
    kind: gov_portal
    title: 基准测试·省人民政府门户网站
    region_code: "430000"
    canonical_base: "http://bench-portal.bench.invalid"
    start_urls: ["{base_url}{COLUMN}/index.html"]
    detail_url_pattern: '{COLUMN}/\\d{{6}}/t\\d{{8}}_\\d+\\.html$'
    list_url_pattern: '{COLUMN}/index(_\\d+)?\\.html$'
    paging: next_link
    concurrency: {concurrency}
    download_delay: {download_delay}
    max_list_pages: {list_pages + 1}
"""


# --- serving -------------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        """A crawl stopped mid-request resets its connections: not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def __init__(self, site: BenchSite, latency: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site, self.latency = site, latency
        self.requests = 0
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    server_version = "nginx"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path == STATS_PATH:
            with self.server.lock:
                payload = json.dumps({"requests": self.server.requests}).encode()
                if "reset" in self.path:
                    self.server.requests = 0
            return self._send(200, "application/json", payload)
        with self.server.lock:
            self.server.requests += 1
        if self.server.latency:
            time.sleep(self.server.latency)
        status, content_type, body = self.server.site.render(path)
        self._send(status, content_type, body)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        pass


def serve(pages: int, latency: float = 0.0) -> None:
    """Serve until stdin closes (the parent went away) and print the base URL first."""
    server = _Server(BenchSite(pages), latency)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    sys.stdin.read()
    server.shutdown()


class BenchServer:
    """The bench site in a child process, for the duration of a `with` block.

    >>> with BenchServer(2000) as server:
    ...     server.base_url          # 'http://127.0.0.1:40123'
    """

    def __init__(self, pages: int, latency: float = 0.0) -> None:
        self.pages, self.latency = pages, latency
        self.base_url = ""
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> BenchServer:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.site", "serve", "--pages", str(self.pages), "--latency", str(self.latency)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root,
        )
        line = self._process.stdout.readline().strip() if self._process.stdout else ""
        if not line.startswith("http://"):
            self._stop()
            raise RuntimeError(f"the bench site did not start (said {line!r}); run `python -m bench.site serve` to see why")
        self.base_url = line
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop()

    def _stop(self) -> None:
        if self._process is None:
            return
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout:
            self._process.stdout.close()
        self._process = None

    def cpu_seconds(self) -> float:
        """CPU time the site's process has used so far (Linux /proc): its share of the shared cores."""
        if self._process is None:
            return 0.0
        try:
            with open(f"/proc/{self._process.pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def requests(self, reset: bool = False) -> int:
        """Requests the site has answered (robots.txt included) since start or the last reset."""
        import urllib.request

        url = f"{self.base_url}{STATS_PATH}{'?reset=1' if reset else ''}"
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(json.load(response)["requests"])

    def registry_yaml(self, **kwargs: float) -> str:
        return registry_yaml(self.base_url, pages=self.pages, **kwargs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.site", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="serve the site on a free port of 127.0.0.1 until stdin closes")
    run.add_argument("--pages", type=int, default=2000)
    run.add_argument("--latency", type=float, default=0.0, help="seconds each answer waits (a remote server)")
    show = sub.add_parser("show", help="print one detail page's HTML")
    show.add_argument("n", type=int)
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.pages, args.latency)
    else:
        print(BenchSite(args.n + 1).detail_html(args.n))


if __name__ == "__main__":
    main()
