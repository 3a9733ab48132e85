"""Writing analysed articles: the page, the article, its version, facts, search rows, story and promises.

The store calls this inside one transaction per batch of articles (crawler/store.py), so a killed crawl
leaves whole batches or nothing. Each statement is a plain SQL text compiled once; rows of one kind go in one
`executemany`. The ORM used to cost two thirds of the store's time here (a flush per object, a SELECT per
attachment link, a statement per target), and a crawl waits for its store.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from crawler.consolidate import PromiseCache, after_article_written, after_attachment_written, json_dict
from crawler.dialect import Sql, sqlite_only
from crawler.doc_links import write_article_links, write_policy_number
from crawler.items import FetchedPage
from crawler.search_index import index_article, index_policy
from extract.facts import extract_facts

index_article, index_policy = sqlite_only(index_article), sqlite_only(index_policy)
after_article_written = sqlite_only(after_article_written)
after_attachment_written = sqlite_only(after_attachment_written)

logger = logging.getLogger(__name__)

NATIONAL = {"全国": "100000"}
# No plan states a figure of 19 digits (10万亿 has 14): a longer one is a run of digits, not a target. It also
# keeps a value inside SQLite's 64-bit INTEGER and a float's range (a 400-digit int overflowed float()).
MAX_TARGET_DIGITS = 18
_TARGET_LIMIT = 10**MAX_TARGET_DIGITS

# --- pages ----------------------------------------------------------------------------------------------------
_PAGE_FIELDS = ("final_url", "site_id", "run_id", "status", "content_type", "encoding", "fetched_at", "checked_at",
                "etag", "last_modified", "hint")
_SELECT_PAGE = ("SELECT id, body_hash FROM pages WHERE url = :url")
_INSERT_PAGE = (
    f"INSERT INTO pages (url, body, body_hash, {', '.join(_PAGE_FIELDS)}) "
    f"VALUES (:url, :body, :body_hash, {', '.join(':' + f for f in _PAGE_FIELDS)}) RETURNING id"
)
_UPDATE_PAGE = (f"UPDATE pages SET {', '.join(f'{f} = :{f}' for f in _PAGE_FIELDS)} WHERE id = :id")
_UPDATE_PAGE_BODY = ("UPDATE pages SET body = :body, body_hash = :body_hash WHERE id = :id")

# --- articles -------------------------------------------------------------------------------------------------
_ARTICLE_FIELDS = ("title", "published_at", "source", "author", "language", "text_original", "text", "content_hash",
                   "boilerplate_removed", "index_no", "doc_number", "issuer", "written_on", "topic", "fields_from",
                   "region_code")
_SELECT_ARTICLE = ("SELECT id, content_hash FROM articles WHERE url = :url")
_INSERT_ARTICLE = (
    f"INSERT INTO articles (url, first_seen_run, last_seen_run, page_id, site_id, {', '.join(_ARTICLE_FIELDS)}) "
    f"VALUES (:url, :run, :run, :page_id, :site_id, {', '.join(':' + f for f in _ARTICLE_FIELDS)}) RETURNING id"
)
_SEEN_ARTICLE = ("UPDATE articles SET last_seen_run = :run, page_id = :page_id, site_id = :site_id WHERE id = :id")
_UPDATE_ARTICLE = (
    "UPDATE articles SET last_seen_run = :run, page_id = :page_id, site_id = :site_id, "
    f"{', '.join(f'{f} = :{f}' for f in _ARTICLE_FIELDS)} WHERE id = :id"
)
_REFILL_ARTICLE = (f"UPDATE articles SET {', '.join(f'{f} = :{f}' for f in _ARTICLE_FIELDS)} WHERE id = :id")
_INSERT_VERSION = (
    "INSERT INTO article_versions (article_id, run_id, content_hash, title, text, seen_at) "
    "VALUES (:a, :run, :content_hash, :title, :text, :seen_at) ON CONFLICT (article_id, content_hash) DO NOTHING"
)
# Attachments stored before their article: a distributed crawl's other worker fetched them first.
_UNLINKED_ATTACHMENTS = ("SELECT id, url, text, status FROM attachments "
                         "WHERE article_url = :url AND article_id IS NULL ORDER BY id")
_LINK_ATTACHMENT = "UPDATE attachments SET article_id = :a WHERE id = :att"
_INSERT_PENDING = (
    "INSERT INTO attachments (url, article_url, article_id, name, type, status) "
    "VALUES (:url, :article_url, :a, :name, :type, 'pending') ON CONFLICT (url) DO NOTHING"
)

# --- facts ----------------------------------------------------------------------------------------------------
_DELETE_OWN_FACTS = (
    "DELETE FROM targets WHERE article_id = :a AND attachment_id IS NULL",
    "DELETE FROM policy_mentions WHERE article_id = :a AND attachment_id IS NULL",
    "DELETE FROM article_regions WHERE article_id = :a",
    "DELETE FROM keywords WHERE article_id = :a",
)
_DELETE_ATTACHMENT_FACTS = tuple(
    f"DELETE FROM {table} WHERE attachment_id = :att" for table in ("targets", "policy_mentions")
)
_OWN_TARGET_GROUPS = ("SELECT DISTINCT region_code, year, unit FROM targets "
                      "WHERE article_id = :a AND attachment_id IS NULL")
_ATTACHMENT_TARGET_GROUPS = "SELECT DISTINCT region_code, year, unit FROM targets WHERE attachment_id = :att"
_INSERT_REGION = ("INSERT INTO article_regions (article_id, region_code, mentions) VALUES (:a, :code, :n)")
_INSERT_KEYWORD = ("INSERT INTO keywords (article_id, word, weight) VALUES (:a, :word, :weight)")
_INSERT_MENTION = (
    "INSERT INTO policy_mentions (policy_id, article_id, attachment_id, span_start, span_end) "
    "VALUES (:p, :a, :att, :s, :e)"
)
_TARGET_FIELDS = ("policy_id", "region", "region_code", "year", "metric", "value", "value_max", "unit", "qualifier",
                  "text", "span_start", "span_end")
_INSERT_TARGET = (
    f"INSERT INTO targets (article_id, attachment_id, {', '.join(_TARGET_FIELDS)}) "
    f"VALUES (:a, :att, {', '.join(':' + f for f in _TARGET_FIELDS)})"
)
_POLICY_COLUMNS = ("issuer", "region", "issued_on", "doc_number", "period_start", "period_end", "doc_type", "status")
_SELECT_POLICY = f"SELECT id, field_sources, {', '.join(_POLICY_COLUMNS)}, title FROM policies WHERE norm_title = :n"
_UPDATE_POLICY_TITLE = "UPDATE policies SET title = :title WHERE id = :id"
_REPORT_RANK = "SELECT published_at, url FROM articles WHERE id = :a"
_INSERT_POLICY = (
    f"INSERT INTO policies (title, norm_title, region_code, field_sources, {', '.join(_POLICY_COLUMNS)}) "
    f"VALUES (:title, :n, :region_code, :field_sources, {', '.join(':' + f for f in _POLICY_COLUMNS)}) RETURNING id"
)
_UPDATE_POLICY = (
    f"UPDATE policies SET region_code = :region_code, field_sources = :field_sources, "
    f"{', '.join(f'{f} = :{f}' for f in _POLICY_COLUMNS)} WHERE id = :id"
)


def utc_now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def content_hash(title: str | None, text_: str | None) -> str:
    return hashlib.sha256(f"{title or ''}\n{text_ or ''}".encode()).hexdigest()


def compress(body: bytes | None) -> bytes | None:
    return zlib.compress(body, 6) if body is not None else None


def prepare_body(item: FetchedPage) -> FetchedPage:
    """Hash and compress the raw page where the item is analysed (a worker), so the store only writes them."""
    if item.body_hash is None:
        item.body_hash = hashlib.sha256(item.body).hexdigest()
        item.stored_body = compress(item.body)
    return item


def _json_text(value: Any) -> str | None:
    """JSON columns written by hand: the same text SQLAlchemy's JSON type writes."""
    return json.dumps(value) if value is not None else None


