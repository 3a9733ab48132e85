"""Opening, creating and migrating the database: the one way to get a usable engine.

SQLite in WAL mode so readers (datasette, analysts) never block the crawl and a killed crawl leaves a
consistent file; the schema version lives in `PRAGMA user_version`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text

from crawler.models import SCHEMA_VERSION, Base

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
}


def _migrations() -> dict[int, Callable[[Engine], None]]:
    """Steps from version N-1 to N. Version 1 is the first schema: nothing to migrate from yet."""
    return {}


def _on_connect(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(db_path: str | Path) -> Engine:
    """An engine on a SQLite file, creating its folder; no schema work."""
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
        with engine.begin() as conn:
            version = conn.execute(text("PRAGMA user_version")).scalar_one()
            if version > SCHEMA_VERSION:
                raise DatabaseError(
                    f"{db_path} has schema version {version}, newer than this policy-crawler ({SCHEMA_VERSION}); "
                    "upgrade policy-crawler or use another --db"
                )
        if version == 0:
            Base.metadata.create_all(engine)
        else:
            for step in range(version + 1, SCHEMA_VERSION + 1):
                logger.warning("migrating %s from schema %d to %d", db_path, step - 1, step)
                _migrations()[step](engine)
            Base.metadata.create_all(engine)  # new tables of this version
        with engine.begin() as conn:
            for name, sql in VIEWS.items():
                conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
                conn.execute(text(f"CREATE VIEW {name} AS {sql}"))
            from crawler.search_index import create_search_schema

            create_search_schema(conn)
            conn.execute(text(f"PRAGMA user_version={SCHEMA_VERSION}"))
        _load_regions(engine)
    except DatabaseError:
        raise
    except Exception as exc:  # sqlite3.DatabaseError: not a database, locked, read-only …
        raise DatabaseError(f"cannot open {db_path}: {exc}; check the path or remove a corrupt file") from exc
    return engine


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
        if rows:
            conn.execute(
                text(
                    "INSERT OR IGNORE INTO regions (code, name, level, parent_code) "
                    "VALUES (:code, :name, :level, :parent_code)"
                ),
                rows,
            )
