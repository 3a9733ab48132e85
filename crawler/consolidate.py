"""One row per fact however many reports repeat it: consolidated targets, and policies merged by identity.

Targets. The same promise is the same region, deadline year, unit and amount (value and upper bound), with
metrics that name the same thing (equal after folding, one containing the other, or character-bigram Dice of at
least 0.5, the FACTS.md matching rule) and no two different policies behind it. Every `targets` row points to
its `consolidated_targets` row; the view `v_target_consensus` counts the reports behind each (articles, sites,
and independent sources = distinct stories: a report and its syndicated copies count once) and lists the other
values that reports give for the same region, year, metric and policy (a disagreement). A consolidated target
disappears with its last report (trigger below), so re-extraction never leaves orphans.

Policies. `policies.norm_title` is `extract.policy_identity.policy_key`; `merge_duplicate_policies` re-keys a
database written with an older key and folds rows that now share a key into one, with their mentions, targets
and field sources (conflicts kept).
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text

from crawler.dialect import Sql

logger = logging.getLogger(__name__)

SCHEMA_SQL = (
    # A consolidated target lives as long as one targets row points to it.
    """CREATE TRIGGER IF NOT EXISTS targets_consolidated_ad AFTER DELETE ON targets
       WHEN old.consolidated_id IS NOT NULL BEGIN
         DELETE FROM consolidated_targets WHERE id = old.consolidated_id
           AND NOT EXISTS (SELECT 1 FROM targets WHERE consolidated_id = old.consolidated_id);
       END""",
    """CREATE TRIGGER IF NOT EXISTS targets_consolidated_au AFTER UPDATE OF consolidated_id ON targets
       WHEN old.consolidated_id IS NOT NULL AND old.consolidated_id IS NOT new.consolidated_id BEGIN
         DELETE FROM consolidated_targets WHERE id = old.consolidated_id
           AND NOT EXISTS (SELECT 1 FROM targets WHERE consolidated_id = old.consolidated_id);
       END""",
)

_METRIC_FOLD_RE = re.compile(r"[\s“”‘’\"'「」『』]")


def create_consolidation_schema(conn: Connection) -> None:
    for sql in SCHEMA_SQL:
        conn.exec_driver_sql(sql)


def metric_key(metric: str | None) -> str:
    return _METRIC_FOLD_RE.sub("", metric or "").upper()


def amount_key(value: float, value_max: float | None) -> str:
    """Value and upper bound to 9 significant digits: 1.1万 parsed twice never differs by float noise."""
    return f"{float(value):.9g}|" + ("" if value_max is None else f"{float(value_max):.9g}")


@functools.lru_cache(maxsize=16384)  # a crawl compares the same few hundred metric names over and over
def same_metric(a: str | None, b: str | None) -> bool:
    from extract.scoring import metrics_overlap

    return metric_key(a) == metric_key(b) or metrics_overlap(a, b)


def _policies_compatible(a: int | None, b: int | None) -> bool:
    return a is None or b is None or a == b


class _Group:
    """The promises of one (region, year, unit), indexed the two ways consolidation asks: by amount, and by
    (metric key, metric) in order of first appearance (to pick the key a new promise shares)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.by_amount: dict[str, list[dict[str, Any]]] = {}
        self.metrics: dict[tuple[str, str], None] = {}
        for row in rows:
            self.add(row)

    def add(self, row: dict[str, Any]) -> None:
        self.by_amount.setdefault(row["amount_key"], []).append(row)
        self.metrics.setdefault((row["metric_key"], row["metric"]), None)


