"""One crawl run: pick the sites, run their spiders in one Scrapy process, record and summarise the run.

A run holds the database's lock (crawler/lock.py) from start to end, marks runs that a dead crawl left
`running` as interrupted, and ends with one of the documented exit codes below (README: Operations).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.db import DatabaseError, StorageFull, storage_problem
from crawler.dialect import display
from crawler.lock import CrawlLock, LockUnavailable
from crawler.logging_setup import logging_settings, setup_logging, storage_failures
from crawler.progress import ProgressLine
from crawler.registry import Registry, RegistryError, SiteEntry, load_registry, load_sample_registry
from crawler.run_counts import site_failed
from crawler.site_health import record_field_gaps
from crawler.store import Store

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_DATABASE = 0, 1, 2, 3
EXIT_LOCKED = 4  # another crawl holds the lock on this database: nothing was done
EXIT_INTERRUPTED = 5  # SIGTERM / Ctrl-C: in-flight items finished, run recorded as interrupted; rerun to complete
EXIT_CODES = {
    EXIT_OK: "ok",
    EXIT_FAILURES: "the run finished but a site failed (reason on stderr)",
    EXIT_USAGE: "bad usage or configuration",
    EXIT_DATABASE: "the database cannot be opened or migrated",
    EXIT_LOCKED: "another crawl holds the lock on this database",
    EXIT_INTERRUPTED: "interrupted (SIGTERM/SIGINT); the next run completes the work",
}


class UsageError(Exception):
    """Bad options or configuration (exit code 2)."""


class CrawlInterrupted(BaseException):
    """SIGTERM outside Scrapy's own graceful shutdown (while starting up or recording the run)."""


@dataclass
class CrawlResult:
    run_id: int
    exit_code: int
    seconds: float
    counts: dict[str, dict[str, Any]]
    failures: dict[str, str] = field(default_factory=dict)  # site → reason
    status: str = "ok"  # ok | failed | interrupted


