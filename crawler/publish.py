"""Publishing the database with datasette: our metadata, settings and the Chinese-search plugin, in one place.

`policycrawl serve` calls `serve()`; tests call `datasette_app()`. The same files work with datasette's own CLI:

    datasette data/policy.db -m crawler/datasette/metadata.yaml --plugins-dir crawler/datasette/plugins \
        --template-dir crawler/datasette/templates
"""

from __future__ import annotations

import json
import logging
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

DATASETTE_DIR = Path(__file__).resolve().parent / "datasette"
METADATA_PATH = DATASETTE_DIR / "metadata.yaml"
SETTINGS_PATH = DATASETTE_DIR / "settings.json"
PLUGINS_DIR = DATASETTE_DIR / "plugins"
TEMPLATES_DIR = DATASETTE_DIR / "templates"  # the database and home pages also list what each table is for
DEFAULT_DATABASE_NAME = "policy"  # data/policy.db; the metadata file is written for this name


class PublishError(Exception):
    """The database cannot be served (the CLI turns this into a one-sentence message)."""


@lru_cache(maxsize=1)
def _metadata_file() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(METADATA_PATH.read_text(encoding="utf-8"))


def metadata(database: str = DEFAULT_DATABASE_NAME) -> dict[str, Any]:
    """The datasette metadata, with the database section under the name datasette will give `database`."""
    meta = json.loads(json.dumps(_metadata_file()))  # a deep copy: datasette may keep and mutate it
    if database != DEFAULT_DATABASE_NAME:
        meta["databases"] = {database: meta["databases"].pop(DEFAULT_DATABASE_NAME)}
        meta["description_html"] = meta["description_html"].replace(
            f"/{DEFAULT_DATABASE_NAME}/", f"/{database}/"
        )
    return meta


def settings() -> dict[str, Any]:
    """Datasette settings (page size, time limits, cell truncation for the long texts)."""
    return json.loads(SETTINGS_PATH.read_text(encoding="utf-8"))


def ensure_search_index(db_path: str | Path) -> None:
    """Create the Chinese search tables if this database predates them (filling them once)."""
    from crawler.search_index import create_search_schema

    conn = sqlite3.connect(str(db_path))
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        with conn:
            create_search_schema(conn)
    finally:
        conn.close()


def datasette_app(db_path: str | Path) -> Any:
    """A `datasette.app.Datasette` over `db_path` with our metadata, settings and plugin."""
    from datasette.app import Datasette

    path = Path(db_path)
    if not path.is_file():
        raise PublishError(f"{path} does not exist; run `policycrawl crawl --sample --db {path}` first")
    return Datasette(
        files=[str(path)],
        metadata=metadata(path.stem),
        settings=settings(),
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
    )


def serve(db_path: str | Path, port: int = 8001, host: str = "127.0.0.1") -> None:
    """Serve the database until interrupted (what `datasette serve` does, with our configuration)."""
    import uvicorn

    if not Path(db_path).is_file():
        raise PublishError(f"{db_path} does not exist; run `policycrawl crawl --sample --db {db_path}` first")
    try:
        ensure_search_index(db_path)
    except sqlite3.Error as exc:
        raise PublishError(f"cannot prepare {db_path} for search: {exc}; check the path") from exc
    ds = datasette_app(db_path)
    logger.warning("serving %s on http://%s:%d/", db_path, host, port)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
