"""Run `policycrawl crawl` in a subprocess against sample sites this test process serves (and can switch to
version 2, and whose request log it reads), and read back what ops would check in the database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from importlib import resources
from pathlib import Path

import yaml

from crawler.sample_sites import SampleSites

# The registry entries keep the live-registry politeness floor; these make the crawl fast on our own servers.
# Pages are analysed in the crawl process (no worker pool to spawn and warm up for a few dozen pages); the
# SIGKILL test turns the pool back on, as a real run has it.
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
        "-s", "RETRY_BACKOFF_BASE=0.05", "-s", "DOWNLOAD_TIMEOUT=10", "-s", "PROCESSING_WORKERS=0")


def sample_registry(tmp_path: Path, sites: SampleSites, names: tuple[str, ...] | None = None) -> Path:
    """The bundled sample registry pointing at `sites`' ports, as a registry file for `--registry`."""
    text = resources.files("crawler").joinpath("registry/sample.yaml").read_text(encoding="utf-8")
    for name, base in sites.base_urls.items():
        text = text.replace("{" + name + "}", base)
    data = yaml.safe_load(text)
    entries = [e for e in data["sites"] if names is None or e["name"] in names]
    for entry in entries:
        entry["concurrency"], entry["download_delay"] = 2, 1.0
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump({"sites": entries}, allow_unicode=True), encoding="utf-8")
    return path


def crawl_command(db: Path, registry: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "crawl", "--registry", str(registry), "--db", str(db), *FAST, *args]


def crawl(db: Path, registry: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(crawl_command(db, registry, *args), capture_output=True, text=True, timeout=timeout)


def detail_paths(sites: SampleSites) -> dict[str, str]:
    """Path of every detail page the sample sites link → its site."""
    from urllib.parse import urlsplit

    return {urlsplit(a.url).path: name for name in sites.base_urls for a in sites.expected_articles(name)}


def database_rows(db: Path) -> dict[str, object]:
    """What an uninterrupted crawl and a killed-then-rerun crawl must agree on, row for row."""
    con = sqlite3.connect(db)
    try:
        return {
            "articles": sorted(con.execute("SELECT url, content_hash FROM articles")),
            "versions": sorted(con.execute(
                "SELECT a.url, v.content_hash FROM article_versions v JOIN articles a ON a.id = v.article_id")),
            "attachments": sorted(con.execute(
                "SELECT t.url, a.url, t.status, t.hash FROM attachments t LEFT JOIN articles a ON a.id = t.article_id")),
            "targets": sorted(con.execute(
                "SELECT a.url, t.metric, t.value, t.unit, t.span_start, t.attachment_id IS NULL FROM targets t "
                "JOIN articles a ON a.id = t.article_id")),
            "policies": sorted(r[0] for r in con.execute("SELECT norm_title FROM policies")),
            "mentions": sorted(con.execute(
                "SELECT a.url, p.norm_title, m.span_start FROM policy_mentions m JOIN articles a ON a.id = m.article_id "
                "JOIN policies p ON p.id = m.policy_id")),
            "keywords": con.execute("SELECT COUNT(*) FROM keywords").fetchone()[0],
            "regions": con.execute("SELECT COUNT(*) FROM article_regions").fetchone()[0],
        }
    finally:
        con.close()


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()