def project_settings(overrides: dict[str, Any] | None = None):
    """Scrapy settings from crawler/settings.py, wherever the command is run from."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def parse_setting_overrides(pairs: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """`-s NAME=VALUE` (as `scrapy crawl -s`): NAME must be a setting of crawler/settings.py or Scrapy's;
    VALUE is read as JSON when it parses (numbers, true/false, null, lists), else kept as text."""
    from scrapy.settings import default_settings

    import crawler.settings as ours

    overrides: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"-s expects NAME=VALUE, got {pair!r}")
        if not (hasattr(ours, name) or hasattr(default_settings, name)):
            raise UsageError(f"unknown setting {name!r}; see crawler/settings.py or Scrapy's settings reference")
        try:
            value = json.loads(raw)
        except ValueError:
            value = None if raw in ("None", "") else raw
        default = getattr(ours, name) if hasattr(ours, name) else getattr(default_settings, name)
        overrides[name] = setting_of_type(name, value, raw, default)
    return overrides


_TYPE_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "text", list: "a JSON list",
               dict: "a JSON object"}


def setting_of_type(name: str, value: Any, raw: str, default: Any) -> Any:
    """`value` as the type of the setting's default, so `-s CONCURRENT_REQUESTS=abc` stops here with one
    sentence (exit 2) instead of a traceback from deep inside Scrapy after the run was recorded."""
    if default is None or value is None:
        return value
    kind = type(default)
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.lower() in ("true", "false"):  # Scrapy's own -s spelling: False
            return value.lower() == "true"
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif kind is str:
        return raw
    elif kind in (list, tuple):
        if isinstance(value, list | str):  # Scrapy reads "a,b" as a list
            return value
    elif kind is dict:
        if isinstance(value, dict):
            return value
    else:
        return value
    expected = _TYPE_NAMES.get(kind, kind.__name__)
    shown = json.dumps(default, ensure_ascii=False, default=str)
    example = f" (the default is {shown})" if len(shown) <= 40 else ""
    raise UsageError(f"-s {name} expects {expected}{example}, got {raw!r}")


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
def registry_for(sample: bool, registry_path: str | None, frontier: str | None = None) -> Iterator[Registry]:
    """The live registry, or the sample sites served on 127.0.0.1 for as long as the crawl runs (by this
    process, or with `frontier` by the `policycrawl seed --sample` that seeded it)."""
    if sample and frontier:
        from crawler.frontier import served_sample_registry

        yield served_sample_registry(frontier)
        return
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
    settings_overrides: dict[str, Any] | None = None,
    full: bool = False,
    revisit: bool = False,
    since: dt.date | None = None,
    progress: bool = True,
    frontier: str | None = None,
) -> CrawlResult:
    """Crawl the chosen sites into `db_path`; the exit code follows spec/CLI.md (extended: 4 locked, 5 interrupted).

    `settings_overrides` win over crawler/settings.py and the registry's per-site values (tests, one-off runs).
    Incremental unless `full`; `revisit` asks every known page again (conditionally); `since` bounds the run.
    Raises LockHeld (exit 4), DatabaseError (exit 3), UsageError (exit 2), CrawlInterrupted (exit 5).
    """
    settings = project_settings(settings_overrides)
    line = ProgressLine() if progress else None
    setup_logging(log_file, log_level, progress=line, **logging_settings(settings))
    started = time.monotonic()
    with _sigterm_raises():
        lock = CrawlLock(db_path)
        try:
            lock.acquire()
        except LockUnavailable as exc:
            raise DatabaseError(str(exc)) from exc
        opened = False
        try:
            result = _locked_crawl(
                db_path, sample=sample, site_names=site_names, max_pages=max_pages, jobdir=jobdir,
                log_file=log_file, log_level=log_level, registry_path=registry_path, overrides=settings_overrides,
                full=full, revisit=revisit, since=since, line=line, started=started, frontier=frontier,
            )
            opened = True
            return result
        except DatabaseError:
            raise
        except BaseException:
            opened = True
            raise
        finally:  # a database that never opened leaves no lock file behind (crawler/lock.py)
            lock.release(remove_if_created=not opened)


def _locked_crawl(db_path, *, sample, site_names, max_pages, jobdir, log_file, log_level, registry_path, overrides,
                  full, revisit, since, line, started, frontier=None) -> CrawlResult:
    if frontier:
        from crawler.frontier import check_worker_options

        check_worker_options(frontier, jobdir)  # FrontierError (exit 3), UsageError (exit 2)
    store = Store(db_path)  # DatabaseError (exit 3) before anything else happens
    if not CrawlLock(db_path).shared_server:  # a shared PostgreSQL has other workers' runs under way
        for run_id, pid in store.mark_abandoned_runs():
            logger.warning("run %d (pid %s) was left running by a crawl that died; marked interrupted", run_id, pid)
    options = {"sample": sample, "sites": site_names, "max_pages": max_pages, "db": display(db_path),
               "full": full, "revisit": revisit, "since": since.isoformat() if since else None}
    if frontier:
        options["frontier"] = display(frontier)
    with registry_for(sample, registry_path, frontier) as registry:
        sites = select_sites(registry, site_names)
        run_id = store.start_run(options)
        logger.info("run %d started: %s", run_id, json.dumps(options, ensure_ascii=False))
        try:
            closed = _run_spiders(sites, db_path, run_id, sample, max_pages, jobdir, log_file, log_level, overrides,
                                  spider_args={"full": full, "revisit": revisit, "since": since}, line=line,
                                  frontier=frontier)
            run = store.run(run_id) or {"counts": {}}
            run["counts"] = record_field_gaps(store, run_id, run["counts"], project_settings(overrides))
            threshold = project_settings(overrides).getfloat("SITE_ERROR_RATIO_THRESHOLD")
            failures = {}
            for site in sites:
                counts = run["counts"].get(site.name) or {}
                reason = site_failed(counts, threshold) if counts else "the spider did not run"
                if frontier:  # a worker crawls a share of each site: the verdict belongs to the whole crawl
                    from crawler.frontier import as_share_of_site

                    reason = as_share_of_site(counts)
                if reason:
                    failures[site.name] = reason
            if closed.interrupted:
                status, exit_code, failures = "interrupted", EXIT_INTERRUPTED, {}
            else:
                status, exit_code = ("failed", EXIT_FAILURES) if failures else ("ok", EXIT_OK)
            refused = _storage_refused(db_path)  # a full or read-only disk: exit 3 with one sentence
            if refused is not None:
                status, exit_code = "failed", EXIT_DATABASE
            _finish_run(store, db_path, run_id, status, exit_code)
            if refused is not None:
                raise refused
        except StorageFull:
            raise
        except Exception as exc:
            if storage_problem(db_path, exc) is None:
                _finish_run(store, db_path, run_id, "interrupted", EXIT_INTERRUPTED)
                raise
            refused = _storage_refused(db_path) or StorageFull(storage_problem(db_path, exc))
            with contextlib.suppress(Exception):  # the disk may refuse this too (runs shows it, run_history.py)
                store.finish_run(run_id, "failed", EXIT_DATABASE)
            raise refused from None
        except BaseException:
            _finish_run(store, db_path, run_id, "interrupted", EXIT_INTERRUPTED)
            raise
    seconds = time.monotonic() - started
    logger.info("run %d %s in %.1f s (exit code %d)", run_id, status, seconds, exit_code)
    return CrawlResult(run_id, exit_code, seconds, run["counts"], failures, status)


def _storage_refused(db_path: str) -> StorageFull | None:
    """The sentence for a crawl whose writes the disk refused (counted by crawler/logging_setup.py)."""
    refused = storage_failures()
    if not refused:
        return None
    kind, count = max(refused.items(), key=lambda kv: kv[1])
    sentence = storage_problem(db_path, OSError(errno.ENOSPC if kind == "disk_full" else errno.EROFS, kind))
    return StorageFull(f"{count} write(s) failed: {sentence}")


def _finish_run(store: Store, db_path: str, run_id: int, status: str, exit_code: int) -> None:
    """Record how the run ended; a disk that refuses even that becomes StorageFull (exit 3, one sentence),
    and `policycrawl runs` shows the row as interrupted once this process is gone (crawler/run_history.py)."""
    try:
        store.finish_run(run_id, status, exit_code)
    except Exception as exc:
        problem = storage_problem(db_path, exc)
        if problem is None:
            raise
        raise StorageFull(f"run {run_id} could not be recorded as {status}: {problem}") from None


def _interrupt(signum: int, _frame: Any) -> None:
    raise CrawlInterrupted(signal.Signals(signum).name)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Outside Scrapy's reactor, SIGTERM raises CrawlInterrupted so the run row and the lock are cleaned up
    (inside it, Scrapy's first SIGTERM is a graceful shutdown that finishes the items in flight)."""
    try:
        previous = signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Closed:
    """Why each spider closed, and whether a signal asked the process to stop (kept alive by reference:
    Scrapy's signal dispatcher holds receivers weakly)."""

    def __init__(self) -> None:
        self.reasons: dict[str, str] = {}
        self.signalled: int | None = None

    def spider_closed(self, spider, reason: str) -> None:
        self.reasons[getattr(spider, "site_name", spider.name)] = reason

    @property
    def interrupted(self) -> bool:
        return self.signalled is not None or "shutdown" in self.reasons.values()


