"""The database schema (spec/SCHEMA.md), owned here and only here.

Every fact row points back to the article and the character span it came from, so an analyst can check it.
Bodies are kept compressed so facts can be re-extracted later without the network.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = 4  # 2: sites.walked_at, pages.checked_at (incremental crawls); 3: stories, story_bands, consolidated_targets; 4: doc_numbers, policy_citations, document_status, liveness_checks, article_versions.diff_chars


# A target's amount. SQLite: NUMERIC affinity, so a whole number stays an integer (2500000000000, not
# 2500000000000.0, in sqlite3 and datasette) and a fraction is REAL; PostgreSQL: double precision, which prints
# whole numbers without a fraction. (A database created before this keeps its REAL columns.)
AMOUNT = Float().with_variant(Numeric(asdecimal=False), "sqlite")


class Base(DeclarativeBase):
    pass


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[str] = mapped_column(String(32))
    finished_at: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | ok | failed | interrupted
    exit_code: Mapped[int | None] = mapped_column(Integer)
    options: Mapped[dict | None] = mapped_column(JSON)
    counts: Mapped[dict | None] = mapped_column(JSON)  # {site: {requests, pages, new, updated, unchanged, errors: {kind: n}, dropped: {reason: n}}}
    pid: Mapped[int | None] = mapped_column(Integer)


class Site(Base):
    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(String(200))
    base_url: Mapped[str | None] = mapped_column(String(500))
    region_code: Mapped[str | None] = mapped_column(String(6))
    cursor: Mapped[str | None] = mapped_column(String(32))  # newest publication date seen (nightly ops)
    # When a crawl last walked the site's list pages down to known ground (or their end) and finished; NULL
    # while a walk is under way or after one was cut short, so the next run pages through everything again.
    walked_at: Mapped[str | None] = mapped_column(String(32))


class Page(Base):
    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    final_url: Mapped[str | None] = mapped_column(String(2000))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    encoding: Mapped[str | None] = mapped_column(String(40))
    fetched_at: Mapped[str | None] = mapped_column(String(32))
    checked_at: Mapped[str | None] = mapped_column(String(32))  # last 200 or 304 for it: when a revisit is due
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)  # zlib-compressed raw bytes
    body_hash: Mapped[str | None] = mapped_column(String(64))
    hint: Mapped[dict | None] = mapped_column(JSON)  # what the list page / API said about it


class FetchErrorRow(Base):
    __tablename__ = "errors"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    url: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    last_status: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_errors_run", "run_id"),)


class Article(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    title: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(200))
    author: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    text_original: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    boilerplate_removed: Mapped[int | None] = mapped_column(Integer)
    story_id: Mapped[int | None] = mapped_column(Integer)
    region_code: Mapped[str | None] = mapped_column(String(6))
    index_no: Mapped[str | None] = mapped_column(String(100))
    doc_number: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(300))
    written_on: Mapped[str | None] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(200))
    fields_from: Mapped[dict | None] = mapped_column(JSON)
    first_seen_run: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    last_seen_run: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    __table_args__ = (Index("ix_articles_site", "site_id"), Index("ix_articles_published", "published_at"))


class ArticleVersion(Base):
    __tablename__ = "article_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    seen_at: Mapped[str] = mapped_column(String(32))
    diff_chars: Mapped[int | None] = mapped_column(Integer)  # a revisit's change: characters removed + added
    __table_args__ = (UniqueConstraint("article_id", "content_hash"),)


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    article_url: Mapped[str] = mapped_column(String(2000))
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str | None] = mapped_column(String(500))
    type: Mapped[str | None] = mapped_column(String(16))
    size: Mapped[int | None] = mapped_column(Integer)
    hash: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(32))  # ok | empty_scanned | encrypted | corrupt | too_large | unsupported | fetch_failed
    reason: Mapped[str | None] = mapped_column(Text)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)  # zlib-compressed, for re-extraction


class RegionRow(Base):
    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(String(6))


class ArticleRegion(Base):
    __tablename__ = "article_regions"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    mentions: Mapped[int] = mapped_column(Integer, default=1)


class Keyword(Base):
    __tablename__ = "keywords"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    word: Mapped[str] = mapped_column(String(100), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)


class PolicyRow(Base):
    __tablename__ = "policies"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    norm_title: Mapped[str] = mapped_column(String(500), unique=True)
    issuer: Mapped[str | None] = mapped_column(String(300))
    region: Mapped[str | None] = mapped_column(String(50))
    region_code: Mapped[str | None] = mapped_column(String(6))
    issued_on: Mapped[str | None] = mapped_column(String(10))
    doc_number: Mapped[str | None] = mapped_column(String(200))
    period_start: Mapped[int | None] = mapped_column(Integer)
    period_end: Mapped[int | None] = mapped_column(Integer)
    doc_type: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(16))
    field_sources: Mapped[dict | None] = mapped_column(JSON)  # {field: article_id that gave it}; conflicts kept


class PolicyMention(Base):
    __tablename__ = "policy_mentions"
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"))  # spans then refer to the attachment's text
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_policy_mentions_article", "article_id"), Index("ix_policy_mentions_policy", "policy_id"))


class TargetRow(Base):
    __tablename__ = "targets"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id", ondelete="SET NULL"))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"))  # spans then refer to the attachment's text
    region: Mapped[str | None] = mapped_column(String(50))
    region_code: Mapped[str | None] = mapped_column(String(6))
    year: Mapped[int | None] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String(200))
    value: Mapped[float] = mapped_column(AMOUNT)
    value_max: Mapped[float | None] = mapped_column(AMOUNT)
    unit: Mapped[str] = mapped_column(String(16))
    qualifier: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    consolidated_id: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_targets_article", "article_id"), Index("ix_targets_region_year", "region_code", "year"))


# --- One fact, many reports: syndicated copies grouped into stories, targets consolidated across reports ---
Index("ix_articles_story", Article.story_id)
Index("ix_targets_consolidated", TargetRow.consolidated_id)


class Story(Base):
    """Copies of one report (near-duplicate bodies, any site, any script); every article belongs to one."""

    __tablename__ = "stories"
    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))  # earliest published
    size: Mapped[int] = mapped_column(Integer, default=1)  # number of articles in the story


class StoryBand(Base):
    """The LSH bands of an article's MinHash (extract/stories.py): a new article finds its copies by index."""

    __tablename__ = "story_bands"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[int] = mapped_column(Integer)
    __table_args__ = (Index("ix_story_bands_hash", "hash", "band"),)


