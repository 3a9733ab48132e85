"""Opening, creating and migrating the database: the one way to get a usable engine.

SQLite in WAL mode so readers (datasette, analysts) never block the crawl and a killed crawl leaves a
consistent file; the schema version lives in `PRAGMA user_version`. `--db postgresql://…` opens the shared
database of distributed crawls instead: same models, differences in crawler/dialect.py.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text

from crawler import dialect
from crawler.doc_links import backfill_doc_numbers
from crawler.logging_setup import mask_credentials
from crawler.models import SCHEMA_VERSION, Base, RegionRow

logger = logging.getLogger(__name__)


class DatabaseError(Exception):
    """The database cannot be opened or migrated (exit code 3)."""


class StorageFull(DatabaseError):
    """The disk (or filesystem) holding the database is full, or will not be written (exit code 3)."""


def driver_message(exc: BaseException) -> str:
    """The database's own sentence, without SQLAlchemy's statement echo and its "Background on this error at
    https://sqlalche.me/…" footer."""
    inner = getattr(exc, "orig", None) or exc
    return mask_credentials(str(inner).strip().split("\n", 1)[0])


def _read_only_folder(path: Path) -> bool:
    folder = path.parent if not path.is_dir() else path
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY) or not os.access(folder, os.W_OK)
    except OSError:
        return False


def storage_problem(db_path: str | Path, exc: BaseException) -> str | None:
    """The sentence for a database that cannot be written because of its disk (full, read-only), or None."""
    message = driver_message(exc).lower()
    codes = {getattr(e, "errno", None) for e in (exc, getattr(exc, "orig", None), exc.__cause__) if e is not None}
    path = Path(str(db_path))
    if "disk is full" in message or errno.ENOSPC in codes:
        return (f"the disk holding {path} is full; free some space (or move --db to a larger disk) and run again: "
                "nothing stored is lost, and the next crawl fetches what this one could not store")
    if "readonly" in message or "read-only" in message or errno.EROFS in codes:
        return (f"{path} cannot be written: it is on a read-only filesystem or in a folder this user cannot write "
                "(SQLite also writes its -wal and -shm files beside it); mount it read-write, or copy it to a "
                "writable folder and pass that as --db")
    return None


def sqlite_open_advice(db_path: str | Path, exc: BaseException) -> str:
    """One sentence that fits why a SQLite file did not open: a folder, a read-only disk, a full disk, not a
    database at all, locked — never "remove a corrupt file" for a file that is fine."""
    path = Path(str(db_path))
    message = driver_message(exc)
    if path.is_dir():
        return f"{path} is a folder, not a database file; pass a file path such as --db {path / 'policy.db'}"
    problem = storage_problem(path, exc)
    if problem is None and _read_only_folder(path):
        problem = storage_problem(path, OSError(errno.EROFS, "read-only"))
    if problem:
        return problem
    lowered = message.lower()
    if "not a database" in lowered or "malformed" in lowered:
        return (f"cannot open {path}: it is not a SQLite database or is damaged ({message}); move it away to "
                "start a new database there, or restore a backup")
    if "locked" in lowered:
        return f"cannot open {path}: another process holds it locked ({message}); wait for it to finish and run again"
    return f"cannot open {path} ({message}); check that the path is right and its folder exists"


