"""`policycrawl revisit` against pages served on 127.0.0.1 that change between two revisits: alive (304 and
same text), changed (a new version with its diff size), moved, gone (404, 410, home-page redirect, soft 404),
unreachable (500); the stored text kept; incremental (what was just checked is not due); exit codes."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from crawler.cli import main
from crawler.items import FetchedPage
from crawler.processing import extract_page_facts, normalize_record, understand_page
from crawler.publish import datasette_app
from crawler.revisit import LivenessRecorder, due_pages
from crawler.store import Store
from extract.liveness import diff_chars, is_home_page, looks_gone, rebase, same_site

LAST_MODIFIED = "Tue, 01 Jun 2021 08:00:00 GMT"


def _notice(title: str, doc_number: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><div class="article">'
        f'<h1>{title}</h1><div class="info">发布时间：2021-06-01 来源：湖南省人民政府</div>'
        f'<div class="content"><p>{doc_number}</p>{body}</div></div></body></html>'
    ).encode()


PARAGRAPHS = [
    "各市州、县市区人民政府，省政府各厅委、各直属机构：",
    "现将有关事项通知如下。到2025年，全省数字经济规模达到2.5万亿元，累计建成5G基站15万个。",
    "各地各部门要将目标任务纳入年度绩效考核，确保各项措施落到实处。",
    "湖南省人民政府办公厅",
]
DOCS = {
    f"/zwgk/{name}.html": _notice(
        f"湖南省人民政府办公厅关于{topic}的通知", f"湘政办发〔2021〕{n}号", PARAGRAPHS
    )
    for n, (name, topic) in enumerate(
        [
            ("a", "推进数字政府建设"),
            ("b", "加强政务公开"),
            ("c", "优化营商环境"),
            ("d", "促进平台经济发展"),
            ("e", "加快发展数字经济"),
            ("f", "做好防汛工作"),
            ("g", "开展质量提升行动"),
            ("h", "推进5G网络建设"),
            ("i", "开展政务数据共享"),
        ],
        start=1,
    )
}
NOT_FOUND_PAGE = (
    '<html><head><meta charset="utf-8"><title>页面不存在</title></head><body>'
    '<div>对不起，您访问的页面不存在或已被删除！</div><a href="/">返回首页</a></body></html>'
).encode()


class _Site:
    """Path → (status, headers, body); the test changes the routes between two revisits."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[str] = []
        self.delay = 0.0  # seconds before each answer to a document (not robots.txt)


@pytest.fixture
def site() -> Iterator[tuple[_Site, str]]:
    state = _Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            state.requests.append(self.path)
            if self.path != "/robots.txt":
                time.sleep(state.delay)
            status, headers, body = state.routes.get(self.path, (404, {}, b"not found"))
            if (
                status == 200
                and headers.get("Last-Modified")
                and self.headers.get("If-Modified-Since") == headers["Last-Modified"]
            ):
                status, body = 304, b""
            self.send_response(status)
            for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _stored(url: str, body: bytes, last_modified: str | None) -> FetchedPage:
    item = FetchedPage(
        site="sample_gov_portal",
        url=url,
        final_url=url,
        status=200,
        content_type="text/html; charset=utf-8",
        declared_encoding="utf-8",
        body=body,
        fetched_at="2021-06-02T00:00:00+00:00",
        last_modified=last_modified,
    )
    return extract_page_facts(normalize_record(understand_page(item)))


def _revisit(db, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "revisit",
            "--db",
            str(db),
            *args,
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=false",
            "-s",
            "RETRY_TIMES=0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _status(db) -> dict[str, tuple]:
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT url, status, gone_since IS NOT NULL, last_alive_at IS NOT NULL, changes, versions, "
        "moved_to FROM v_document_status"
    ).fetchall()
    return {row[0].rsplit("/", 1)[-1]: tuple(row[1:]) for row in rows}


def _portal_store(db, base: str) -> tuple[Store, int]:
    """A new database holding the test portal's site row and an open run, to store its documents in."""
    store = Store(db)
    store.ensure_site("sample_gov_portal", "gov_portal", "湖南省人民政府", f"{base}/", "430000")
    return store, store.start_run({})