def _run_spiders(sites, db_path, run_id, sample, max_pages, jobdir, log_file, log_level, settings_overrides=None,
                 spider_args: dict[str, Any] | None = None, line: ProgressLine | None = None,
                 frontier: str | None = None) -> _Closed:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import SETTINGS_PRIORITIES  # noqa: F401  (keeps Scrapy's import order)

    from crawler.settings import SAMPLE_SETTINGS

    # Our handlers (crawler/logging_setup.py) write the log; Scrapy's root handler would duplicate it.
    base = {"DB_PATH": str(db_path), "POLICY_RUN_ID": run_id, "LOG_INSTALL_ROOT_HANDLER": False}
    if sample:
        base.update(SAMPLE_SETTINGS)
    closed = _Closed()

    class _Process(CrawlerProcess):
        def _signal_shutdown(self, signum: int, frame: Any) -> None:
            closed.signalled = signum
            super()._signal_shutdown(signum, frame)

    process = _Process(project_settings(base))
    settings = project_settings(settings_overrides)
    setup_logging(log_file, log_level, progress=line, **logging_settings(settings))  # Scrapy reset logging
    spider_classes = _spider_classes()
    for entry in sites:
        per_site = dict(base)
        per_site["CONCURRENT_REQUESTS_PER_DOMAIN"] = entry.concurrency
        per_site["DOWNLOAD_DELAY"] = 0 if sample else entry.download_delay
        if jobdir:
            per_site["JOBDIR"] = str(Path(jobdir) / entry.name)
        if frontier:  # scrapy-redis scheduler and dupefilter on this site's keys (crawler/frontier.py)
            from crawler.frontier import worker_settings

            per_site.update(worker_settings(frontier, entry.name))
        per_site.update(settings_overrides or {})
        crawler = process.create_crawler(spider_classes[entry.kind])
        crawler.settings = _unfrozen(crawler.settings, per_site)
        crawler.signals.connect(closed.spider_closed, signal=signals.spider_closed)
        process.crawl(crawler, entry=entry, max_pages=max_pages, **(spider_args or {}))
    if line is not None:
        line.start(lambda: process.crawlers)
    try:
        process.start()
    finally:
        if line is not None:
            line.stop()
        if signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, _interrupt):  # Scrapy's, now without a reactor
            with contextlib.suppress(ValueError):
                signal.signal(signal.SIGTERM, _interrupt)
    return closed