# Views an analyst can query directly; recreated on every open so they follow the code.
VIEWS: dict[str, str] = {
    "v_targets": """
        SELECT t.id, t.region, t.region_code, t.year, t.metric, t.value, t.value_max, t.unit, t.qualifier,
               t.text, t.attachment_id, p.title AS policy_title, p.doc_type AS policy_type, a.title AS article_title,
               a.url AS article_url, a.published_at, s.name AS site
        FROM targets t
        JOIN articles a ON a.id = t.article_id
        LEFT JOIN policies p ON p.id = t.policy_id
        LEFT JOIN sites s ON s.id = a.site_id""",
    "v_policies": """
        SELECT p.id, p.title, p.issuer, p.region, p.region_code, p.issued_on, p.doc_number,
               p.period_start, p.period_end, p.doc_type, p.status,
               COUNT(DISTINCT m.article_id) AS articles
        FROM policies p LEFT JOIN policy_mentions m ON m.policy_id = p.id
        GROUP BY p.id""",
    "v_articles": """
        SELECT a.id, s.name AS site, a.title, a.published_at, a.source, a.language, a.url,
               a.doc_number, a.issuer, r.name AS region
        FROM articles a LEFT JOIN sites s ON s.id = a.site_id LEFT JOIN regions r ON r.code = a.region_code""",
    # One row per (policy, article that names it); which merged fields that article gave, which it disputes.
    "v_policy_sources": """
        SELECT p.id AS policy_id, p.title, p.issuer, p.region, p.issued_on, p.doc_number, p.status,
               a.id AS article_id, a.title AS article_title, a.published_at, s.name AS site, a.story_id,
               COUNT(m.id) AS mentions, MAX(m.attachment_id IS NOT NULL) AS in_attachment,
               (SELECT GROUP_CONCAT(f.key) FROM json_each(COALESCE(p.field_sources, '{}')) f
                 WHERE f.type = 'integer' AND f.value = a.id) AS fields_given,
               (SELECT GROUP_CONCAT(DISTINCT c.key) FROM json_each(COALESCE(p.field_sources, '{}'), '$.conflicts') c,
                       json_each(c.value) e WHERE json_extract(e.value, '$.article_id') = a.id) AS fields_disputed,
               a.url
        FROM policies p
        JOIN policy_mentions m ON m.policy_id = p.id
        JOIN articles a ON a.id = m.article_id
        LEFT JOIN sites s ON s.id = a.site_id
        GROUP BY p.id, a.id""",
    # One row per consolidated target: how many reports, sites and independent stories carry it, and the
    # values other reports give for the same region, year, metric and policy (a disagreement; two values one
    # article states side by side, such as 充电桩 and 公共充电桩, are two targets, not a disagreement).
    "v_target_consensus": """
        SELECT *, disagreeing_values IS NOT NULL AS disagreement FROM (
        SELECT c.id, c.region, c.region_code, c.year, c.metric, c.value, c.value_max, c.unit, c.qualifier,
               c.policy_id, p.title AS policy_title,
               COUNT(DISTINCT COALESCE(a.story_id, -a.id)) AS independent_sources,
               COUNT(DISTINCT a.site_id) AS sites,
               COUNT(DISTINCT t.article_id) AS articles,
               GROUP_CONCAT(DISTINCT s.name) AS site_names,
               MIN(a.published_at) AS first_reported,
               (SELECT GROUP_CONCAT(o.value || COALESCE('-' || o.value_max, '') || ' ' || o.unit
                                    || ' (#' || o.id || ')', '; ')
                  FROM consolidated_targets o
                 WHERE c.region_code IS NOT NULL AND c.year IS NOT NULL
                   AND o.region_code = c.region_code AND o.year = c.year AND o.unit = c.unit
                   AND o.metric_key = c.metric_key AND o.amount_key != c.amount_key AND o.id != c.id
                   AND (o.policy_id IS NULL OR c.policy_id IS NULL OR o.policy_id = c.policy_id)
                   AND NOT EXISTS (SELECT 1 FROM targets t1 JOIN targets t2 ON t2.article_id = t1.article_id
                                   WHERE t1.consolidated_id = c.id AND t2.consolidated_id = o.id)
               ) AS disagreeing_values
        FROM consolidated_targets c
        JOIN targets t ON t.consolidated_id = c.id
        JOIN articles a ON a.id = t.article_id
        LEFT JOIN sites s ON s.id = a.site_id
        LEFT JOIN policies p ON p.id = c.policy_id
        GROUP BY c.id)""",
    # One row per 发文字号 series (issuer code, year): the serials seen (a document we hold, a policy named with
    # its number, or a number cited), how many we hold, the largest, the holes below it (as ranges, 4,6-8) and
    # the share covered; `bar` draws that share, so the table reads as a chart.
    "v_doc_number_series": """
        SELECT issuer_code, year, COUNT(*) AS numbers_seen, SUM(held) AS held, MAX(serial) AS largest,
               MAX(serial) - COUNT(*) AS holes, ROUND(1.0 * COUNT(*) / MAX(serial), 3) AS coverage,
               SUBSTR('████████████████████', 1, CAST(ROUND(20.0 * COUNT(*) / MAX(serial)) AS INTEGER))
               || SUBSTR('░░░░░░░░░░░░░░░░░░░░', 1, 20 - CAST(ROUND(20.0 * COUNT(*) / MAX(serial)) AS INTEGER)) AS bar,
               GROUP_CONCAT(serial, ',') AS numbers,
               GROUP_CONCAT(CASE WHEN serial - previous = 2 THEN CAST(previous + 1 AS TEXT)
                                 WHEN serial - previous > 2 THEN (previous + 1) || '-' || (serial - 1) END, ',')
                 AS missing
        FROM (SELECT issuer_code, year, serial, held,
                     LAG(serial, 1, 0) OVER (PARTITION BY issuer_code, year ORDER BY serial) AS previous
              FROM (SELECT issuer_code, year, serial, MAX(source = 'article') AS held FROM doc_numbers
                    GROUP BY issuer_code, year, serial)
              ORDER BY issuer_code, year, serial)
        GROUP BY issuer_code, year""",
    # The citation graph, one row per edge: the citing article, the cited document as written and the article
    # and policy we hold for it (empty when we do not).
    "v_policy_citations": """
        SELECT c.id, c.article_id AS citing_article_id, a.title AS citing_title, a.doc_number AS citing_doc_number,
               a.published_at AS citing_published_at, c.cited_doc_number, c.cited_title,
               c.cited_article_id, b.title AS cited_article_title, b.url AS cited_url,
               c.cited_policy_id, p.title AS cited_policy_title, c.cited_article_id IS NOT NULL AS resolved,
               c.span_start, c.span_end, a.url AS citing_url
        FROM policy_citations c
        JOIN articles a ON a.id = c.article_id
        LEFT JOIN articles b ON b.id = c.cited_article_id
        LEFT JOIN policies p ON p.id = c.cited_policy_id""",
    # One row per stored document: when we first saw it, the site's last answer (policycrawl revisit), since
    # when it is gone, where it moved, how often its text changed. Never revisited: status empty.
    "v_document_status": """
        SELECT a.id AS article_id, s.name AS site, a.title, a.doc_number, a.published_at,
               (SELECT MIN(v.seen_at) FROM article_versions v WHERE v.article_id = a.id) AS first_seen,
               d.status, d.checked_at, d.last_alive_at, d.gone_since, d.moved_to,
               COALESCE(d.changes, 0) AS changes,
               (SELECT COUNT(*) FROM article_versions v WHERE v.article_id = a.id) AS versions,
               d.http_status, d.detail, a.url
        FROM articles a
        LEFT JOIN document_status d ON d.article_id = a.id
        LEFT JOIN sites s ON s.id = a.site_id""",
}


