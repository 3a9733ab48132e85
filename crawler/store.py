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

from crawler.db import open_database
from crawler.items import FetchedAttachment, FetchedPage, FetchError
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

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = str(db_path)
        self.engine = open_database(db_path)
        self._site_ids: dict[str, int] = {}

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
            return outcome

    def _upsert_page(self, s: Session, item: FetchedPage, site_id: int, run_id: int | None, encoding: str | None) -> Page:
        page = s.scalar(select(Page).where(Page.url == item.url))
        if page is None:
            page = Page(url=item.url)
            s.add(page)
        page.final_url, page.site_id, page.run_id, page.status = item.final_url, site_id, run_id, item.status
        page.content_type, page.encoding, page.fetched_at = item.content_type, encoding, item.fetched_at
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
        from extract.normalize import normalize_title

        norm = normalize_title(policy.title)
        row = s.scalar(select(PolicyRow).where(PolicyRow.norm_title == norm))
        if row is None:
            row = PolicyRow(title=policy.title, norm_title=norm, field_sources={})
            s.add(row)
        sources = dict(row.field_sources or {})
        for field in ("issuer", "region", "issued_on", "doc_number", "period_start", "period_end", "doc_type", "status"):
            value = getattr(policy, field)
            if value is None:
                continue
            current = getattr(row, field)
            if current is None:
                setattr(row, field, value)
                sources[field] = article_id
            elif current != value:
                conflicts = sources.setdefault("conflicts", {})
                conflicts.setdefault(field, [])
                if {"value": value, "article_id": article_id} not in conflicts[field]:
                    conflicts[field].append({"value": value, "article_id": article_id})
        row.field_sources = sources
        row.region_code = _region_code(row.region, lookup_region)
        s.flush()
        index_policy(s.connection(), row.id, row.title)
        return row

    # --- attachments and errors -------------------------------------------------------------------
    def save_attachment(self, item: FetchedAttachment, run_id: int | None) -> None:
        with Session(self.engine) as s, s.begin():
            article_id = s.scalar(select(Article.id).where(Article.url == item.article_url))
            row = s.scalar(select(Attachment).where(Attachment.url == item.url))
            if row is None:
                row = Attachment(url=item.url, article_url=item.article_url)
                s.add(row)
            row.article_id, row.name, row.type = article_id, item.name, item.type or item.declared_type
            row.size, row.hash = len(item.body), hashlib.sha256(item.body).hexdigest()
            row.text, row.status, row.reason = item.text, item.text_status, item.reason
            row.body = compress(item.body) if item.text_status != "too_large" else None
            s.flush()
            for table in (TargetRow, PolicyMention):
                s.execute(delete(table).where(table.attachment_id == row.id))
            if article_id is not None and item.facts is not None:
                from extract.regions import lookup_region

                self._add_policies_and_targets(s, article_id, row.id, item.facts, lookup_region)

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
                    s.add(Attachment(url=err.url, article_url="", status="fetch_failed", reason=f"{err.kind}: {err.message}"))

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
