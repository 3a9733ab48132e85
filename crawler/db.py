"""Opening, creating and migrating the database: the one way to get a usable engine.

SQLite in WAL mode so readers (datasette, analysts) never block the crawl and a killed crawl leaves a
consistent file; the schema version lives in `PRAGMA user_version`. `--db postgresql://…` opens the shared
database of distributed crawls instead: same models, differences in crawler/dialect.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text

from crawler import dialect
from crawler.models import SCHEMA_VERSION, Base, RegionRow

logger = logging.getLogger(__name__)


class DatabaseError(Exception):
    """The database cannot be opened or migrated (exit code 3)."""


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
}


def _migrations() -> dict[int, Callable[[Engine], None]]:
    """Steps from version N-1 to N. Version 1 is the first schema."""
    return {2: _add_incremental_columns, 3: _add_stories_and_consolidation}


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
        advice = dialect.open_advice(engine, exc)
        raise DatabaseError(f"cannot open {dialect.display(db_path)}: {exc}; {advice}") from exc
    return engine


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
    with engine.begin() as conn:
        dialect.create_views(conn, VIEWS)
        if dialect.is_sqlite(conn):
            from crawler.search_index import create_search_schema

            create_search_schema(conn)
            from crawler.consolidate import create_consolidation_schema

            create_consolidation_schema(conn)
        dialect.set_schema_version(conn, SCHEMA_VERSION)
    _load_regions(engine)


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
