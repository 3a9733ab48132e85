"""Writing crawl results: one transaction per batch of items, so a killed crawl never leaves half an article.

Articles are upserted by canonical URL (a rerun creates no duplicates); a changed text adds a row to
`article_versions` instead of silently overwriting; the fact tables of an article are replaced as a whole.
The article rows themselves are written by crawler/article_writer.py.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crawler.article_writer import ArticleWriter, compress, content_hash, utc_now
from crawler.consolidate import PromiseCache
from crawler.db import open_database
from crawler.dialect import retry_lost_races
from crawler.incremental import KnownPage, list_day
from crawler.items import FetchedAttachment, FetchedPage, FetchError, NotModifiedPage
from crawler.logging_setup import storage_failure
from crawler.models import Article, Attachment, CrawlRun, FetchErrorRow, Page, Site
from crawler.settings import STORED_BODY_MAX_BYTES
from extract.inflate import ZLIB_WBITS, inflate

__all__ = ["Store", "compress", "content_hash", "decompress", "utc_now"]


def _unless_the_disk_refuses(method: Callable[..., None]) -> Callable[..., None]:
    """A bookkeeping write (an error row, the run's counts) that a full or read-only disk refuses is logged
    (one counted line, crawler/logging_setup.py) instead of raised: raised from the store pipeline's timer it
    became an unhandled Twisted error with a traceback; the crawl ends with one sentence about the disk."""

    @functools.wraps(method)
    def guarded(self, *args: Any, **kwargs: Any) -> None:
        try:
            method(self, *args, **kwargs)
        except SQLAlchemyError as exc:
            if storage_failure(exc) is None:
                raise
            logger.error("%s could not be written", method.__name__, exc_info=exc)

    return guarded

logger = logging.getLogger(__name__)


def decompress(body: bytes | None, max_bytes: int = STORED_BODY_MAX_BYTES) -> bytes:
    """A stored page body, inflated to at most `max_bytes`: a body that grows past that is not one the crawl
    stored (it kept nothing over DOWNLOAD_MAXSIZE), so it reads as empty; a damaged one keeps what it gave."""
    if not body:
        return b""
    inflated = inflate(body, max_bytes=max_bytes, wbits=ZLIB_WBITS)
    if inflated.problem == "too_large":
        logger.warning("a stored page body inflates past %d bytes: read as empty", max_bytes)
        return b""
    if inflated.problem:
        logger.warning("a stored page body is %s after %d bytes", inflated.problem, len(inflated.data))
    return inflated.data


class Store:
    """The crawl's view of the database."""

    def __init__(self, db_path: str | Path, migrate: bool = True) -> None:
        """`migrate=False`: a database this process already opened (spiders reading their site's state)."""
        self.db_path = str(db_path)
        if migrate:
            self.engine = open_database(db_path)
        else:
            from crawler.db import make_engine

            self.engine = make_engine(db_path)
        self._site_ids: dict[str, int] = {}
        self._site_regions: dict[int, str | None] = {}
        self._promises = PromiseCache()  # consolidated targets already read (crawler/consolidate.py)

    def forget_uncommitted(self) -> None:
        """A transaction was rolled back (dialect.retry_lost_races): ids it cached may not exist."""
        self._site_ids.clear()
        self._site_regions.clear()
        self._promises.clear()

    # --- runs ------------------------------------------------------------------------------------
    def start_run(self, options: dict[str, Any]) -> int:
        with Session(self.engine) as s, s.begin():
            run = CrawlRun(started_at=utc_now(), status="running", options=options, counts={}, pid=os.getpid())
            s.add(run)
            s.flush()
            return run.id

    def finish_run(self, run_id: int, status: str, exit_code: int) -> None:
        with Session(self.engine) as s, s.begin():
            run = s.get(CrawlRun, run_id)
            if run is not None:
                run.finished_at, run.status, run.exit_code = utc_now(), status, exit_code

    @_unless_the_disk_refuses
    def merge_run_counts(self, run_id: int, site: str, counts: dict[str, Any]) -> None:
        with Session(self.engine) as s, s.begin():
            run = s.get(CrawlRun, run_id)
            if run is None:
                return
            merged = dict(run.counts or {})
            merged[site] = counts
            run.counts = merged

    def run(self, run_id: int) -> dict[str, Any] | None:
        with Session(self.engine) as s:
            run = s.get(CrawlRun, run_id)
            return _run_dict(run) if run else None

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        with Session(self.engine) as s:
            rows = s.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)).all()
            return [_run_dict(r) for r in rows]

    # --- sites -----------------------------------------------------------------------------------
    @retry_lost_races
    def ensure_site(
        self, name: str, kind: str, title: str | None = None, base_url: str | None = None, region_code: str | None = None
    ) -> int:
        with Session(self.engine) as s, s.begin():
            site = s.scalar(select(Site).where(Site.name == name))
            if site is None:
                site = Site(name=name, kind=kind)
                s.add(site)
            site.kind, site.title, site.base_url, site.region_code = kind, title, base_url, region_code
            s.flush()
            self._site_ids[name] = site.id
            self._site_regions[site.id] = region_code
            return site.id

    def _site_id(self, s: Session, name: str) -> int:
        if name not in self._site_ids:
            site = s.scalar(select(Site).where(Site.name == name))
            if site is None:
                site = Site(name=name, kind="unknown")
                s.add(site)
                s.flush()
            self._site_ids[name] = site.id
        return self._site_ids[name]

    # --- pages and articles ----------------------------------------------------------------------
    def _site_region(self, conn: Connection, site_id: int | None) -> str | None:
        if site_id is None:
            return None
        if site_id not in self._site_regions:
            self._site_regions[site_id] = conn.execute(
                text("SELECT region_code FROM sites WHERE id = :i"), {"i": site_id}).scalar_one_or_none()
        return self._site_regions[site_id]

    def _writer(self, s: Session, run_id: int | None) -> ArticleWriter:
        conn = s.connection()
        return ArticleWriter(conn, run_id, lambda site_id: self._site_region(conn, site_id), self._promises)

    def save_article(self, item: FetchedPage, run_id: int | None) -> str:
        """Store one page, its article and its facts in one transaction; return new | updated | unchanged."""
        return self.save_articles([item], run_id)[0]

    @retry_lost_races
    def save_articles(self, items: list[FetchedPage], run_id: int | None) -> list[str]:
        """Store pages with their articles and facts, all in one transaction (a crawl killed meanwhile leaves
        none of them: their pages are fetched again next run); one outcome per item, in order."""
        try:
            with Session(self.engine) as s, s.begin():
                writer = self._writer(s, run_id)
                return [writer.save(item, self._site_id(s, item.site)) for item in items]
        except Exception:
            self.forget_uncommitted()  # a site row made in the rolled-back transaction is gone
            raise

    @retry_lost_races
    def replace_articles_facts(self, items: list[FetchedPage]) -> int:
        """Reextract: refresh the articles' analysed fields and facts from their stored pages, in one
        transaction; return how many were stored articles."""
        done = 0
        try:
            with Session(self.engine) as s, s.begin():
                writer = self._writer(s, None)
                for item in items:
                    row = s.execute(text("SELECT id, site_id FROM articles WHERE url = :u"), {"u": item.url}).first()
                    if row is not None:
                        writer.refresh(item, row.id, row.site_id)
                        done += 1
        except Exception:
            self.forget_uncommitted()
            raise
        return done

    def replace_article_facts(self, item: FetchedPage) -> None:
        """Reextract one article (see replace_articles_facts)."""
        self.replace_articles_facts([item])

    # --- attachments and errors -------------------------------------------------------------------
    @retry_lost_races
    def has_article(self, url: str) -> bool:
        with Session(self.engine) as s:
            return s.scalar(select(Article.id).where(Article.url == url)) is not None

    @retry_lost_races  # a worker storing its notice inserts the attachment's pending row meanwhile
    def save_attachment(self, item: FetchedAttachment, run_id: int | None) -> None:
        try:
            self._save_attachment(item, run_id)
        except Exception:
            self.forget_uncommitted()  # promises cached by the rolled-back transaction are gone
            raise

    def _save_attachment(self, item: FetchedAttachment, run_id: int | None) -> None:
        with Session(self.engine) as s, s.begin():
            article_id = s.scalar(select(Article.id).where(Article.url == item.article_url))
            row = s.scalar(select(Attachment).where(Attachment.url == item.url))
            if row is None:
                row = Attachment(url=item.url, article_url=item.article_url)
                s.add(row)
            row.article_id = article_id or row.article_id
            row.name, row.type = item.name, item.type or item.declared_type
            row.size, row.hash = len(item.body), hashlib.sha256(item.body).hexdigest()
            row.text, row.status, row.reason = item.text, item.text_status, item.reason
            row.body = compress(item.body) if item.text_status != "too_large" else None
            s.flush()
            self._writer(s, run_id).replace_attachment_facts(article_id, row.id, item.facts, item.search_segments)

    @_unless_the_disk_refuses
    @retry_lost_races
    def save_error(self, err: FetchError, run_id: int | None) -> None:
        with Session(self.engine) as s, s.begin():
            site_id = self._site_id(s, err.site)
            s.add(
                FetchErrorRow(
                    run_id=run_id,
                    site_id=site_id,
                    url=err.url,
                    kind=err.kind,
                    attempts=err.attempts,
                    last_status=err.last_status,
                    message=err.message[:2000],
                )
            )
            if err.is_attachment:
                row = s.scalar(select(Attachment).where(Attachment.url == err.url))
                status = "refused" if err.kind == "attachment_refused" else "fetch_failed"  # never requested
                if row is None:
                    article_id = s.scalar(select(Article.id).where(Article.url == err.article_url)) if err.article_url else None
                    s.add(Attachment(url=err.url, article_url=err.article_url or "", article_id=article_id,
                                     status=status, reason=f"{err.kind}: {err.message}"))
                elif row.status == "pending":
                    row.status, row.reason = status, f"{err.kind}: {err.message}"

    # --- incremental crawls (crawler/incremental.py decides, this reads and records) ---------------------
    def known_pages(self, site: str) -> dict[str, KnownPage]:
        """Every detail URL of `site` the database knows: stored articles, and URLs that only ever failed."""
        with Session(self.engine) as s:
            site_id = s.scalar(select(Site.id).where(Site.name == site))
            if site_id is None:
                return {}
            pending = set(s.scalars(
                select(Attachment.article_id).join(Article, Article.id == Attachment.article_id)
                .where(Article.site_id == site_id, Attachment.status == "pending")
            ))
            known: dict[str, KnownPage] = {}
            rows = s.execute(
                select(Article.id, Article.url, Article.published_at, Page.hint, Page.etag, Page.last_modified,
                       Page.fetched_at, Page.checked_at)
                .outerjoin(Page, Page.id == Article.page_id).where(Article.site_id == site_id)
            )
            for article_id, url, published_at, hint, etag, last_modified, fetched_at, checked_at in rows:
                listed = (hint or {}).get("date") if isinstance(hint, dict) else None
                known[url] = KnownPage(
                    url=url, list_date=list_day(listed) or list_day(published_at), etag=etag,
                    last_modified=last_modified, checked_at=max(filter(None, (fetched_at, checked_at)), default=None),
                    attachments_complete=article_id not in pending,
                )
            failures = s.execute(
                select(FetchErrorRow.url, FetchErrorRow.kind, CrawlRun.started_at)
                .outerjoin(CrawlRun, CrawlRun.id == FetchErrorRow.run_id)
                .where(FetchErrorRow.site_id == site_id).order_by(FetchErrorRow.id)
            )
            for url, kind, started_at in failures:  # the latest failure of a URL wins
                if url not in known or known[url].failure is not None:
                    known[url] = KnownPage(url=url, checked_at=started_at, failure=kind)
            return known

    def pending_attachments(self, site: str) -> list[dict[str, Any]]:
        """Attachments stored as links but never fetched (a crawl was killed between article and files)."""
        with Session(self.engine) as s:
            rows = s.execute(
                select(Attachment.url, Attachment.article_url, Attachment.name, Attachment.type)
                .join(Article, Article.id == Attachment.article_id).join(Site, Site.id == Article.site_id)
                .where(Site.name == site, Attachment.status == "pending").order_by(Attachment.id)
            )
            return [{"url": u, "article_url": a, "name": n, "type": t} for u, a, n, t in rows]

    def fetched_attachment_urls(self, site: str) -> set[str]:
        """Attachments of `site` already read (whatever their text status): not downloaded again."""
        with Session(self.engine) as s:
            return set(s.scalars(
                select(Attachment.url).join(Article, Article.id == Attachment.article_id)
                .join(Site, Site.id == Article.site_id)
                .where(Site.name == site, Attachment.status.not_in(("pending", "fetch_failed")))
            ))

    def site_walk_state(self, site: str) -> tuple[str | None, str | None]:
        """(cursor, walked_at) of a site; (None, None) for a site never crawled."""
        with Session(self.engine) as s:
            row = s.execute(select(Site.cursor, Site.walked_at).where(Site.name == site)).first()
            return (row[0], row[1]) if row else (None, None)

    def begin_walk(self, site: str) -> None:
        """Forget that the site was walked: if this run dies half-way, the next one pages through again."""
        with Session(self.engine) as s, s.begin():
            row = s.scalar(select(Site).where(Site.name == site))
            if row is not None:
                row.walked_at = None

    def finish_walk(self, site: str, cursor: str | None, complete: bool) -> None:
        """Keep the newest date seen; mark the walk complete only when it reached known ground or the end."""
        with Session(self.engine) as s, s.begin():
            row = s.scalar(select(Site).where(Site.name == site))
            if row is None:
                return
            if cursor and (row.cursor is None or cursor > row.cursor):
                row.cursor = cursor
            row.walked_at = utc_now() if complete else None

    def mark_not_modified(self, item: NotModifiedPage, run_id: int | None) -> bool:
        """A 304: the stored page is current as of now; no body, no new version. False if unknown."""
        with Session(self.engine) as s, s.begin():
            page = s.scalar(select(Page).where(Page.url == item.url))
            article = s.scalar(select(Article).where(Article.url == item.url))
            if page is None or article is None:
                return False
            page.checked_at = item.checked_at
            article.last_seen_run = run_id
            return True

    def mark_abandoned_runs(self, current_run_id: int | None = None) -> list[tuple[int, int | None]]:
        """Runs still `running` although no crawl holds the lock: their process died (SIGKILL, power loss)."""
        with Session(self.engine) as s, s.begin():
            rows = s.scalars(select(CrawlRun).where(CrawlRun.status == "running", CrawlRun.id != (current_run_id or -1))).all()
            for run in rows:
                run.status = "interrupted"
            return [(run.id, run.pid) for run in rows]

    # --- offline re-extraction --------------------------------------------------------------------
    def iter_stored_pages(self) -> Iterator[FetchedPage]:
        """Every stored page that became an article, rebuilt as a fetched item (no network)."""
        with Session(self.engine) as s:
            rows = s.execute(
                select(Page, Site.name).join(Article, Article.page_id == Page.id).outerjoin(Site, Site.id == Page.site_id)
            ).all()
            for page, site_name in rows:
                yield FetchedPage(
                    site=site_name or "unknown",
                    url=page.url,
                    final_url=page.final_url or page.url,
                    status=page.status or 200,
                    content_type=page.content_type,
                    declared_encoding=None,
                    body=decompress(page.body),
                    fetched_at=page.fetched_at or utc_now(),
                    etag=page.etag,
                    last_modified=page.last_modified,
                    hint=page.hint or {},
                )


def _run_dict(run: CrawlRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "status": run.status,
        "exit_code": run.exit_code,
        "pid": run.pid,
        "options": run.options,
        "counts": run.counts or {},
    }
