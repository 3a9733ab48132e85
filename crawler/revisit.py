"""`policycrawl revisit`: are the stored documents still there, unchanged, moved or gone?

Documents vanish from government sites (a fifth within two years, Brussee 2024) or are edited in place. A
revisit asks each stored document's URL again, politely as the crawl does (robots.txt, per-site concurrency,
delays, AutoThrottle, retries), and records each answer as it comes, one transaction each: a killed revisit
keeps what it learnt, and the next one (same --older-than) asks only what is still due. The text we stored
is never deleted; a changed text becomes a new `article_versions` row with the size of the change.

Exit codes (cron): 0 ok; 1 more than REVISIT_UNREACHABLE_RATIO of the answers were `unreachable` (network,
WAF: the run says little); 2 bad usage; 3 the database cannot be opened; 4 a crawl holds the database;
5 interrupted (SIGTERM, Ctrl-C): the answers so far are kept, the rest stay due for the next run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from crawler.article_writer import utc_now
from crawler.crawl import project_settings
from crawler.db import open_database
from crawler.lock import CrawlLock
from crawler.registry import Registry, RegistryError, load_registry, load_sample_registry
from crawler.sample_sites import SampleSites
from crawler.settings import DOWNLOAD_DELAY, LIVE_MIN_DOWNLOAD_DELAY, SAMPLE_SETTINGS
from extract.liveness import diff_chars
from spiders.revisit import RevisitSpider

logger = logging.getLogger(__name__)

OUTCOMES = ("alive", "changed", "moved", "gone", "unreachable")
EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_DATABASE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 5
_AGE_RE = re.compile(r"^\s*(\d+)\s*([dhwm]?)\s*$")
_AGE_UNITS = {"": "days", "d": "days", "h": "hours", "w": "weeks", "m": "minutes"}
# `revisit --sample` serves the sample sites' second version, so a revisit after `crawl --sample` finds the
# notice they edit (changed) and the rest as they were (alive: 304 or the same text).
SAMPLE_REVISIT_VERSION = 2


class RevisitUsageError(ValueError):
    """A bad --older-than or --sites (exit code 2)."""


@dataclass(frozen=True)
class DuePage:
    article_id: int
    url: str
    site: str | None
    base_url: str | None
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    title: str | None


@dataclass
class RevisitResult:
    due: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    unrecorded: int = 0  # answers the database refused (logged): the run fails
    interrupted: bool = False  # a signal stopped it: what was not asked stays due
    exit_code: int = EXIT_OK


def parse_age(value: str) -> dt.timedelta:
    """30d, 12h, 2w, 90m (minutes) or a bare number of days."""
    m = _AGE_RE.match(value or "")
    if not m:
        raise RevisitUsageError(
            f"--older-than {value!r} is not an age; write 30d, 12h, 2w or 0d (everything)"
        )
    return dt.timedelta(**{_AGE_UNITS[m.group(2)]: int(m.group(1))})


_DUE = """
    SELECT a.id, a.url, s.name, s.base_url, p.etag, p.last_modified, a.content_hash, a.title
    FROM articles a
    LEFT JOIN pages p ON p.id = a.page_id
    LEFT JOIN sites s ON s.id = a.site_id
    LEFT JOIN document_status d ON d.article_id = a.id
    WHERE COALESCE(d.checked_at, p.checked_at, p.fetched_at, '') <= :cutoff {sites}
    ORDER BY COALESCE(d.checked_at, p.checked_at, p.fetched_at, ''), a.id"""


def due_pages(
    engine: Engine, older_than: dt.timedelta, sites: list[str] | None, now: dt.datetime
) -> list[DuePage]:
    """The stored documents last confirmed (by a revisit or a crawl) longer ago than `older_than`, oldest first."""
    params: dict[str, Any] = {"cutoff": (now - older_than).isoformat()}
    where = ""
    with engine.connect() as conn:
        if sites:
            known = {r[0] for r in conn.execute(text("SELECT name FROM sites"))}
            unknown = sorted(set(sites) - known)
            if unknown:
                raise RevisitUsageError(
                    f"no stored site named {', '.join(unknown)}; "
                    f"the database has {', '.join(sorted(known)) or 'none'}"
                )
            names = {f"s{i}": name for i, name in enumerate(sites)}
            where = f"AND s.name IN ({', '.join(':' + k for k in names)})"
            params.update(names)
        rows = conn.execute(text(_DUE.format(sites=where)), params).all()
    return [DuePage(*row) for row in rows]


_CHECK = (
    "INSERT INTO liveness_checks (article_id, checked_at, outcome, http_status, final_url, detail) "
    "VALUES (:a, :now, :outcome, :status, :final_url, :detail)"
)
_STATUS = """
    INSERT INTO document_status (article_id, status, checked_at, last_alive_at, gone_since, moved_to, changes,
                                 http_status, detail)
    VALUES (:a, :outcome, :now, :alive, :gone, :moved, :changed, :status, :detail)
    ON CONFLICT (article_id) DO UPDATE SET
        status = excluded.status, checked_at = excluded.checked_at,
        last_alive_at = COALESCE(excluded.last_alive_at, document_status.last_alive_at),
        gone_since = CASE WHEN excluded.status = 'gone' THEN COALESCE(document_status.gone_since, excluded.gone_since)
                          WHEN excluded.status = 'unreachable' THEN document_status.gone_since END,
        moved_to = COALESCE(excluded.moved_to, document_status.moved_to),
        changes = document_status.changes + excluded.changes,
        http_status = excluded.http_status, detail = excluded.detail"""
_VERSION = (
    "INSERT INTO article_versions (article_id, run_id, content_hash, title, text, seen_at, diff_chars) "
    "VALUES (:a, NULL, :hash, :title, :text, :now, :diff) ON CONFLICT (article_id, content_hash) DO NOTHING"
)


class LivenessRecorder:
    """Writes each answer at once, in its own transaction (a killed revisit keeps every answer it had)."""

    def __init__(self, engine: Engine, now: dt.datetime | None = None) -> None:
        self.engine = engine
        self.now = now
        self.counts = dict.fromkeys(OUTCOMES, 0)
        self.unrecorded = 0

    def record(
        self,
        page: DuePage,
        outcome: str,
        http_status: int | None,
        final_url: str | None,
        detail: str,
        version: tuple[str | None, str | None, str] | None = None,
    ) -> None:
        try:
            self._write(page, outcome, http_status, final_url, detail, version)
        except SQLAlchemyError as exc:  # one answer lost, said so; the others are still written
            self.unrecorded += 1
            logger.error("revisit of %s (%s) could not be stored: %s", page.url, outcome, exc)
            return
        self.counts[outcome] += 1
        logger.info("revisit %s: %s (%s)", page.url, outcome, detail)

    def _write(
        self,
        page: DuePage,
        outcome: str,
        http_status: int | None,
        final_url: str | None,
        detail: str,
        version: tuple[str | None, str | None, str] | None,
    ) -> None:
        now = self.now.isoformat() if self.now else utc_now()
        shown = outcome in ("alive", "changed", "moved")
        with self.engine.begin() as conn:
            params = {
                "a": page.article_id,
                "now": now,
                "outcome": outcome,
                "status": http_status,
                "final_url": final_url,
                "detail": detail,
            }
            conn.execute(text(_CHECK), params)
            conn.execute(
                text(_STATUS),
                {
                    **params,
                    "alive": now if shown else None,
                    "gone": now if outcome == "gone" else None,
                    "moved": final_url if outcome == "moved" else None,
                    "changed": 1 if outcome == "changed" else 0,
                },
            )
            if version is not None:
                title, body, digest = version
                old = conn.execute(
                    text("SELECT text FROM articles WHERE id = :a"), {"a": page.article_id}
                ).scalar()
                conn.execute(
                    text(_VERSION),
                    {
                        "a": page.article_id,
                        "hash": digest,
                        "title": title,
                        "text": body,
                        "now": now,
                        "diff": diff_chars(old, body),
                    },
                )


def _served_bases(registry: Registry) -> dict[str, str]:
    """{canonical base: served origin} of the sites stored under a canonical base (spiders/base.py identity)."""
    bases = {}
    for entry in registry.sites:
        if entry.canonical_base:
            start = urlsplit(entry.start_urls[0])
            bases[entry.canonical_base] = f"{start.scheme}://{start.netloc}"
    return bases


@contextlib.contextmanager
def served_sites(
    sample: bool, registry_path: str | None = None
) -> Iterator[tuple[dict[str, str], dict[str, Any]]]:
    """Where the stored sites are served now, and the settings that implies: the sample sites on 127.0.0.1 for
    as long as the revisit runs, or the live registry's mirrors (none by default)."""
    if sample:
        with SampleSites(version=SAMPLE_REVISIT_VERSION) as sites:
            yield _served_bases(load_sample_registry(sites.base_urls)), dict(SAMPLE_SETTINGS)
        return
    try:
        registry = load_registry(registry_path)
    except RegistryError as exc:
        raise RevisitUsageError(str(exc)) from exc
    # the registry's floor for live sites, per host (Scrapy's download slots); AutoThrottle slows further
    yield _served_bases(registry), {"DOWNLOAD_DELAY": max(DOWNLOAD_DELAY, LIVE_MIN_DOWNLOAD_DELAY)}