@pytest.mark.slow  # four revisits, each its own Scrapy process (~4 s)
def test_a_revisit_tells_alive_changed_moved_gone_and_unreachable(site, tmp_path):
    state, base = site
    db = tmp_path / "policy.db"
    store, run = _portal_store(db, base)
    for path, body in DOCS.items():
        headers = {"Last-Modified": LAST_MODIFIED} if path == "/zwgk/a.html" else {}
        state.routes[path] = (200, headers, body)
        store.save_article(_stored(base + path, body, headers.get("Last-Modified")), run)
    state.routes["/"] = (200, {}, "<html><body><h1>湖南省人民政府门户网站</h1></body></html>".encode())

    first = _revisit(db, "--older-than", "0d")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == (
        "revisited 9 of 9 due documents: alive 9, changed 0, moved 0, gone 0, unreachable 0"
    )
    assert {s[0] for s in _status(db).values()} == {"alive"}

    # Between the two revisits the site edits b, moves c, removes d (404) and g (410), sends e to its home page,
    # answers f with a "页面不存在" page and h with a server error; a still answers 304 to its Last-Modified.
    edited = (
        PARAGRAPHS[:1] + ["现将有关事项通知如下。到2025年，全省数字经济规模达到3万亿元。"] + PARAGRAPHS[2:]
    )
    state.routes["/zwgk/b.html"] = (
        200,
        {},
        _notice("湖南省人民政府办公厅关于加强政务公开的通知", "湘政办发〔2021〕2号", edited),
    )
    state.routes["/zwgk/2021/c.html"] = state.routes.pop("/zwgk/c.html")
    state.routes["/zwgk/c.html"] = (301, {"Location": "/zwgk/2021/c.html"}, b"")
    del state.routes["/zwgk/d.html"]
    state.routes["/zwgk/g.html"] = (410, {}, b"gone")
    state.routes["/zwgk/e.html"] = (302, {"Location": f"{base}/index.html"}, b"")
    state.routes["/index.html"] = state.routes["/"]
    state.routes["/zwgk/f.html"] = (200, {}, NOT_FOUND_PAGE)
    state.routes["/zwgk/h.html"] = (500, {}, b"error")
    state.routes["/zwgk/i.html"] = (
        302,
        {"Location": base.replace("127.0.0.1", "localhost") + "/zwgk/i.html"},
        b"",
    )
    asked = len(state.requests)

    second = _revisit(db, "--older-than", "0d")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == (
        "revisited 9 of 9 due documents: alive 1, changed 1, moved 1, gone 5, unreachable 1"
    )
    assert state.requests[asked:].count("/zwgk/i.html") == 1  # the off-site redirect was not followed
    status = _status(db)
    #          status, gone since, last alive, changes, versions, moved to
    assert status["a.html"] == ("alive", 0, 1, 0, 1, None)
    assert status["b.html"] == ("changed", 0, 1, 1, 2, None)
    assert status["c.html"] == ("moved", 0, 1, 0, 1, f"{base}/zwgk/2021/c.html")
    for gone in ("d.html", "e.html", "f.html", "g.html", "i.html"):
        assert status[gone][:3] == ("gone", 1, 1), gone
    assert status["h.html"] == ("unreachable", 0, 1, 0, 1, None)

    con = sqlite3.connect(db)
    details = dict(
        con.execute("SELECT a.url, d.detail FROM document_status d JOIN articles a ON a.id = d.article_id")
    )
    assert details[f"{base}/zwgk/e.html"] == "redirected to the site's home page"
    assert "not there" in details[f"{base}/zwgk/f.html"]
    assert details[f"{base}/zwgk/a.html"] == "304 Not Modified"
    assert details[f"{base}/zwgk/i.html"] == "redirected off the site (not followed)"
    old, new, diff = con.execute(
        "SELECT a.text, v.text, v.diff_chars FROM article_versions v JOIN articles a ON a.id = v.article_id "
        "WHERE a.url = ? AND v.diff_chars IS NOT NULL",
        (f"{base}/zwgk/b.html",),
    ).fetchone()
    assert "3万亿元" in new and "2.5万亿元" in old  # the stored text stays; the new one is a version
    assert diff == diff_chars(old, new) > 0
    assert con.execute("SELECT COUNT(*) FROM liveness_checks").fetchone()[0] == 18
    assert con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 9  # nothing deleted

    # Incremental: just checked, nothing is due at 30 days (and no request is made).
    asked = len(state.requests)
    third = _revisit(db, "--older-than", "30d")
    assert third.returncode == 0 and third.stdout.startswith("revisited 0 of 0 due documents")
    assert len(state.requests) == asked


