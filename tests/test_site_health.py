"""Loud breakage: a site whose pages suddenly come without a date (a redesign the generic reader no longer
understands) is reported broken with an example page, in the summary, in crawl_runs and in the exit code."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.site_health import FieldGaps

STORY = ("市里出台新一轮稳就业政策，提出今年新增城镇就业岗位一万二千个，对吸纳高校毕业生的中小企业给予每人一千元的一次性补贴。"
         "有关部门表示，将开展百日千万招聘专项行动，组织线上线下招聘会不少于五十场，并对困难人员提供托底安置。")


def _pages() -> dict[str, bytes]:
    items = "".join(f'<li><a href="/news/{n}.html">稳就业政策解读之{n}</a></li>' for n in (1, 2, 3))
    pages = {"/list.html": f"<html><head><meta charset='utf-8'><title>新闻</title></head><body><ul>{items}</ul></body></html>"}
    for n in (1, 2, 3):  # the redesign dropped the byline: no date anywhere on the page
        pages[f"/news/{n}.html"] = (
            f"<html><head><meta charset='utf-8'><title>稳就业政策解读之{n}</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a></div><h1>稳就业政策解读之{n}</h1>"
            f"<div class='article'><p>{STORY}</p><p>{STORY}</p></div></body></html>")
    return {path: html.encode("utf-8") for path, html in pages.items()}


class _Handler(BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = self.pages.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body or b"not found")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def redesigned_site():
    _Handler.pages = _pages()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_pages_without_dates_make_the_site_broken_with_an_example_url(redesigned_site: str, tmp_path: Path):
    registry = tmp_path / "sites.yaml"
    registry.write_text(f"""
sites:
  - name: city_news
    kind: news
    title: 某市新闻网
    start_urls: ["{redesigned_site}/list.html"]
    detail_url_pattern: '/news/\\d+\\.html$'
    paging: none
    concurrency: 1
    download_delay: 1
""", encoding="utf-8")
    db = tmp_path / "policy.db"
    done = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--registry", str(registry), "--db", str(db)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 1, done.stdout + done.stderr
    reason = re.search(r"BROKEN: (3 of 3 pages without a date \(e\.g\. (\S+)\))", done.stdout)
    assert reason, done.stdout
    assert reason.group(2) in {f"{redesigned_site}/news/{n}.html" for n in (1, 2, 3)}  # a page ops can open
    assert f"site city_news failed: {reason.group(1)}" in done.stderr
    counts = json.loads(sqlite3.connect(db).execute("SELECT counts FROM crawl_runs").fetchone()[0])["city_news"]
    assert counts["missing"] == {"date": 3}
    assert counts["broken"] == [reason.group(1)]


@pytest.mark.parametrize(
    ("missing", "pages", "ratio", "broken"),
    [
        ({"date": 6}, 10, 0.5, ["6 of 10 pages without a date (e.g. u)"]),
        ({"date": 5}, 10, 0.5, []),  # exactly half is not "more than half"
        ({"title": 2, "body": 9}, 10, 0.5, ["9 of 10 pages without a body (e.g. u)"]),
        ({}, 0, 0.5, []),
    ],
)
def test_a_field_is_broken_when_more_than_the_ratio_of_pages_lack_it(missing, pages, ratio, broken):
    gaps = FieldGaps(pages=pages, missing=missing, examples={name: "u" for name in missing})
    assert gaps.broken(ratio) == broken