def _migrations() -> dict[int, Callable[[Engine], None]]:
    """Steps from version N-1 to N. Version 1 is the first schema."""
    return {2: _add_incremental_columns, 3: _add_stories_and_consolidation, 4: _add_policy_archive}


def _add_columns(engine: Engine, table: str, columns: dict[str, str]) -> None:
    """ALTER TABLE … ADD COLUMN for the columns not there yet (a step may have half-run before a kill)."""
    with engine.begin() as conn:
        have = dialect.column_names(conn, table)  # SQLite and PostgreSQL alike
        for name, sql_type in columns.items():
            if name not in have:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}"))


def _add_incremental_columns(engine: Engine) -> None:
    """2: when a site was last walked to known ground, and when a page was last confirmed (nightly crawls)."""
    _add_columns(engine, "sites", {"walked_at": "VARCHAR(32)"})
    _add_columns(engine, "pages", {"checked_at": "VARCHAR(32)"})


def _add_stories_and_consolidation(engine: Engine) -> None:
    """3: stories, story_bands, consolidated_targets; policies re-keyed; the whole database grouped once."""
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_articles_story ON articles (story_id)"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_targets_consolidated ON targets (consolidated_id)"))
    if dialect.is_sqlite(engine):  # PostgreSQL: the SQLite export groups stories and consolidates (dialect.py)
        from crawler.consolidate import rebuild_all

        rebuild_all(engine)


def _add_policy_archive(engine: Engine) -> None:
    """4: doc_numbers (filled from the stored numbers), policy_citations (filled by reextract), the revisit's
    document_status and liveness_checks, article_versions.diff_chars."""
    _add_columns(engine, "article_versions", {"diff_chars": "INTEGER"})
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_articles_title ON articles (title)"))
        backfill_doc_numbers(conn)