class PromiseCache:
    """The consolidated targets of one (region, year, unit), read once instead of once per target: articles
    share a few such groups. The store keeps one per writer and `check`s it at the start of every transaction:
    valid while no other connection has committed (SQLite's data_version), no targets row was deleted (a
    trigger may then drop promises) and no transaction was rolled back; `clear` otherwise."""

    def __init__(self, max_promises: int = 10_000) -> None:
        self._groups: dict[tuple, _Group] = {}
        self._stamp: tuple[int, int] | None = None
        self._cached = 0
        self.max_promises = max_promises  # a few MB: past it the cache starts afresh, memory never grows with the site

    def clear(self) -> None:
        self._groups.clear()
        self._cached = 0
        self._stamp = None

    def added(self, group: _Group, row: dict[str, Any]) -> None:
        """A promise created in this transaction joins its cached group (counted against the bound)."""
        group.add(row)
        self._cached += 1  # past the bound, the next transaction starts afresh (`check`): not now, while
        # promises of this article may still wait to be inserted

    def forget(self, groups: list[tuple]) -> None:
        """Drop these (region code, year, unit) groups: their targets are about to be deleted."""
        for key in groups:
            self._groups.pop(tuple(key), None)

    def check(self, sql: Sql) -> None:
        """At the start of a transaction: forget everything if another connection wrote since last time."""
        stamp = sql.stamp()
        if stamp is None or stamp != self._stamp or self._cached > self.max_promises:
            self._groups.clear()
            self._cached = 0
        self._stamp = stamp

    def group(self, sql: Sql, region_code: str | None, year: int | None, unit: str) -> _Group:
        key = (region_code, year, unit)
        if key not in self._groups:
            rows = sql.rows(_GROUP, {"rc": region_code, "y": year, "u": unit})
            self._groups[key] = _Group([dict(zip(_GROUP_COLUMNS, r, strict=True)) for r in rows])
            self._cached += len(rows)
        return self._groups[key]


_GROUP_COLUMNS = ("id", "metric", "metric_key", "policy_id", "amount_key")
_GROUP = (f"SELECT {', '.join(_GROUP_COLUMNS)} FROM consolidated_targets "
          "WHERE region_code IS :rc AND year IS :y AND unit = :u ORDER BY id")
_INSERT_PROMISE = (
    "INSERT INTO consolidated_targets (id, region, region_code, year, metric, metric_key, value, value_max, unit, "
    "amount_key, qualifier, policy_id) VALUES (:id, :region, :rc, :y, :metric, :mk, :v, :vmax, :u, :ak, :q, :p)"
)


class _NewPromises:
    """Promises created while consolidating one article, inserted together. Their ids are taken after the
    table's largest, as SQLite itself would: consolidation runs on SQLite only, inside a write transaction."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql
        self.rows: list[dict[str, Any]] = []
        self._next: int | None = None

    def add(self, row: dict[str, Any]) -> int:
        if self._next is None:
            self._next = (self.sql.scalar("SELECT MAX(id) FROM consolidated_targets", {}) or 0) + 1
        row["id"], self._next = self._next, self._next + 1
        self.rows.append(row)
        return row["id"]

    def insert(self) -> None:
        self.sql.run(_INSERT_PROMISE, self.rows)
        self.rows = []


def _find_or_create(sql: Sql, t: Any, cache: PromiseCache, new: _NewPromises) -> int:
    """The consolidated target of one targets row (creating it when the promise is new)."""
    group = cache.group(sql, t.region_code, t.year, t.unit)
    amount = amount_key(t.value, t.value_max)
    own_key = metric_key(t.metric)
    for c in sorted(group.by_amount.get(amount, ()), key=lambda c: c["metric_key"] != own_key):
        if _policies_compatible(c["policy_id"], t.policy_id) and (
            c["metric_key"] == own_key or same_metric(c["metric"], t.metric)
        ):
            if c["policy_id"] is None and t.policy_id is not None:
                new.insert()  # the promise may be one of this article's, not inserted yet
                sql.run("UPDATE consolidated_targets SET policy_id = :p WHERE id = :c", {"p": t.policy_id, "c": c["id"]})
                c["policy_id"] = t.policy_id
            return c["id"]
    # A new promise: share the metric key of a promise on the same metric, so disagreements line up.
    key = own_key
    for other_key, other_metric in group.metrics:
        if other_key == own_key or same_metric(other_metric, t.metric):
            key = other_key
            break
    new_id = new.add({"rc": t.region_code, "y": t.year, "u": t.unit, "region": t.region, "metric": t.metric,
                      "mk": key, "v": t.value, "vmax": t.value_max, "ak": amount, "q": t.qualifier, "p": t.policy_id})
    cache.added(group, {"id": new_id, "metric": t.metric, "metric_key": key, "policy_id": t.policy_id,
                        "amount_key": amount})
    return new_id


_TARGET_COLUMNS = ("id", "region", "region_code", "year", "metric", "value", "value_max", "unit", "qualifier",
                   "policy_id")
_UNCONSOLIDATED = (f"SELECT {', '.join(_TARGET_COLUMNS)} FROM targets "
                   "WHERE article_id = :a AND consolidated_id IS NULL ORDER BY id")
_LINK = "UPDATE targets SET consolidated_id = :c WHERE id = :t"


@dataclass
class _Target:
    id: int
    region: str | None
    region_code: str | None
    year: int | None
    metric: str
    value: float
    value_max: float | None
    unit: str
    qualifier: str
    policy_id: int | None


def consolidate_targets(conn: Connection, article_id: int, cache: PromiseCache | None = None) -> int:
    """Link the article's not yet consolidated targets; call in the transaction that wrote them."""
    sql = Sql(conn)
    cache = cache or PromiseCache()
    new = _NewPromises(sql)
    targets = [_Target(*row) for row in sql.rows(_UNCONSOLIDATED, {"a": article_id})]
    links = [{"c": _find_or_create(sql, t, cache, new), "t": t.id} for t in targets]
    new.insert()
    sql.run(_LINK, links)
    return len(targets)


