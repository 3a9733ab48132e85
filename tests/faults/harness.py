"""Crawl a fault server the way `policycrawl crawl` does, and read back what a user would check."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from faults.tally import rows_checked

CHILD = Path(__file__).with_name("child.py")

# Fast: no politeness delay against our own 127.0.0.1 server, retries without back-off. The timeout leaves room
# for a loaded 2-core CI machine to accept connections (at 2 s, connects themselves timed out under load).
FAST_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_TIMEOUT": 10,
    "RETRY_TIMES": 2,
    "RETRY_BACKOFF_BASE": 0.05,
}


@dataclass
class CrawlOutcome:
    run_id: int
    exit_code: int
    seconds: float
    counts: dict[str, dict[str, Any]]
    failures: dict[str, str]
    peak_rss_mb: float  # the crawl process and its page-analysis workers together, at their highest
    peak_main_rss_mb: float
    peak_worker_rss_mb: float
    db: Path
    log: str

    def site_counts(self, site: str) -> dict[str, Any]:
        return self.counts[site]

    def query(self, sql: str, *params: Any) -> list[tuple]:
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def errors(self) -> dict[str, tuple[str, int, int | None]]:
        """URL path → (kind, attempts, last_status) of this run's `errors` rows."""
        from urllib.parse import urlsplit

        rows = self.query("SELECT url, kind, attempts, last_status FROM errors WHERE run_id = ?", self.run_id)
        return {urlsplit(url).path: (kind, attempts, status) for url, kind, attempts, status in rows}

    def article_paths(self) -> set[str]:
        from urllib.parse import urlsplit

        return {urlsplit(u).path for (u,) in self.query("SELECT url FROM articles")}


def site_entry(name: str, base_url: str, *, start: str, detail: str, list_pattern: str | None = None,
               paging: str = "next_link", kind: str = "gov_portal", **extra: Any) -> dict[str, Any]:
    """A registry entry for a fault site. Politeness values satisfy the live-registry check; the test's
    settings overrides make the crawl fast against our own server."""
    entry = {
        "name": name, "kind": kind, "title": f"故障注入站点 {name}", "start_urls": [base_url + start],
        "detail_url_pattern": detail, "paging": paging, "concurrency": 2, "download_delay": 1.0,
    }
    if list_pattern:
        entry["list_url_pattern"] = list_pattern
    entry.update(extra)
    return entry


def crawl(tmp_path: Path, sites: list[dict[str, Any]], *, settings: dict[str, Any] | None = None,
          db: Path | None = None, timeout: float = 240, env: dict[str, str] | None = None) -> CrawlOutcome:
    """One `run_crawl` over `sites` in a child process; the outcome, the database and the INFO log.
    `env`: more environment for the child (faults/child.py reads FAULT_SLOW_MARKER)."""
    registry = tmp_path / "registry.yaml"
    registry.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
    db = db or tmp_path / "policy.db"
    log = tmp_path / "crawl.log"
    args = {"db": str(db), "registry": str(registry), "settings": {**FAST_SETTINGS, **(settings or {})},
            "log_file": str(log)}
    proc = subprocess.run([sys.executable, str(CHILD), json.dumps(args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})
    assert proc.returncode == 0, f"the crawl process crashed ({proc.returncode}):\n{proc.stderr[-4000:]}"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return CrawlOutcome(db=db, log=log.read_text(encoding="utf-8", errors="replace") if log.exists() else "",
                        **result)


def assert_no_half_written_rows(db: Path) -> None:
    """Every article has its page and a version with its own hash; every fact points into an article it
    belongs to and its span is the text at its offsets; no attachment fact without its attachment. What it
    found goes into the fault suite's summary line (faults/tally.py) before it is asserted."""
    con = sqlite3.connect(db)
    try:
        orphans = con.execute(
            "SELECT a.url FROM articles a LEFT JOIN pages p ON p.id = a.page_id WHERE p.id IS NULL "
            "OR a.text IS NULL OR a.text = '' OR a.content_hash IS NULL"
        ).fetchall()
        unversioned = con.execute(
            "SELECT a.url FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_versions v "
            "WHERE v.article_id = a.id AND v.content_hash = a.content_hash)"
        ).fetchall()
        dangling: dict[str, int] = {}
        checked = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        for table in ("targets", "policy_mentions", "keywords", "article_regions"):
            checked += con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            dangling[table] = con.execute(
                f"SELECT COUNT(*) FROM {table} t LEFT JOIN articles a ON a.id = t.article_id WHERE a.id IS NULL"
            ).fetchone()[0]
        spans = con.execute(
            "SELECT t.text, t.span_start, t.span_end, COALESCE(att.text, a.text) FROM targets t "
            "JOIN articles a ON a.id = t.article_id LEFT JOIN attachments att ON att.id = t.attachment_id"
        ).fetchall()
        bad_spans = [(span, start, end) for span, start, end, text in spans
                     if not (0 <= start <= end <= len(text) and text[start:end] == span)]
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()
    rows_checked(checked, len(orphans) + len(unversioned) + sum(dangling.values()) + len(bad_spans)
                 + (integrity != "ok"))
    assert not orphans, f"articles without page or text: {orphans}"
    assert not unversioned, f"articles without their version row: {unversioned}"
    assert not any(dangling.values()), f"rows without their article: {dangling}"
    assert not bad_spans, f"targets whose span is not the text at its offsets: {bad_spans}"
    assert integrity == "ok", integrity