class ArticleWriter:
    """Writes articles on one connection, inside the caller's transaction (see crawler/store.py)."""

    def __init__(self, conn: Connection, run_id: int | None, site_region: Callable[[int | None], str | None],
                 promises: PromiseCache | None = None) -> None:
        """`promises`: a cache kept across transactions by the caller (it is checked here, at the start of this
        one); a new one otherwise."""
        self.conn = conn
        self.sql = Sql(conn)
        self.run_id = run_id
        self.site_region = site_region
        self.promises = promises if promises is not None else PromiseCache()
        self.promises.check(self.sql)
        self._ranks: dict[int, tuple | None] = {}  # (unpublished, published_at, url) of reports, for _reported_before
        # FOR UPDATE (PostgreSQL; SQLite has one writer anyway): two workers merging fields into the same
        # policy row take turns instead of overwriting each other's field sources.
        self._select_policy = _SELECT_POLICY + ("" if self.sql.sqlite else " FOR UPDATE")
        from extract.regions import lookup_region

        self.lookup_region = lookup_region

    # --- one crawled article ----------------------------------------------------------------------------
    def save(self, item: FetchedPage, site_id: int) -> str:
        """The page, then the article: new | updated | unchanged."""
        record = item.record
        page_id = self._upsert_page(item, site_id, record.encoding if record else None)
        digest = content_hash(record.title, record.text)
        row = self.sql.first(_SELECT_ARTICLE, {"url": item.url})
        place = {"run": self.run_id, "page_id": page_id, "site_id": site_id}
        if row is not None and row[1] == digest:
            self.sql.run(_SEEN_ARTICLE, {**place, "id": row[0]})
            self._add_pending_attachments(row[0], item)
            return "unchanged"
        fields = self._article_fields(item, site_id, digest)
        if row is None:
            article_id = self.sql.scalar(_INSERT_ARTICLE, {**place, "url": item.url, **fields})
        else:
            article_id = row[0]
            self.sql.run(_UPDATE_ARTICLE, {**place, **fields, "id": article_id})
        self._write_analysis(article_id, item, fields, fresh=row is None)
        self.sql.run(_INSERT_VERSION, {"a": article_id, "run": self.run_id, "content_hash": digest,
                                            "title": fields["title"], "text": fields["text"], "seen_at": utc_now()})
        self._add_pending_attachments(article_id, item)
        if row is None:  # after the pending rows: on PostgreSQL their insert waits for a worker storing one of
            self._adopt_attachments(article_id, item.url)  # the files, whose row this then sees
        return "new" if row is None else "updated"

    def refresh(self, item: FetchedPage, article_id: int, site_id: int | None) -> None:
        """Reextract: the analysed fields and facts of a stored article, from its stored page."""
        fields = self._article_fields(item, site_id, content_hash(item.record.title, item.record.text))
        self.sql.run(_REFILL_ARTICLE, {**fields, "id": article_id})
        self._write_analysis(article_id, item, fields, fresh=False)

    def _write_analysis(self, article_id: int, item: FetchedPage, fields: dict[str, Any], *, fresh: bool) -> None:
        index_article(self.sql.target, article_id, fields["title"], fields["text"], item.search_segments)
        if not fresh:
            self._delete_own_facts(article_id)
        self._add_facts(article_id, item.facts, item.search_segments)
        write_article_links(self.sql, article_id, fields["title"], fields["text"], fields["doc_number"],
                            item.facts.policies if item.facts is not None else ())
        after_article_written(self.conn, article_id, item.story_print, fresh=fresh, cache=self.promises)

    def _upsert_page(self, item: FetchedPage, site_id: int, encoding: str | None) -> int:
        prepare_body(item)
        values = {
            "final_url": item.final_url, "site_id": site_id, "run_id": self.run_id, "status": item.status,
            "content_type": item.content_type, "encoding": encoding, "fetched_at": item.fetched_at,
            "checked_at": item.fetched_at, "etag": item.etag, "last_modified": item.last_modified,
            "hint": _json_text(item.hint or None),
        }
        row = self.sql.first(_SELECT_PAGE, {"url": item.url})
        if row is None:
            return self.sql.scalar(_INSERT_PAGE, {**values, "url": item.url, "body": item.stored_body,
                                                  "body_hash": item.body_hash})
        page_id, body_hash = row
        self.sql.run(_UPDATE_PAGE, {**values, "id": page_id})
        if body_hash != item.body_hash:
            self.sql.run(_UPDATE_PAGE_BODY, {"body": item.stored_body, "body_hash": item.body_hash, "id": page_id})
        return page_id

    def _article_fields(self, item: FetchedPage, site_id: int | None, digest: str) -> dict[str, Any]:
        record, facts = item.record, item.facts
        return {
            "title": record.title or (facts.title if facts else None),
            "published_at": record.published_at or record.published_on,
            "source": record.source or (facts.source if facts else None),
            "author": record.author or (facts.author if facts else None),
            "language": record.language or (facts.language if facts else None),
            "text_original": record.text_original,
            "text": record.text,
            "content_hash": digest,
            "boilerplate_removed": len(item.text_removed),
            "index_no": record.index_no,
            "doc_number": record.doc_number,
            "issuer": record.issuer,
            "written_on": record.written_on,
            "topic": record.topic,
            "fields_from": _json_text(record.fields_from),
            "region_code": record.region_code or self.site_region(site_id) or top_region(facts),
        }

    def _adopt_attachments(self, article_id: int, url: str) -> None:
        """Attachments that arrived before their article are linked to it now, with the facts of their text, so
        the rows are the same whichever of the two was stored first (workers of a frontier store as they finish).
        Their facts are read again from the stored text: the same `extract_facts` the attachment pipeline ran."""
        for attachment_id, attachment_url, text_, status in self.sql.rows(_UNLINKED_ATTACHMENTS, {"url": url}):
            self.sql.run(_LINK_ATTACHMENT, {"a": article_id, "att": attachment_id})
            if status == "ok" and text_:
                self.replace_attachment_facts(article_id, attachment_id, extract_facts(text_, file=attachment_url))

    def _add_pending_attachments(self, article_id: int, item: FetchedPage) -> None:
        """Attachment links become `pending` rows with their article, so a crawl killed before the files
        arrive fetches them on the next run (Store.pending_attachments)."""
        links = item.attachment_links or []
        if links:
            self.sql.run(_INSERT_PENDING, [
                {"url": link["url"], "article_url": item.url, "a": article_id, "name": link.get("name"),
                 "type": link.get("type")}
                for link in links
            ])

    # --- facts ------------------------------------------------------------------------------------------
    def _delete_own_facts(self, article_id: int) -> None:
        """The article's own facts (its attachments' facts stay: they are replaced with the attachment)."""
        # A trigger drops the promises these targets leave without reports: their groups are read again.
        self.promises.forget(self.sql.rows(_OWN_TARGET_GROUPS, {"a": article_id}))
        for statement in _DELETE_OWN_FACTS:
            self.sql.run(statement, {"a": article_id})

    def _add_facts(self, article_id: int, facts: Any, segments: dict[str, str]) -> None:
        if facts is None:
            return
        self.add_policies_and_targets(article_id, None, facts, segments)
        counts: dict[str, int] = {}
        for mention in facts.region_mentions:
            counts[mention.code] = counts.get(mention.code, 0) + 1
        if not counts:
            for name in facts.regions_mentioned:
                region = self.lookup_region(name)
                if region:
                    counts[region.code] = counts.get(region.code, 0) + 1
        if counts:
            self.sql.run(_INSERT_REGION, [{"a": article_id, "code": c, "n": n} for c, n in counts.items()])
        if facts.keywords:
            self.sql.run(_INSERT_KEYWORD, [{"a": article_id, "word": w, "weight": float(weight)}
                                                for w, weight in facts.keywords])

    def replace_attachment_facts(self, article_id: int | None, attachment_id: int, facts: Any,
                                 segments: dict[str, str] | None = None) -> None:
        """An attachment's facts, replaced as a whole (its article's own facts stay)."""
        self.promises.forget(self.sql.rows(_ATTACHMENT_TARGET_GROUPS, {"att": attachment_id}))
        for statement in _DELETE_ATTACHMENT_FACTS:
            self.sql.run(statement, {"att": attachment_id})
        if article_id is not None and facts is not None:
            self.add_policies_and_targets(article_id, attachment_id, facts, segments)
            after_attachment_written(self.conn, article_id, self.promises)

    def add_policies_and_targets(self, article_id: int, attachment_id: int | None, facts: Any,
                                 segments: dict[str, str] | None = None) -> None:
        policy_ids: dict[str, int] = {}
        mentions = []
        for policy in facts.policies:
            policy_id = self._upsert_policy(policy, article_id, segments)
            policy_ids[policy.title] = policy_id
            for start, end in policy.spans or [(None, None)]:
                mentions.append({"p": policy_id, "a": article_id, "att": attachment_id, "s": start, "e": end})
        if mentions:
            self.sql.run(_INSERT_MENTION, mentions)
        rows = []
        for t in facts.targets:
            value, value_max = stored_number(t.value), stored_number(t.value_max)
            if value is None or (t.value_max is not None and value_max is None):
                logger.warning("target of article %s skipped: its value has over %d digits", article_id,
                               MAX_TARGET_DIGITS)
                continue
            rows.append({
                "a": article_id, "att": attachment_id,
                "policy_id": policy_ids.get(t.policy_title) if t.policy_title else None,
                "region": t.region, "region_code": region_code(t.region, self.lookup_region), "year": t.year,
                "metric": t.metric, "value": value, "value_max": value_max,
                "unit": t.unit, "qualifier": t.qualifier, "text": t.text, "span_start": t.start, "span_end": t.end,
            })
        if rows:
            self.sql.run(_INSERT_TARGET, rows)

    def _upsert_policy(self, policy: Any, article_id: int, segments: dict[str, str] | None = None) -> int:
        """One row per document: fields missing so far are filled from this mention, with their source kept."""
        from extract.policy_identity import POLICY_FIELDS, merge_policy_fields, policy_key

        norm = policy_key(policy.title)  # one row per document however the title is written
        row = self.sql.first(self._select_policy, {"n": norm})
        stored = (dict(zip(("id", "field_sources", *_POLICY_COLUMNS, "title"), row, strict=True))
                  if row is not None else {})
        current = {f: stored.get(f) for f in POLICY_FIELDS}
        before = json_dict(stored.get("field_sources"))
        incoming = {f: getattr(policy, f) for f in POLICY_FIELDS}
        values, sources = merge_policy_fields(current, before, incoming, article_id)
        self._earliest_report_wins(current, before, incoming, values, sources, article_id)
        # Of the spellings of its title, a policy shows the smallest (ASCII punctuation before full-width): the
        # same one whatever report came first.
        title_changes = row is not None and policy.title < stored["title"]
        current.update(values)
        params = {**{f: current.get(f) for f in _POLICY_COLUMNS},
                  "region_code": region_code(current.get("region"), self.lookup_region),
                  "field_sources": _json_text(sources)}
        if row is None:
            policy_id = self.sql.scalar(_INSERT_POLICY, {**params, "title": policy.title, "n": norm})
            index_policy(self.sql.target, policy_id, policy.title, segments)
        else:
            policy_id = stored["id"]
            self.sql.run(_UPDATE_POLICY, {**params, "id": policy_id})
            if title_changes:
                self.sql.run(_UPDATE_POLICY_TITLE, {"title": policy.title, "id": policy_id})
                index_policy(self.sql.target, policy_id, policy.title, segments)
        write_policy_number(self.sql, policy_id, current.get("doc_number"))
        return policy_id


    def _earliest_report_wins(self, current: dict[str, Any], before: dict[str, Any], incoming: dict[str, Any],
                              values: dict[str, Any], sources: dict[str, Any], article_id: int) -> None:
        """Where reports disagree on a field, the earliest-published report's value is the policy's, the others
        stay under `conflicts`: the rows are then the same whatever order the reports were stored in (workers
        of a distributed crawl finish in any order; the first stored used to win)."""
        conflicts = sources.get("conflicts", {})
        for field, value in incoming.items():
            have, source = current.get(field), before.get(field)
            if value is None or have is None or value == have or not self._reported_before(article_id, source):
                continue
            values[field], sources[field] = value, article_id
            kept = [e for e in conflicts.get(field, []) if e != {"value": value, "article_id": article_id}]
            conflicts[field] = [*kept, {"value": have, "article_id": source}]
            sources["conflicts"] = conflicts

    def _reported_before(self, article_id: int, other_id: Any) -> bool:
        """Was article `article_id` published before `other_id` (ties: the smaller URL)? False if either is unknown."""
        if not isinstance(other_id, int) or other_id == article_id:
            return False
        mine, theirs = self._report_rank(article_id), self._report_rank(other_id)
        return mine is not None and theirs is not None and mine < theirs

    def _report_rank(self, article_id: int) -> tuple | None:
        if article_id not in self._ranks:
            row = self.sql.first(_REPORT_RANK, {"a": article_id})
            self._ranks[article_id] = None if row is None else (row[0] is None, row[0] or "", row[1])
        return self._ranks[article_id]


def stored_number(value: Any) -> int | float | None:
    """A target's value as the database should hold it: whole numbers as integers (2500000000000, not
    2500000000000.0), None for a value no one writes (over MAX_TARGET_DIGITS digits, NaN, infinite), so that
    one long run of digits costs its target, never the article."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):  # compared, never converted: float() and str() of a 5,000-digit int raise
        return value if -_TARGET_LIMIT < value < _TARGET_LIMIT else None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not -_TARGET_LIMIT < number < _TARGET_LIMIT:  # also False for NaN and the infinities
        return None
    return int(number) if number.is_integer() else number


def region_code(name: str | None, lookup_region: Callable[[str], Any]) -> str | None:
    if not name:
        return None
    if name in NATIONAL:
        return NATIONAL[name]
    region = lookup_region(name)
    return region.code if region else None


def top_region(facts: Any) -> str | None:
    if facts is None or not facts.region_mentions:
        return None
    counts: dict[str, int] = {}
    for m in facts.region_mentions:
        counts[m.code] = counts.get(m.code, 0) + 1
    return max(counts, key=counts.get)