class ConsolidatedTarget(Base):
    """One promise (region, year, metric, value, unit) however many reports repeat it; targets point here."""

    __tablename__ = "consolidated_targets"
    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str | None] = mapped_column(String(50))
    region_code: Mapped[str | None] = mapped_column(String(6))
    year: Mapped[int | None] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String(200))  # as first reported
    metric_key: Mapped[str] = mapped_column(String(200))  # shared by metrics that name the same thing
    value: Mapped[float] = mapped_column(AMOUNT)
    value_max: Mapped[float | None] = mapped_column(AMOUNT)
    unit: Mapped[str] = mapped_column(String(16))
    amount_key: Mapped[str] = mapped_column(String(64))  # value and value_max rounded to 9 significant digits
    qualifier: Mapped[str | None] = mapped_column(String(16))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id", ondelete="SET NULL"))
    __table_args__ = (
        Index("ix_consolidated_amount", "region_code", "year", "unit", "amount_key"),
        Index("ix_consolidated_metric", "region_code", "year", "unit", "metric_key"),
    )


# --- The policy archive: 发文字号 series and the citation graph ---
Index("ix_articles_title", Article.title)  # a citation by title finds the cited article


class DocNumberRow(Base):
    """One 发文字号 seen, split into its series (extract/doc_numbers.py): an article's own (source `article`), a
    policy's (`policy`), or one an article cites (`citation`, article_id the citing one)."""

    __tablename__ = "doc_numbers"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"))
    doc_number: Mapped[str] = mapped_column(String(200))  # canonical: 国发〔2021〕29号
    issuer_code: Mapped[str] = mapped_column(String(64))
    year: Mapped[int | None] = mapped_column(Integer)  # NULL for decrees numbered without a year (国务院令第708号)
    serial: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))  # article | policy | citation
    __table_args__ = (
        Index("ix_doc_numbers_series", "issuer_code", "year", "serial"),
        Index("ix_doc_numbers_number", "doc_number"),
        Index("ix_doc_numbers_article", "article_id"),
        Index("ix_doc_numbers_policy", "policy_id"),
    )


class PolicyCitation(Base):
    """An article citing a document by 发文字号 and/or title (extract/citations.py); the cited article and policy
    are filled when we hold them, now or when they arrive later."""

    __tablename__ = "policy_citations"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))  # the citing one
    cited_doc_number: Mapped[str | None] = mapped_column(String(200))  # canonical
    cited_title: Mapped[str | None] = mapped_column(Text)
    cited_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id", ondelete="SET NULL"))
    cited_article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    span_start: Mapped[int | None] = mapped_column(Integer)  # into the citing article's text
    span_end: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (
        Index("ix_policy_citations_article", "article_id"),
        Index("ix_policy_citations_number", "cited_doc_number"),
        Index("ix_policy_citations_title", "cited_title"),
        Index("ix_policy_citations_cited", "cited_article_id"),
    )


# --- The policy archive: is a stored document still there (crawler/revisit.py)? ---


class DocumentStatus(Base):
    """The last word of the site on a stored document; the text we stored is never deleted."""

    __tablename__ = "document_status"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # alive | changed | moved | gone | unreachable
    checked_at: Mapped[str] = mapped_column(String(32))
    last_alive_at: Mapped[str | None] = mapped_column(String(32))  # the last answer that showed the document
    gone_since: Mapped[str | None] = mapped_column(String(32))  # the first `gone` answer of the current absence
    moved_to: Mapped[str | None] = mapped_column(String(2000))
    changes: Mapped[int] = mapped_column(Integer, default=0)  # revisits that found the text changed
    http_status: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_document_status_checked", "checked_at"),)


class LivenessCheck(Base):
    """Every answer of every revisit, in order: the history behind document_status."""

    __tablename__ = "liveness_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    checked_at: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    http_status: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str | None] = mapped_column(String(2000))
    detail: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_liveness_checks_article", "article_id"),)
