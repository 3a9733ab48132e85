"""SQLite or PostgreSQL: every difference between the two databases the crawler writes, in one place.

The models, the store and the migrations are the same code on both. What differs:

- where the schema version lives (`PRAGMA user_version` on SQLite, a one-row table on PostgreSQL);
- string lengths: SQLite never enforced `VARCHAR(n)` and the crawler relies on it (a 300-character 来源 line, a
  long error kind), so on PostgreSQL our `String(n)` columns are created as plain `VARCHAR` — the same behaviour,
  no truncation errors in the middle of a crawl;
- "insert unless present" (`INSERT OR IGNORE` / `ON CONFLICT DO NOTHING`), through SQLAlchemy's dialect inserts;
- Chinese search (FTS5 over jieba tokens) exists only on the SQLite side: it is built when the SQLite file is
  written (`policycrawl export`), never on the shared PostgreSQL;
- many writers: on PostgreSQL several workers write at once, so schema work is serialised by an advisory lock,
  and a transaction that lost a race (two workers inserting the same policy, a deadlock) is run again.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, String, Table, create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.ext.compiler import compiles

logger = logging.getLogger(__name__)

SERVER_SCHEMES = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}
VERSION_TABLE = "policycrawl_schema"  # PostgreSQL only: one row, the schema version
SCHEMA_LOCK_KEY = 0x706F6C6963790001  # pg_advisory_lock key for schema work ("policy" + 1)
# SQLSTATEs of a transaction that lost a race with another writer and can simply be run again.
RETRYABLE_SQLSTATES = {"23505": "unique_violation", "40001": "serialization_failure", "40P01": "deadlock_detected"}
CONFLICT_RETRIES = 6

_T = TypeVar("_T")


@compiles(String, "postgresql")
def _unbounded_varchar(type_: String, compiler: Any, **kw: Any) -> str:
    """`String(n)` → `VARCHAR` on PostgreSQL: SQLite stores any length, PostgreSQL must too."""
    if type(type_) is String:
        return "VARCHAR"
    return compiler.visit_string(type_, **kw)


# --- URLs ---------------------------------------------------------------------------------------------------
def is_url(value: str | Path) -> bool:
    return isinstance(value, str) and "://" in value


def database_url(value: str | Path) -> URL:
    """A SQLAlchemy URL for `--db`: a file path (SQLite), `sqlite:///…` or `postgresql://…` (psycopg 3)."""
    if not is_url(value):
        return URL.create("sqlite", database=str(value))
    try:
        url = make_url(str(value))
    except ArgumentError as exc:
        raise ValueError(f"{value!r} is not a database URL like postgresql://user@host:5432/policy") from exc
    if url.drivername in SERVER_SCHEMES:
        url = url.set(drivername=SERVER_SCHEMES[url.drivername])
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"{url.get_backend_name()} is not supported; use a SQLite file or postgresql://…")
    return url


def display(value: str | Path) -> str:
    """What may be printed or stored (crawl_runs.options, messages): the URL without its password."""
    if not is_url(value):
        return str(value)
    try:
        return make_url(str(value)).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unreadable database URL>"


def is_sqlite(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "sqlite"


def has_search_index(bind: Engine | Connection) -> bool:
    """Whether the jieba/FTS5 search tables are kept up to date while writing (SQLite only)."""
    return is_sqlite(bind)


_server_engines: dict[str, Engine] = {}


def server_engine(url: URL) -> Engine:
    """One pooled engine per server URL and process: a worker's per-site stores share its connections."""
    key = url.render_as_string(hide_password=False)
    engine = _server_engines.get(key)
    if engine is None:
        engine = create_engine(url, pool_pre_ping=True, connect_args={"application_name": "policycrawl"})
        _server_engines[key] = engine
    return engine