def after_article_written(conn: Connection, article_id: int, print_: Any = None, *, fresh: bool = False,
                          cache: PromiseCache | None = None) -> None:
    """The hook the store calls when an article's text or facts changed: its story, then its targets.
    `print_`, `fresh`: see crawler.stories.assign_story; `cache`: the writing transaction's PromiseCache."""
    from crawler.stories import assign_story

    def step() -> None:
        assign_story(conn, article_id, print_, fresh=fresh)
        consolidate_targets(conn, article_id, cache)

    _guarded(conn, article_id, "story grouping and target consolidation", step, cache)


def after_attachment_written(conn: Connection, article_id: int, cache: PromiseCache | None = None) -> None:
    """The hook the store calls when an attachment's facts were replaced."""
    _guarded(conn, article_id, "target consolidation", lambda: consolidate_targets(conn, article_id, cache), cache)


def _guarded(conn: Connection, article_id: int, what: str, step: Callable[[], object],
             cache: PromiseCache | None = None) -> None:
    """Run `step` in a savepoint: if it fails the article is still stored, without this derived data."""
    try:
        with conn.begin_nested():
            step()
    except Exception:  # noqa: BLE001 - derived tables must never cost the crawl an article
        if cache is not None:
            cache.clear()  # the savepoint's promises were rolled back
        logger.exception("%s skipped for article %d; `policycrawl stories --rebuild` redoes it", what, article_id)


# --- policies ---------------------------------------------------------------------------------------------------

_POLICY_COLUMNS = ("issuer", "region", "region_code", "issued_on", "doc_number", "period_start", "period_end",
                   "doc_type", "status")


def json_dict(value: Any) -> dict:
    """A JSON column as a dict, however it was read (a dict, its text, NULL or something unreadable: {})."""
    if isinstance(value, dict):
        return value
    try:
        return json.loads(value) if value else {}
    except (TypeError, ValueError):
        return {}


