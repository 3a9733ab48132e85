"""One crawl run: pick the sites, run their spiders in one Scrapy process, record and summarise the run."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.registry import Registry, RegistryError, SiteEntry, load_registry, load_sample_registry
from crawler.run_counts import site_failed
from crawler.store import Store

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_DATABASE = 0, 1, 2, 3


class UsageError(Exception):
    """Bad options or configuration (exit code 2)."""


@dataclass
class CrawlResult:
    run_id: int
    exit_code: int
    seconds: float
    counts: dict[str, dict[str, Any]]
    failures: dict[str, str] = field(default_factory=dict)  # site → reason


def project_settings(overrides: dict[str, Any] | None = None):
    """Scrapy settings from crawler/settings.py, wherever the command is run from."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def select_sites(registry: Registry, names: list[str] | None) -> list[SiteEntry]:
    if not names:
        sites = registry.enabled()
        if not sites:
            raise UsageError("the registry has no enabled site; add one (README: Adding a site) or use --sample")
        return sites
    try:
        return [registry.get(n) for n in names]
    except RegistryError as exc:
        raise UsageError(str(exc)) from exc


@contextlib.contextmanager
def registry_for(sample: bool, registry_path: str | None) -> Iterator[Registry]:
    """The live registry, or the sample sites served on 127.0.0.1 for as long as the crawl runs."""
    if not sample:
        try:
            yield load_registry(registry_path)
        except RegistryError as exc:
            raise UsageError(str(exc)) from exc
        return
    from crawler.sample_sites import SampleSites

    with SampleSites() as sites:
        yield load_sample_registry(sites.base_urls)


def run_crawl(
    db_path: str,
    *,
    sample: bool = False,
    site_names: list[str] | None = None,
    max_pages: int | None = None,
    jobdir: str | None = None,
    log_file: str | None = None,
    log_level: str = "WARNING",
    registry_path: str | None = None,
) -> CrawlResult:
    """Crawl the chosen sites into `db_path`; the exit code follows spec/CLI.md."""
    store = Store(db_path)  # DatabaseError (exit 3) before anything else happens
    started = time.monotonic()
    options = {"sample": sample, "sites": site_names, "max_pages": max_pages, "db": str(db_path)}
    with registry_for(sample, registry_path) as registry:
        sites = select_sites(registry, site_names)
        run_id = store.start_run(options)
        try:
            _run_spiders(sites, db_path, run_id, sample, max_pages, jobdir, log_file, log_level)
        except BaseException:
            store.finish_run(run_id, "interrupted", EXIT_FAILURES)
            raise
    run = store.run(run_id) or {"counts": {}}
    threshold = project_settings().getfloat("SITE_ERROR_RATIO_THRESHOLD")
    failures = {}
    for site in sites:
        counts = run["counts"].get(site.name) or {}
        reason = site_failed(counts, threshold) if counts else "the spider did not run"
        if reason:
            failures[site.name] = reason
    exit_code = EXIT_FAILURES if failures else EXIT_OK
    store.finish_run(run_id, "failed" if failures else "ok", exit_code)
    return CrawlResult(run_id, exit_code, time.monotonic() - started, run["counts"], failures)


def _run_spiders(sites, db_path, run_id, sample, max_pages, jobdir, log_file, log_level) -> None:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import SETTINGS_PRIORITIES  # noqa: F401  (keeps Scrapy's import order)

    from crawler.settings import SAMPLE_SETTINGS

    base = {"DB_PATH": str(db_path), "POLICY_RUN_ID": run_id, "LOG_LEVEL": log_level}
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        base.update({"LOG_FILE": log_file, "LOG_LEVEL": "INFO", "LOG_FILE_APPEND": True})
    if sample:
        base.update(SAMPLE_SETTINGS)
    process = CrawlerProcess(project_settings(base), install_root_handler=True)
    spider_classes = _spider_classes()
    for entry in sites:
        per_site = dict(base)
        per_site["CONCURRENT_REQUESTS_PER_DOMAIN"] = entry.concurrency
        per_site["DOWNLOAD_DELAY"] = 0 if sample else entry.download_delay
        if jobdir:
            per_site["JOBDIR"] = str(Path(jobdir) / entry.name)
        crawler = process.create_crawler(spider_classes[entry.kind])
        crawler.settings = _unfrozen(crawler.settings, per_site)
        process.crawl(crawler, entry=entry, max_pages=max_pages)
    process.start()


def _unfrozen(settings, overrides: dict[str, Any]):
    """A copy of a crawler's settings with per-site values (Scrapy freezes settings once a crawl starts)."""
    copy = settings.copy()
    for key, value in overrides.items():
        copy.set(key, value, priority="cmdline")
    return copy


def _spider_classes() -> dict[str, type]:
    from spiders.gov_portal import GovPortalSpider
    from spiders.news import NewsSpider
    from spiders.policy_api import PolicyApiSpider

    return {"policy_api": PolicyApiSpider, "gov_portal": GovPortalSpider, "news": NewsSpider}


def format_summary(result: CrawlResult) -> list[str]:
    """The per-site table printed at the end of a crawl."""
    header = f"{'site':<24} {'requests':>8} {'pages':>6} {'new':>5} {'updated':>7} {'unchanged':>9} {'errors':>6} {'dropped':>7}"
    lines = [header, "-" * len(header)]
    totals = [0] * 7
    for site, c in sorted(result.counts.items()):
        errors = sum((c.get("errors") or {}).values())
        dropped = sum((c.get("dropped") or {}).values())
        row = [c.get("requests", 0), c.get("pages", 0), c.get("new", 0), c.get("updated", 0), c.get("unchanged", 0), errors, dropped]
        totals = [a + b for a, b in zip(totals, row, strict=False)]
        lines.append(f"{site:<24} {row[0]:>8} {row[1]:>6} {row[2]:>5} {row[3]:>7} {row[4]:>9} {row[5]:>6} {row[6]:>7}")
        if c.get("errors"):
            lines.append(f"{'':<24}   errors: " + ", ".join(f"{k}={v}" for k, v in sorted(c["errors"].items())))
        if c.get("dropped"):
            lines.append(f"{'':<24}   dropped: " + ", ".join(f"{k}={v}" for k, v in sorted(c["dropped"].items())))
    lines.append("-" * len(header))
    lines.append(f"{'total':<24} " + " ".join(f"{v:>{w}}" for v, w in zip(totals, (8, 6, 5, 7, 9, 6, 7), strict=False)))
    status = "ok" if result.exit_code == 0 else "FAILED"
    lines.append(f"run {result.run_id}: {status} in {result.seconds:.1f} s (exit code {result.exit_code})")
    return lines
