"""Writing crawl results: one transaction per item, so a killed crawl never leaves half an article.

Articles are upserted by canonical URL (a rerun creates no duplicates); a changed text adds a row to
`article_versions` instead of silently overwriting; the fact tables of an article are replaced as a whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crawler.consolidate import after_article_written, after_attachment_written
from crawler.db import open_database
from crawler.dialect import retry_lost_races, sqlite_only
from crawler.incremental import KnownPage, list_day
from crawler.items import FetchedAttachment, FetchedPage, FetchError, NotModifiedPage
from crawler.models import (
    Article,
    ArticleRegion,
    ArticleVersion,
    Attachment,
    CrawlRun,
    FetchErrorRow,
    Keyword,
    Page,
    PolicyMention,
    PolicyRow,
    Site,
    TargetRow,
)
from crawler.search_index import index_article, index_policy

# Chinese search, stories and consolidated targets are derived tables of the SQLite side: kept up to date while
# writing a SQLite file, built by `policycrawl export` from a PostgreSQL database (crawler/dialect.py).
index_article, index_policy = sqlite_only(index_article), sqlite_only(index_policy)
after_article_written = sqlite_only(after_article_written)
after_attachment_written = sqlite_only(after_attachment_written)

logger = logging.getLogger(__name__)

NATIONAL = {"全国": "100000"}


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def content_hash(title: str | None, text: str | None) -> str:
    return hashlib.sha256(f"{title or ''}\n{text or ''}".encode()).hexdigest()


def compress(body: bytes | None) -> bytes | None:
    return zlib.compress(body, 6) if body is not None else None


def decompress(body: bytes | None) -> bytes:
    return zlib.decompress(body) if body else b""


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

    def forget_uncommitted(self) -> None:
        """A transaction was rolled back (dialect.retry_lost_races): ids it cached may not exist."""
        self._site_ids.clear()

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
    @retry_lost_races
    def save_article(self, item: FetchedPage, run_id: int | None) -> str:
        """Store the page, the article and its facts in one transaction; return new | updated | unchanged."""
        record = item.record
        with Session(self.engine) as s, s.begin():
            site_id = self._site_id(s, item.site)
            page = self._upsert_page(s, item, site_id, run_id, record.encoding if record else None)
            digest = content_hash(record.title, record.text)
            article = s.scalar(select(Article).where(Article.url == item.url))
            if article is None:
                article = Article(url=item.url, first_seen_run=run_id)
                s.add(article)
                outcome = "new"
            elif article.content_hash == digest:
                outcome = "unchanged"
            else:
                outcome = "updated"
            article.last_seen_run = run_id
            article.page_id, article.site_id = page.id, site_id
            if outcome != "unchanged":
                self._fill_article(s, article, item, digest)
                s.flush()
                index_article(s.connection(), article.id, article.title, article.text)
                self._add_version(s, article, run_id)
                self._replace_facts(s, article, item.facts)
                s.flush()
                after_article_written(s.connection(), article.id)  # its story, its consolidated targets
            self._add_pending_attachments(s, article, item.attachment_links)
            return outcome

    @staticmethod
    def _add_pending_attachments(s: Session, article: Article, links: list[dict[str, Any]]) -> None:
        """Attachment links become `pending` rows with their article, so a crawl killed before the files
        arrive fetches them on the next run (Store.pending_attachments)."""
        s.flush()
        for link in links or []:
            if s.scalar(select(Attachment.id).where(Attachment.url == link["url"])) is None:
                s.add(Attachment(url=link["url"], article_url=article.url, article_id=article.id,
                                 name=link.get("name"), type=link.get("type"), status="pending"))

    def _upsert_page(self, s: Session, item: FetchedPage, site_id: int, run_id: int | None, encoding: str | None) -> Page:
        page = s.scalar(select(Page).where(Page.url == item.url))
        if page is None:
            page = Page(url=item.url)
            s.add(page)
        page.final_url, page.site_id, page.run_id, page.status = item.final_url, site_id, run_id, item.status
        page.content_type, page.encoding, page.fetched_at = item.content_type, encoding, item.fetched_at
        page.checked_at = item.fetched_at
        page.etag, page.last_modified, page.hint = item.etag, item.last_modified, item.hint or None
        digest = hashlib.sha256(item.body).hexdigest()
        if page.body_hash != digest:
            page.body, page.body_hash = compress(item.body), digest
        s.flush()
        return page

    def _fill_article(self, s: Session, article: Article, item: FetchedPage, digest: str) -> None:
        record, facts = item.record, item.facts
        article.title = record.title or (facts.title if facts else None)
        article.published_at = record.published_at or record.published_on
        article.source = record.source or (facts.source if facts else None)
        article.author = record.author or (facts.author if facts else None)
        article.language = record.language or (facts.language if facts else None)
        article.text_original, article.text = record.text_original, record.text
        article.content_hash, article.boilerplate_removed = digest, len(item.text_removed)
        article.index_no, article.doc_number, article.issuer = record.index_no, record.doc_number, record.issuer
        article.written_on, article.topic, article.fields_from = record.written_on, record.topic, record.fields_from
        article.region_code = record.region_code or self._site_region(s, article.site_id) or _top_region(facts)

    @staticmethod
    def _site_region(s: Session, site_id: int | None) -> str | None:
        site = s.get(Site, site_id) if site_id else None
        return site.region_code if site else None

    @staticmethod
    def _add_version(s: Session, article: Article, run_id: int | None) -> None:
        exists = s.scalar(
            select(ArticleVersion.id).where(
                ArticleVersion.article_id == article.id, ArticleVersion.content_hash == article.content_hash
            )
        )
        if exists is None:
            s.add(
                ArticleVersion(
                    article_id=article.id,
                    run_id=run_id,
                    content_hash=article.content_hash,
                    title=article.title,
                    text=article.text,
                    seen_at=utc_now(),
                )
            )

    def _replace_facts(self, s: Session, article: Article, facts) -> None:
        """The article's own facts (its attachments' facts are kept: they are replaced with the attachment)."""
        for table in (TargetRow, PolicyMention):
            s.execute(delete(table).where(table.article_id == article.id, table.attachment_id.is_(None)))
        for table in (ArticleRegion, Keyword):
            s.execute(delete(table).where(table.article_id == article.id))
        if facts is None:
            return
        from extract.regions import lookup_region

        self._add_policies_and_targets(s, article.id, None, facts, lookup_region)
        counts: dict[str, int] = {}
        for mention in facts.region_mentions:
            counts[mention.code] = counts.get(mention.code, 0) + 1
        if not counts:
            for name in facts.regions_mentioned:
                region = lookup_region(name)
                if region:
                    counts[region.code] = counts.get(region.code, 0) + 1
        for code, n in counts.items():
            s.add(ArticleRegion(article_id=article.id, region_code=code, mentions=n))
        for word, weight in facts.keywords:
            s.add(Keyword(article_id=article.id, word=word, weight=float(weight)))

    def _add_policies_and_targets(self, s: Session, article_id: int, attachment_id: int | None, facts, lookup_region) -> dict[str, int]:
        policy_ids: dict[str, int] = {}
        for policy in facts.policies:
            row = self._upsert_policy(s, policy, article_id, lookup_region)
            policy_ids[policy.title] = row.id
            for start, end in policy.spans or [(None, None)]:
                s.add(PolicyMention(policy_id=row.id, article_id=article_id, attachment_id=attachment_id,
                                    span_start=start, span_end=end))
        for t in facts.targets:
            s.add(
                TargetRow(
                    article_id=article_id,
                    attachment_id=attachment_id,
                    policy_id=policy_ids.get(t.policy_title) if t.policy_title else None,
                    region=t.region,
                    region_code=_region_code(t.region, lookup_region),
                    year=t.year,
                    metric=t.metric,
                    value=float(t.value),
                    value_max=float(t.value_max) if t.value_max is not None else None,
                    unit=t.unit,
                    qualifier=t.qualifier,
                    text=t.text,
                    span_start=t.start,
                    span_end=t.end,
                )
            )
        return policy_ids

    @staticmethod
    def _upsert_policy(s: Session, policy, article_id: int, lookup_region) -> PolicyRow:
        """One row per document: fields missing so far are filled from this mention, with their source kept."""
        from extract.policy_identity import POLICY_FIELDS, merge_policy_fields, policy_key

        norm = policy_key(policy.title)  # one row per document however the title is written
        # FOR UPDATE (PostgreSQL; SQLite has one writer anyway): two workers merging fields into the same
        # policy row take turns instead of overwriting each other's field sources.
        row = s.scalar(select(PolicyRow).where(PolicyRow.norm_title == norm).with_for_update())
        if row is None:
            row = PolicyRow(title=policy.title, norm_title=norm, field_sources={})
            s.add(row)
        values, row.field_sources = merge_policy_fields(
            {f: getattr(row, f) for f in POLICY_FIELDS}, row.field_sources or {},
            {f: getattr(policy, f) for f in POLICY_FIELDS}, article_id,
        )
        for field, value in values.items():
            setattr(row, field, value)
        row.region_code = _region_code(row.region, lookup_region)
        s.flush()
        index_policy(s.connection(), row.id, row.title)
        return row

    # --- attachments and errors -------------------------------------------------------------------
    @retry_lost_races
    def has_article(self, url: str) -> bool:
        with Session(self.engine) as s:
            return s.scalar(select(Article.id).where(Article.url == url)) is not None

    def save_attachment(self, item: FetchedAttachment, run_id: int | None) -> None:
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
            for table in (TargetRow, PolicyMention):
                s.execute(delete(table).where(table.attachment_id == row.id))
            if article_id is not None and item.facts is not None:
                from extract.regions import lookup_region

                self._add_policies_and_targets(s, article_id, row.id, item.facts, lookup_region)
                s.flush()
                after_attachment_written(s.connection(), article_id)

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
                if row is None:
                    article_id = s.scalar(select(Article.id).where(Article.url == err.article_url)) if err.article_url else None
                    s.add(Attachment(url=err.url, article_url=err.article_url or "", article_id=article_id,
                                     status="fetch_failed", reason=f"{err.kind}: {err.message}"))
                elif row.status == "pending":
                    row.status, row.reason = "fetch_failed", f"{err.kind}: {err.message}"

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

    @retry_lost_races
    def replace_article_facts(self, item: FetchedPage) -> None:
        """Reextract: refresh the article's analysed fields and facts from its stored page."""
        with Session(self.engine) as s, s.begin():
            article = s.scalar(select(Article).where(Article.url == item.url))
            if article is None:
                return
            self._fill_article(s, article, item, content_hash(item.record.title, item.record.text))
            s.flush()
            index_article(s.connection(), article.id, article.title, article.text)
            self._replace_facts(s, article, item.facts)
            s.flush()
            after_article_written(s.connection(), article.id)


def _run_dict(run: CrawlRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "status": run.status,
        "exit_code": run.exit_code,
        "options": run.options,
        "counts": run.counts or {},
    }


def _region_code(name: str | None, lookup_region) -> str | None:
    if not name:
        return None
    if name in NATIONAL:
        return NATIONAL[name]
    region = lookup_region(name)
    return region.code if region else None


def _top_region(facts) -> str | None:
    if facts is None or not facts.region_mentions:
        return None
    counts: dict[str, int] = {}
    for m in facts.region_mentions:
        counts[m.code] = counts.get(m.code, 0) + 1
    return max(counts, key=counts.get)