def dispose_server_engine(value: str) -> None:
    """Close this process's pooled connections to a server database (before it is dropped or moved)."""
    engine = _server_engines.pop(database_url(value).render_as_string(hide_password=False), None)
    if engine is not None:
        engine.dispose()


def open_advice(bind: Engine, exc: BaseException) -> str:
    """What to do when the database cannot be opened or migrated."""
    if is_sqlite(bind):
        return "check the path or remove a corrupt file"
    if isinstance(exc, OperationalError):
        return ("check that PostgreSQL is running and the URL is right (user, password, host, port, database); "
                "create the database first: createdb -h HOST -U USER NAME")
    return "its schema could not be created or migrated; restore a backup or point --db at another database"


# --- schema version and schema work -----------------------------------------------------------------------
def schema_version(conn: Connection) -> int:
    if is_sqlite(conn):
        return int(conn.execute(text("PRAGMA user_version")).scalar_one())
    conn.execute(text(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version integer NOT NULL)"))
    return int(conn.execute(text(f"SELECT COALESCE(MAX(version), 0) FROM {VERSION_TABLE}")).scalar_one())


def set_schema_version(conn: Connection, version: int) -> None:
    if is_sqlite(conn):
        conn.execute(text(f"PRAGMA user_version={int(version)}"))
        return
    conn.execute(text(f"DELETE FROM {VERSION_TABLE}"))
    conn.execute(text(f"INSERT INTO {VERSION_TABLE} (version) VALUES (:v)"), {"v": int(version)})


@contextlib.contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    """Serialise schema work between processes: PostgreSQL workers starting together would race on CREATE TABLE.

    SQLite needs nothing: a writer there holds the whole file.
    """
    if is_sqlite(engine):
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SCHEMA_LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SCHEMA_LOCK_KEY})
            conn.commit()


def column_names(conn: Connection, table: str) -> set[str]:
    """The columns a table has now (migrations add the missing ones)."""
    return {c["name"] for c in inspect(conn).get_columns(table)}


def create_views(conn: Connection, views: dict[str, str]) -> None:
    """(Re)create the analyst views. On PostgreSQL a view written with a SQLite-only function is skipped with a
    warning (the SQLite export has every view); a savepoint keeps the rest of the transaction usable."""
    for name, sql in views.items():
        if is_sqlite(conn):
            # Python's sqlite3 commits DDL on its own, so DROP and CREATE are two moments: a reader (datasette)
            # in between gets "no such table". Every store opens the database; an unchanged view is left alone.
            current = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = :name"),
                                   {"name": name}).scalar()
            if current == f"CREATE VIEW {name} AS {sql}":
                continue
            conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
            conn.execute(text(f"CREATE VIEW {name} AS {sql}"))
            continue
        try:
            with conn.begin_nested():
                conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
                conn.execute(text(f"CREATE VIEW {name} AS {sql}"))
        except DBAPIError as exc:
            if name not in _views_skipped:  # once per process: every store of a worker opens the database
                _views_skipped.add(name)
                logger.info("view %s is SQLite-only, not created on PostgreSQL (the export has it): %s",
                            name, str(exc.orig).splitlines()[0])


_views_skipped: set[str] = set()