def test_gone_since_stays_at_the_first_gone_answer_and_a_return_clears_it(tmp_path):
    store = Store(tmp_path / "policy.db")
    store.ensure_site(
        "sample_gov_portal", "gov_portal", "湖南省人民政府", "http://www.hunan.gov.cn/", "430000"
    )
    store.ensure_site("sample_news_hans", "news", "湖南日报", "http://www.hnrb.cn/", "430000")
    run = store.start_run({})
    store.save_article(_stored("http://www.hunan.gov.cn/zwgk/a.html", DOCS["/zwgk/a.html"], None), run)
    engine = store.engine
    news = _stored("http://www.hnrb.cn/n/1.html", DOCS["/zwgk/b.html"], None)
    news.site = "sample_news_hans"
    store.save_article(news, run)
    now = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
    (page,) = due_pages(engine, dt.timedelta(days=30), ["sample_gov_portal"], now)
    assert page.url == "http://www.hunan.gov.cn/zwgk/a.html"
    assert len(due_pages(engine, dt.timedelta(days=30), None, now)) == 2
    answers = [
        ("gone", now),
        ("unreachable", now + dt.timedelta(days=31)),
        ("gone", now + dt.timedelta(days=62)),
        ("alive", now + dt.timedelta(days=93)),
    ]
    seen = []
    for outcome, moment in answers:
        LivenessRecorder(engine, moment).record(page, outcome, 404, page.url, outcome)
        with engine.connect() as conn:
            seen.append(
                tuple(
                    conn.execute(text("SELECT status, gone_since, last_alive_at FROM document_status")).one()
                )
            )
    assert seen == [
        ("gone", now.isoformat(), None),
        ("unreachable", now.isoformat(), None),  # not reachable is not more gone, nor back
        ("gone", now.isoformat(), None),
        ("alive", None, (now + dt.timedelta(days=93)).isoformat()),
    ]
    assert due_pages(engine, dt.timedelta(days=30), ["sample_gov_portal"], now + dt.timedelta(days=100)) == []