def _merge_into(conn: Connection, keep: Any, drop: Any) -> None:
    """Fold policy row `drop` into `keep`: fields merged (conflicts kept), mentions and targets moved."""
    from extract.policy_identity import merge_policy_fields

    current = {f: getattr(keep, f) for f in _POLICY_COLUMNS}
    sources = json_dict(keep.field_sources)
    drop_sources = json_dict(drop.field_sources)
    for field in _POLICY_COLUMNS:
        value = getattr(drop, field)
        if value is None or field == "region_code":
            continue
        current, sources = merge_policy_fields(current, sources, {field: value}, drop_sources.get(field))
    for field, entries in drop_sources.get("conflicts", {}).items():
        for entry in entries:
            current, sources = merge_policy_fields(current, sources, {field: entry.get("value")},
                                                   entry.get("article_id"))
    if keep.region is None and current.get("region") is not None:
        current["region_code"] = drop.region_code  # the region came from the folded row
    sets = ", ".join(f"{f} = :{f}" for f in _POLICY_COLUMNS)
    conn.execute(text(f"UPDATE policies SET {sets}, field_sources = :fs WHERE id = :id"),
                 {**current, "fs": json.dumps(sources, ensure_ascii=False), "id": keep.id})
    for table in ("policy_mentions", "targets", "consolidated_targets"):
        conn.execute(text(f"UPDATE {table} SET policy_id = :k WHERE policy_id = :d"), {"k": keep.id, "d": drop.id})
    conn.execute(text("DELETE FROM policies WHERE id = :d"), {"d": drop.id})


def merge_duplicate_policies(conn: Connection) -> int:
    """Re-key every policy with `policy_key` and fold rows that share a key; return how many rows were folded."""
    from extract.policy_identity import policy_key

    rows = conn.execute(text(f"SELECT id, title, norm_title, field_sources, {', '.join(_POLICY_COLUMNS)} "
                             "FROM policies ORDER BY id")).all()
    groups: dict[str, list[Any]] = {}
    for row in rows:
        groups.setdefault(policy_key(row.title), []).append(row)
    folded = 0
    for members in groups.values():
        keep, *others = members
        for drop in others:
            _merge_into(conn, keep, drop)
            keep = conn.execute(text(f"SELECT id, title, norm_title, field_sources, {', '.join(_POLICY_COLUMNS)} "
                                     "FROM policies WHERE id = :id"), {"id": keep.id}).one()
            folded += 1
    # Keys are written after the folds so the unique index never sees two rows with one key.
    changed = {key: members[0].id for key, members in groups.items() if members[0].norm_title != key}
    for policy_id in changed.values():
        conn.execute(text("UPDATE policies SET norm_title = :k WHERE id = :id"), {"k": f"#rekeying {policy_id}", "id": policy_id})
    for key, policy_id in changed.items():
        conn.execute(text("UPDATE policies SET norm_title = :k WHERE id = :id"), {"k": key, "id": policy_id})
    return folded


# --- the whole-database pass ------------------------------------------------------------------------------------


@dataclass
class ConsolidationStats:
    policies_folded: int = 0
    targets: int = 0
    consolidated: int = 0
    disagreements: int = 0

    def line(self) -> str:
        return (f"{self.targets} targets → {self.consolidated} consolidated ({self.disagreements} with a "
                f"disagreement); {self.policies_folded} duplicate policy rows folded")


def rebuild_consolidation(engine: Engine) -> ConsolidationStats:
    """Policies re-keyed and folded, then every target consolidated again from scratch."""
    stats = ConsolidationStats()
    with engine.begin() as conn:
        stats.policies_folded = merge_duplicate_policies(conn)
        conn.execute(text("UPDATE targets SET consolidated_id = NULL WHERE consolidated_id IS NOT NULL"))
        conn.execute(text("DELETE FROM consolidated_targets"))
        ids = [r[0] for r in conn.execute(text("SELECT DISTINCT article_id FROM targets ORDER BY article_id"))]
        cache = PromiseCache()  # nothing is deleted from here on: one cache for the whole pass
        for article_id in ids:
            stats.targets += consolidate_targets(conn, article_id, cache)
        stats.consolidated = conn.execute(text("SELECT COUNT(*) FROM consolidated_targets")).scalar_one()
        if conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'v_target_consensus'")).first():
            stats.disagreements = conn.execute(
                text("SELECT COUNT(*) FROM v_target_consensus WHERE disagreement")
            ).scalar_one()
    logger.info("consolidation rebuilt: %s", stats.line())
    return stats


def rebuild_all(engine: Engine) -> tuple[Any, ConsolidationStats]:
    """Stories and consolidation for a whole database (migration to schema 3, `policycrawl stories --rebuild`)."""
    from crawler.stories import rebuild_stories

    consolidation = rebuild_consolidation(engine)
    return rebuild_stories(engine), consolidation