def _on_connect(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # Checkpoint the WAL every ~16 MB rather than 4 MB: a crawl rewrites the same index and FTS pages batch
    # after batch, and each checkpoint copied them (and synced the file) again.
    cur.execute("PRAGMA wal_autocheckpoint=4000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(db_path: str | Path) -> Engine:
    """An engine on a SQLite file (creating its folder) or a PostgreSQL URL (crawler/dialect.py); no schema work."""
    if dialect.is_url(db_path):
        try:
            url = dialect.database_url(db_path)
        except ValueError as exc:
            raise DatabaseError(f"{exc}; pass a file path or postgresql://user@host:5432/NAME as --db") from exc
        if url.get_backend_name() != "sqlite":
            return dialect.server_engine(url)
        db_path = url.database or ""
    path = Path(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"cannot create the folder of {path}: {exc.strerror}; choose another --db") from exc
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _on_connect)
    return engine


def open_database(db_path: str | Path) -> Engine:
    """Open (creating or migrating as needed) the database at `db_path`; raise DatabaseError with advice."""
    engine = make_engine(db_path)
    try:
        with dialect.schema_lock(engine):  # PostgreSQL: workers starting together take turns
            _prepare_schema(engine, db_path)
    except DatabaseError:
        raise
    except Exception as exc:  # sqlite3.DatabaseError: not a database, locked, read-only; a server that refuses …
        engine.dispose()
        if dialect.is_sqlite(engine):
            raise (StorageFull if storage_problem(_file_of(db_path), exc) else DatabaseError)(
                sqlite_open_advice(_file_of(db_path), exc)) from exc
        advice = dialect.open_advice(engine, exc)
        raise DatabaseError(f"cannot open {dialect.display(db_path)}: {driver_message(exc)}; {advice}") from exc
    return engine


def _file_of(db_path: str | Path) -> str:
    """The file of `--db` (a path, or a sqlite:/// URL)."""
    text_ = str(db_path)
    return text_[len("sqlite:///"):] if text_.startswith("sqlite:///") else text_


def _prepare_schema(engine: Engine, db_path: str | Path) -> None:
    """Create or migrate the schema and the views, then (SQLite only) the search and consolidation triggers.

    On PostgreSQL the derived tables (Chinese search, stories, consolidation) are built by the SQLite export.
    """
    with engine.begin() as conn:
        version = dialect.schema_version(conn)
        if version > SCHEMA_VERSION:
            raise DatabaseError(
                f"{dialect.display(db_path)} has schema version {version}, newer than this policy-crawler "
                f"({SCHEMA_VERSION}); upgrade policy-crawler or use another --db"
            )
    if version == 0:
        Base.metadata.create_all(engine)
    else:
        for step in range(version + 1, SCHEMA_VERSION + 1):
            logger.warning("migrating %s from schema %d to %d", dialect.display(db_path), step - 1, step)
            _migrations()[step](engine)
        Base.metadata.create_all(engine)  # new tables of this version
    if not dialect.is_sqlite(engine):
        _widen_story_hashes(engine)
    with engine.begin() as conn:
        dialect.create_views(conn, VIEWS)
        if dialect.is_sqlite(conn):
            from crawler.search_index import create_search_schema

            create_search_schema(conn)
            from crawler.consolidate import create_consolidation_schema

            create_consolidation_schema(conn)
        dialect.set_schema_version(conn, SCHEMA_VERSION)
    _load_regions(engine)


def _widen_story_hashes(engine: Engine) -> None:
    """PostgreSQL: a story band's hash is a 63-bit integer (extract/stories.py), which SQLite's INTEGER holds and
    PostgreSQL's does not; widened to BIGINT once, so `policycrawl stories` can group articles there too."""
    with engine.begin() as conn:
        kind = conn.execute(text(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'story_bands' AND column_name = 'hash' "
            "AND table_schema = current_schema()")).scalar()
        if kind == "integer":
            conn.execute(text("ALTER TABLE story_bands ALTER COLUMN hash TYPE BIGINT"))


def _load_regions(engine: Engine) -> None:
    """Fill the division table from the package data once (it is data, not code)."""
    with engine.begin() as conn:
        if conn.execute(text("SELECT COUNT(*) FROM regions")).scalar_one():
            return
        try:
            from extract.regions import all_regions
        except ImportError:  # the regions module is optional for storage tests
            return
        rows = [
            {"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code} for r in all_regions()
        ]
        rows.append({"code": "100000", "name": "全国", "level": "country", "parent_code": None})
        dialect.insert_ignoring_duplicates(conn, RegionRow.__table__, rows)