def test_bad_usage_and_an_unreachable_site_have_exit_codes(site, tmp_path):
    state, base = site
    db = tmp_path / "policy.db"
    store, run = _portal_store(db, base)
    for path, body in list(DOCS.items())[:2]:
        store.save_article(_stored(base + path, body, None), run)
        state.routes[path] = (503, {}, b"busy")
    runner = CliRunner()  # usage and database errors stop before any request: no Scrapy process needed
    bad_age = runner.invoke(main, ["revisit", "--db", str(db), "--older-than", "soon"])
    assert bad_age.exit_code == 2 and "30d" in bad_age.stderr
    bad_site = runner.invoke(main, ["revisit", "--db", str(db), "--sites", "nosuch"])
    assert bad_site.exit_code == 2 and "no stored site named nosuch" in bad_site.stderr
    missing = runner.invoke(main, ["revisit", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 3 and "does not exist" in missing.stderr
    down = _revisit(db, "--older-than", "0d")
    assert down.returncode == 1 and "unreachable 2" in down.stdout


@pytest.mark.parametrize(
    "title, text, gone",
    [
        ("页面不存在", "对不起，您访问的页面不存在或已被删除！返回首页", True),
        ("提示信息", "该信息已删除。", True),
        ("404 Not Found", "nginx", True),
        (
            "湖南省人民政府关于印发规划的通知",
            "到2025年建成5G基站15万个。" * 60 + "页面不存在",
            False,
        ),  # a long notice
        ("湖南省人民政府关于印发规划的通知", "到2025年建成5G基站15万个。", False),
    ],
)
def test_soft_404_pages_are_told_from_documents(title, text, gone):
    assert looks_gone(title, text) is gone


@pytest.mark.parametrize(
    "url, base, home",
    [
        ("http://www.hunan.gov.cn/", None, True),
        ("http://www.hunan.gov.cn/index.html", None, True),
        ("http://www.hunan.gov.cn/zwgk/", "http://www.hunan.gov.cn/zwgk/", True),
        ("http://www.hunan.gov.cn/zwgk/2021/c.html", "http://www.hunan.gov.cn/", False),
        ("http://www.hunan.gov.cn/?id=3", None, False),
    ],
)
def test_home_pages_are_recognised(url, base, home):
    assert is_home_page(url, base) is home


def test_diff_size_counts_lines_removed_and_added():
    assert diff_chars("一\n二\n三", "一\n二\n三") == 0
    assert diff_chars("一\n二二\n三", "一\n三\n四四四") == 2 + 3
    assert diff_chars(None, "新") == 1


@pytest.mark.slow  # a crawl and a revisit of the sample portal (~15 s)
def test_revisit_of_the_sample_portal_finds_the_edited_notice_and_datasette_lists_it(tmp_path):
    db = tmp_path / "policy.db"
    crawl = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "crawl",
            "--sample",
            "--sites",
            "sample_gov_portal",
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    out = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "revisit", "--sample", "--db", str(db), "--older-than", "0d"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    con = sqlite3.connect(db)
    stored = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert out.stdout.strip() == (
        f"revisited {stored} of {stored} due documents: alive {stored - 1}, changed 1, "
        "moved 0, gone 0, unreachable 0"
    )
    ds = datasette_app(db)
    rows = asyncio.run(ds.client.get("/policy/withdrawn_or_changed.json?_shape=objects&status=")).json()[
        "rows"
    ]
    assert [(r["status"], r["title"], r["changes"]) for r in rows] == [
        ("changed", "湖南省发展和改革委员会关于加快新能源汽车充电基础设施建设的通知", 1)
    ]


def test_redirects_are_followed_on_the_site_only_and_bases_swap():
    assert same_site("http://www.hunan.gov.cn/a.html", "https://hunan.gov.cn/b.html")
    assert same_site("http://www.hunan.gov.cn/a.html", "http://fgw.hunan.gov.cn/b.html")
    assert not same_site("http://www.hunan.gov.cn/a.html", "http://169.254.169.254/latest/meta-data/")
    assert not same_site("http://www.hunan.gov.cn/a.html", "http://www.gov.cn/b.html")
    bases = {"http://gov-portal.sample.invalid": "http://127.0.0.1:4123"}
    assert rebase("http://gov-portal.sample.invalid/col/1.html", bases) == "http://127.0.0.1:4123/col/1.html"
    assert (
        rebase("http://gov-portal.sample.invalidx/1.html", bases)
        == "http://gov-portal.sample.invalidx/1.html"
    )


@pytest.mark.slow  # two revisits, one stopped by SIGTERM (~12 s)
def test_an_interrupted_revisit_keeps_its_answers_and_the_next_one_asks_the_rest(site, tmp_path):
    state, base = site
    db = tmp_path / "policy.db"
    store, run = _portal_store(db, base)
    for path, body in DOCS.items():
        state.routes[path] = (200, {}, body)
        store.save_article(_stored(base + path, body, None), run)
    state.delay = 1.0
    args = [
        sys.executable,
        "-m",
        "crawler.cli",
        "revisit",
        "--db",
        str(db),
        "--older-than",
        "1d",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=false",
        "-s",
        "CONCURRENT_REQUESTS=1",
    ]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(p.startswith("/zwgk/") for p in state.requests) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 5, err[-2000:]
    con = sqlite3.connect(db)
    answered = con.execute("SELECT COUNT(*) FROM document_status").fetchone()[0]
    assert 1 <= answered < len(DOCS)
    assert out.strip().endswith(f"interrupted, {len(DOCS) - answered} still due: the next revisit asks them")
    state.delay = 0.0
    asked = len(state.requests)
    rest = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert rest.returncode == 0, rest.stderr[-2000:]
    assert rest.stdout.startswith(f"revisited {len(DOCS) - answered} of {len(DOCS) - answered} due documents")
    assert len([p for p in state.requests[asked:] if p.startswith("/zwgk/")]) == len(DOCS) - answered
    assert con.execute("SELECT COUNT(*) FROM document_status WHERE status = 'alive'").fetchone()[0] == len(
        DOCS
    )