def _unfrozen(settings, overrides: dict[str, Any]):
    """A copy of a crawler's settings with per-site values (Scrapy freezes settings once a crawl starts)."""
    copy = settings.copy()
    for key, value in overrides.items():
        copy.set(key, value, priority="cmdline")
    return copy


def _spider_classes() -> dict[str, type]:
    from spiders.feed import FeedSpider
    from spiders.gov_portal import GovPortalSpider
    from spiders.news import NewsSpider
    from spiders.policy_api import PolicyApiSpider

    return {"policy_api": PolicyApiSpider, "gov_portal": GovPortalSpider, "news": NewsSpider, "feed": FeedSpider}


SUMMARY_COLUMNS = (("requests", 8), ("new", 5), ("updated", 7), ("unchanged", 9), ("304", 5), ("skipped", 7),
                   ("errors", 6), ("dropped", 7))


def summary_row(c: dict[str, Any]) -> list[int]:
    """requests, new, updated, unchanged (200, same text), 304 (not modified), skipped, errors, dropped."""
    return [c.get("requests", 0), c.get("new", 0), c.get("updated", 0), c.get("unchanged", 0), c.get("not_modified", 0),
            c.get("skipped", 0), sum((c.get("errors") or {}).values()), sum((c.get("dropped") or {}).values())]


def format_summary(result: CrawlResult) -> list[str]:
    """The per-site table printed at the end of a crawl."""
    header = f"{'site':<24} " + " ".join(f"{name:>{width}}" for name, width in SUMMARY_COLUMNS)
    lines = [header, "-" * len(header)]
    totals = [0] * len(SUMMARY_COLUMNS)
    for site, c in sorted(result.counts.items()):
        row = summary_row(c)
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        lines.append(f"{site:<24} " + " ".join(f"{v:>{w}}" for v, (_n, w) in zip(row, SUMMARY_COLUMNS, strict=True)))
        if c.get("errors"):
            lines.append(f"{'':<24}   errors: " + ", ".join(f"{k}={v}" for k, v in sorted(c["errors"].items())))
        if c.get("dropped"):
            lines.append(f"{'':<24}   dropped: " + ", ".join(f"{k}={v}" for k, v in sorted(c["dropped"].items())))
        if any((c.get("missing") or {}).values()):
            lines.append(f"{'':<24}   missing: " + ", ".join(f"{k}={v}" for k, v in sorted(c["missing"].items()) if v))
        for reason in c.get("broken") or [] if result.status != "interrupted" else []:  # stopped, not broken
            lines.append(f"{'':<24}   BROKEN: {reason}")
    lines.append("-" * len(header))
    lines.append(f"{'total':<24} " + " ".join(f"{v:>{w}}" for v, (_n, w) in zip(totals, SUMMARY_COLUMNS, strict=True)))
    fetched: dict[str, int] = {}
    for c in result.counts.values():
        for kind, n in (c.get("fetched") or {}).items():
            fetched[kind] = fetched.get(kind, 0) + n
    if fetched:
        lines.append("requests by kind: " + ", ".join(f"{k}={v}" for k, v in sorted(fetched.items())))
    status = {"ok": "ok", "interrupted": "INTERRUPTED"}.get(result.status, "FAILED")
    lines.append(f"run {result.run_id}: {status} in {result.seconds:.1f} s (exit code {result.exit_code})")
    return lines