def insert_ignoring_duplicates(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT OR IGNORE (SQLite) / INSERT … ON CONFLICT DO NOTHING (PostgreSQL)."""
    if not rows:
        return
    if is_sqlite(conn):
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    conn.execute(insert(table).on_conflict_do_nothing(), rows)


# --- many writers -----------------------------------------------------------------------------------------
def lost_race(exc: BaseException) -> str | None:
    """The reason when `exc` is a transaction that lost a race with another writer (worth running again)."""
    if not isinstance(exc, DBAPIError):
        return None
    return RETRYABLE_SQLSTATES.get(getattr(exc.orig, "sqlstate", None) or "")


def retry_lost_races(method: Callable[..., _T]) -> Callable[..., _T]:
    """Run a Store method (one transaction) again when it lost a race with another worker.

    Two workers that store articles mentioning the same new policy both insert it; the second gets a unique
    violation and, run again, finds the row. Deadlocks between row locks end the same way. Cached ids of rows
    written by the failed attempt are forgotten (`forget_uncommitted`), since its transaction was rolled back.
    """

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> _T:
        for attempt in range(1, CONFLICT_RETRIES + 1):
            try:
                return method(self, *args, **kwargs)
            except DBAPIError as exc:
                reason = lost_race(exc)
                if reason is None or attempt == CONFLICT_RETRIES:
                    raise
                logger.info("%s lost a race (%s), attempt %d", method.__name__, reason, attempt)
                forget = getattr(self, "forget_uncommitted", None)
                if forget is not None:
                    forget()
                time.sleep(random.uniform(0.01, 0.05) * attempt)
        raise AssertionError("unreachable")

    return run


def sqlite_only(write: Callable[..., _T]) -> Callable[..., _T | None]:
    """`write(conn, …)` on a SQLite connection; nothing on PostgreSQL, where the SQLite export builds the
    derived tables (Chinese search, stories, consolidated targets) from the copied rows."""

    @functools.wraps(write)
    def on_sqlite(conn: Any, *args: Any, **kwargs: Any) -> _T | None:
        if isinstance(conn, Connection) and not is_sqlite(conn):
            return None
        return write(conn, *args, **kwargs)

    return on_sqlite


# --- the store's hot path -----------------------------------------------------------------------------------
class Sql:
    """Plain SQL with `:name` parameters on the connection of a SQLAlchemy transaction.

    On SQLite the statements go straight to the sqlite3 connection underneath (same transaction, same
    savepoints): SQLAlchemy's per-statement work cost more than SQLite's own for the store's small statements,
    tens of which are run per article. On PostgreSQL they go through `text()` as usual. Rows are tuples.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.sqlite = is_sqlite(conn)
        self._raw = conn.connection.driver_connection if self.sqlite else None
        self._texts: dict[str, Any] = {}

    @property
    def target(self) -> Any:
        """What crawler.search_index writes through: the sqlite3 connection, or the SQLAlchemy one."""
        return self._raw if self._raw is not None else self.conn

    def run(self, sql: str, params: dict[str, Any] | list[dict[str, Any]]) -> None:
        """One statement, or one per row of `params` (a list: executemany)."""
        if isinstance(params, list):
            if not params:
                return
            if self._raw is not None:
                self._raw.executemany(sql, params)
            else:
                self.conn.execute(self._text(sql), params)
        elif self._raw is not None:
            self._raw.execute(sql, params)
        else:
            self.conn.execute(self._text(sql), params)

    def rows(self, sql: str, params: dict[str, Any]) -> list[tuple]:
        if self._raw is not None:
            return self._raw.execute(sql, params).fetchall()
        return [tuple(r) for r in self.conn.execute(self._text(sql), params)]

    def first(self, sql: str, params: dict[str, Any]) -> tuple | None:
        if self._raw is not None:
            rows = self._raw.execute(sql, params).fetchall()  # to the end: an INSERT … RETURNING completes
            return rows[0] if rows else None
        row = self.conn.execute(self._text(sql), params).first()
        return tuple(row) if row is not None else None

    def scalar(self, sql: str, params: dict[str, Any]) -> Any:
        row = self.first(sql, params)
        return row[0] if row is not None else None

    def stamp(self) -> tuple[int, int] | None:
        """(this connection, its data_version) on SQLite: the version changes when another connection commits,
        so caches of the database's content taken under one stamp are valid while it holds. None elsewhere."""
        if self._raw is None:
            return None
        return id(self._raw), self._raw.execute("PRAGMA data_version").fetchone()[0]

    def _text(self, sql: str) -> Any:
        if sql not in self._texts:
            self._texts[sql] = text(sql)
        return self._texts[sql]
