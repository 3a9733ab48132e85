"""Chinese full-text search: jieba-segmented shadow tables indexed by FTS5.

SQLite's tokenisers do not split Chinese: `unicode61` makes one token of a whole clause, so 区块链 finds nothing,
and `trigram` cannot find two-character words (政务, 上链) and doubles the file. Instead every title and
normalised text is cut with jieba's `cut_for_search` (words and their sub-words) into a plain table
(`articles_search`, `policies_search`) whose tokens are joined by spaces; an external-content FTS5 table over
it (`articles_fts`, `policies_fts`) is kept in sync by triggers, and the shadow rows follow their article by
`ON DELETE CASCADE`. A user's query is normalised (Simplified, as the stored text) and cut the same way
(`segment_query`) before it reaches FTS.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger(__name__)

# (shadow table, its key, the source table, the segmented columns, the FTS table)
ARTICLES = ("articles_search", "article_id", "articles", ("title_seg", "text_seg"), "articles_fts")
POLICIES = ("policies_search", "policy_id", "policies", ("title_seg",), "policies_fts")


def _schema_sql(shadow: str, key: str, source: str, columns: tuple[str, ...], fts: str) -> list[str]:
    cols = ", ".join(columns)
    new_values = ", ".join(f"new.{c}" for c in columns)
    old_values = ", ".join(f"old.{c}" for c in columns)
    delete_old = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.{key}, {old_values});"
    insert_new = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.{key}, {new_values});"
    return [
        f"CREATE TABLE IF NOT EXISTS {shadow} ("
        f"{key} INTEGER PRIMARY KEY REFERENCES {source}(id) ON DELETE CASCADE, "
        + ", ".join(f"{c} TEXT" for c in columns)
        + ")",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({cols}, content='{shadow}', content_rowid='{key}')",
        f"CREATE TRIGGER IF NOT EXISTS {shadow}_ai AFTER INSERT ON {shadow} BEGIN {insert_new} END",
        f"CREATE TRIGGER IF NOT EXISTS {shadow}_ad AFTER DELETE ON {shadow} BEGIN {delete_old} END",
        f"CREATE TRIGGER IF NOT EXISTS {shadow}_au AFTER UPDATE ON {shadow} BEGIN {delete_old} {insert_new} END",
    ]


def _execute(conn: Any, sql: str, params: tuple | list = ()) -> Any:
    """Run SQL on a sqlite3 connection or a SQLAlchemy Connection (the store's session connection)."""
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(sql, params)
    return conn.exec_driver_sql(sql, tuple(params))


def _table_exists(conn: Any, name: str) -> bool:
    row = _execute(conn, "SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    return row is not None


def create_search_schema(conn: Any) -> None:
    """Create the shadow tables, FTS tables and triggers if missing; fill them once for rows stored before."""
    backfill = []
    for shadow, key, source, columns, fts in (ARTICLES, POLICIES):
        created = not _table_exists(conn, shadow)
        for sql in _schema_sql(shadow, key, source, columns, fts):
            _execute(conn, sql)
        if created and _table_exists(conn, source):
            backfill.append(source)
    if any(_execute(conn, f"SELECT 1 FROM {source} LIMIT 1").fetchone() for source in backfill):
        logger.warning("building the Chinese search index for rows stored before it existed")
        rebuild_search_index(conn)


# Search forms already cut for texts about to be indexed (`remember`): the crawl cuts in worker processes,
# with the tokens the facts used, and the store only writes. Bounded: a text forgotten is cut again.
REMEMBERED_SEGMENTS = 512
_remembered: OrderedDict[str, str] = OrderedDict()
_remembered_lock = threading.Lock()
_ALNUM = re.compile(r"[^\W_]")  # a character str.isalnum() accepts


def remember(segments: Mapping[str, str]) -> None:
    """Keep `{text: segment(text)}` computed elsewhere, so indexing these texts here cuts nothing."""
    with _remembered_lock:
        for text, segmented in segments.items():
            _remembered[text] = segmented
            _remembered.move_to_end(text)
        while len(_remembered) > REMEMBERED_SEGMENTS:
            _remembered.popitem(last=False)


def segment(text: str | None) -> str:
    """`text` as space-joined search tokens: words and sub-words, punctuation dropped."""
    if not text:
        return ""
    with _remembered_lock:
        known = _remembered.get(text)
    if known is not None:
        return known
    from extract.segment import segmentation

    tokens = segmentation(text).search_words
    is_word = _word_flags(tokens)
    return " ".join(filter(is_word.__getitem__, tokens))  # no Python call per token


def _is_word(token: str) -> bool:
    return _ALNUM.search(token) is not None


# _is_word of the tokens met so far: a text's tokens repeat, and so does the vocabulary from text to text.
# Past this many the table starts afresh (rebound, never cleared: a thread reading the old one keeps it whole).
WORD_FLAGS_ENTRIES = 100_000
_known_word_flags: dict[str, bool] = {}


def _word_flags(tokens: tuple[str, ...]) -> dict[str, bool]:
    """A table that holds _is_word of every one of `tokens`."""
    global _known_word_flags
    flags = _known_word_flags
    missing = set(tokens).difference(flags)
    if missing:
        if len(flags) + len(missing) > WORD_FLAGS_ENTRIES:
            flags = _known_word_flags = {}
            missing = set(tokens)
        for token in missing:
            flags[token] = _is_word(token)
    return flags


def _segmented(text: str | None, known: Mapping[str, str] | None) -> str:
    if known and text and text in known:
        return known[text]
    return segment(text)


def index_article(conn: Any, article_id: int, title: str | None, text: str | None,
                  known: Mapping[str, str] | None = None) -> None:
    """Upsert the segmented title and text of one article (call in the transaction that writes it); `known`:
    texts already cut where the article was analysed (FetchedPage.search_segments)."""
    _execute(
        conn,
        "INSERT INTO articles_search (article_id, title_seg, text_seg) VALUES (?, ?, ?) "
        "ON CONFLICT(article_id) DO UPDATE SET title_seg = excluded.title_seg, text_seg = excluded.text_seg",
        (article_id, _segmented(title, known), _segmented(text, known)),
    )


def index_policy(conn: Any, policy_id: int, title: str, known: Mapping[str, str] | None = None) -> None:
    """Upsert the segmented title of one policy document."""
    _execute(
        conn,
        "INSERT INTO policies_search (policy_id, title_seg) VALUES (?, ?) "
        "ON CONFLICT(policy_id) DO UPDATE SET title_seg = excluded.title_seg",
        (policy_id, _segmented(title, known)),
    )


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _query_term(word: str) -> str:
    """One query word as FTS5: the word itself, or its sub-words close together.

    A text may have been cut differently in context (公共服务/平台 rather than 公共服务平台), so a long word also
    matches when all its shortest sub-words occur near each other.
    """
    from extract.segment import cut_for_search

    subs = [t for t in dict.fromkeys(cut_for_search(word)) if t != word and _is_word(t)]
    shortest = [t for t in subs if not any(o != t and o in t for o in subs)]
    if not shortest or not _covers(word, shortest):
        return _quote(word)
    near = " ".join(_quote(t) for t in shortest)
    return f"({_quote(word)} OR NEAR({near}, {2 * len(shortest)}))"


def _covers(word: str, parts: list[str]) -> bool:
    """Whether `parts` together cover every character of `word` (else they would match too much)."""
    covered = [False] * len(word)
    for part in parts:
        start = word.find(part)
        while start >= 0:
            covered[start : start + len(part)] = [True] * len(part)
            start = word.find(part, start + 1)
    return all(covered)


def segment_query(query: str) -> str:
    """A user's query → an FTS5 MATCH expression over our tokens: each word quoted, all words AND-ed.

    FTS5 syntax typed by the user (quotes, AND, *) is treated as text; an empty query matches nothing.
    """
    if not query or not query.strip():
        return '""'
    words = _query_words(query)
    if not words:
        return '""'
    return " AND ".join(_query_term(w) for w in words)


def search_excerpt(text: str | None, query: str | None, width: int = 80) -> str | None:
    """A readable window of the original `text` around the first query word, words marked 【like this】.

    FTS5's own snippet() would show the segmented column, sub-words repeated (区块 区块链 …).
    """
    if not text:
        return None
    words = _query_words(query or "")
    hits = [(text.find(w), -len(w), w) for w in words if w in text]
    if not hits:
        return text[:width]
    start, _, _ = min(hits)
    begin = max(0, start - width // 4)
    window = text[begin : begin + width]
    pattern = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    window = re.sub(pattern, lambda m: f"【{m.group(0)}】", window)
    return ("…" if begin else "") + window + ("…" if begin + width < len(text) else "")


def _query_words(query: str) -> list[str]:
    """The words of a query normalised like the indexed text (Simplified, folded widths), then cut."""
    from extract.normalize import normalize_query
    from extract.segment import cut

    return [w for w in dict.fromkeys(cut(normalize_query(query).replace('"', " "))) if _is_word(w)]


def rebuild_search_index(conn: Any) -> int:
    """Re-segment every article and policy (after a dictionary change); return the rows indexed."""
    n = 0
    _execute(conn, "DELETE FROM articles_search WHERE article_id NOT IN (SELECT id FROM articles)")
    for article_id, title, text in _execute(conn, "SELECT id, title, text FROM articles").fetchall():
        index_article(conn, article_id, title, text)
        n += 1
    _execute(conn, "DELETE FROM policies_search WHERE policy_id NOT IN (SELECT id FROM policies)")
    for policy_id, title in _execute(conn, "SELECT id, title FROM policies").fetchall():
        index_policy(conn, policy_id, title)
        n += 1
    for _shadow, _key, _source, _columns, fts in (ARTICLES, POLICIES):
        _execute(conn, f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
    logger.info("search index rebuilt: %d rows", n)
    return n