class _Process(CrawlerProcess):
    """Scrapy's process, remembering the signal (SIGTERM, Ctrl-C) that stopped it."""

    signalled: int | None = None

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        self.signalled = signum
        super()._signal_shutdown(signum, frame)


def run_revisit(
    db_path: str,
    older_than: dt.timedelta,
    sites: list[str] | None = None,
    settings_overrides: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
    unreachable_ratio: float | None = None,
    served_bases: dict[str, str] | None = None,
) -> RevisitResult:
    """Revisit what is due and return the counts per outcome; DatabaseError, LockUnavailable and
    RevisitUsageError are the caller's to turn into exit codes."""
    engine = open_database(db_path)
    moment = now or dt.datetime.now(dt.timezone.utc)
    with CrawlLock(db_path):
        pages = due_pages(engine, older_than, sites, moment)
        result = RevisitResult(due=len(pages))
        if not pages:
            return result
        settings = project_settings(
            {"ITEM_PIPELINES": {}, "LOG_INSTALL_ROOT_HANDLER": False, **(settings_overrides or {})}
        )
        recorder = LivenessRecorder(engine, now)
        process = _Process(settings)
        process.crawl(RevisitSpider, pages=pages, recorder=recorder, served_bases=served_bases)
        process.start()
    result.counts, result.unrecorded = recorder.counts, recorder.unrecorded
    answered = sum(recorder.counts.values())
    if process.signalled is not None:
        result.interrupted, result.exit_code = True, EXIT_INTERRUPTED
        return result
    if (
        result.unrecorded or answered < result.due
    ):  # refused by the database, or no answer at all (a bug: logged)
        result.exit_code = EXIT_FAILURES
    ratio = settings.getfloat("REVISIT_UNREACHABLE_RATIO") if unreachable_ratio is None else unreachable_ratio
    if answered and recorder.counts["unreachable"] / answered > ratio:
        result.exit_code = EXIT_FAILURES
    return result


def format_result(result: RevisitResult) -> str:
    """One line for the terminal and the cron mail."""
    counts = ", ".join(f"{name} {result.counts[name]}" for name in OUTCOMES)
    line = f"revisited {sum(result.counts.values())} of {result.due} due documents: {counts}"
    left = result.due - sum(result.counts.values())
    if result.unrecorded:
        line += f"; {result.unrecorded} answers could not be stored (see the log) and stay due"
    if result.interrupted:
        line += f"; interrupted, {left} still due: the next revisit asks them"
    elif left > result.unrecorded:
        line += f"; {left - result.unrecorded} pages got no answer (see the log) and stay due"
    return line
