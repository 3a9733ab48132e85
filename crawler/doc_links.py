"""Writing the policy archive's rows: 发文字号 into their series (doc_numbers) and citations (policy_citations).

Called by the article writer inside its transaction, for a crawl and for `reextract` alike. A citation is
resolved to the article we hold for the cited document (by number, else by exact title) when it is written,
and, as documents arrive in any order, again when the cited article is stored later.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, text

from crawler.dialect import Sql
from extract.citations import find_citations, own_doc_number
from extract.doc_numbers import parse_doc_number
from extract.policy_identity import policy_key

logger = logging.getLogger(__name__)

_INSERT_NUMBER = (
    "INSERT INTO doc_numbers (article_id, policy_id, doc_number, issuer_code, year, serial, source) "
    "VALUES (:a, :p, :n, :code, :year, :serial, :source)"
)
_DELETE_ARTICLE_NUMBER = "DELETE FROM doc_numbers WHERE article_id = :a"
_DELETE_POLICY_NUMBER = "DELETE FROM doc_numbers WHERE policy_id = :p"
_POLICY_NUMBER = "SELECT doc_number FROM doc_numbers WHERE policy_id = :p"
_DELETE_CITATIONS = "DELETE FROM policy_citations WHERE article_id = :a"
_INSERT_CITATION = (
    "INSERT INTO policy_citations (article_id, cited_doc_number, cited_title, cited_policy_id, cited_article_id, "
    "span_start, span_end) VALUES (:a, :n, :t, :p, :cited, :s, :e)"
)
_ARTICLE_BY_NUMBER = (
    "SELECT article_id FROM doc_numbers WHERE doc_number = :n AND source = 'article' "
    "AND article_id != :a ORDER BY article_id LIMIT 1"
)
_ARTICLE_BY_TITLE = "SELECT id FROM articles WHERE title = :t AND id != :a ORDER BY id LIMIT 1"
_POLICY_BY_KEY = "SELECT id FROM policies WHERE norm_title = :k"
_POLICY_BY_NUMBER = (
    "SELECT policy_id FROM doc_numbers WHERE doc_number = :n AND policy_id IS NOT NULL "
    "ORDER BY policy_id LIMIT 1"
)
_RESOLVE_BY_NUMBER = (
    "UPDATE policy_citations SET cited_article_id = :a WHERE cited_doc_number = :n "
    "AND cited_article_id IS NULL AND article_id != :a"
)
_RESOLVE_BY_TITLE = (
    "UPDATE policy_citations SET cited_article_id = :a WHERE cited_title = :t "
    "AND cited_article_id IS NULL AND article_id != :a"
)


def _number_row(
    doc_number: str | None, article_id: int | None, policy_id: int | None, source: str
) -> dict[str, Any] | None:
    parsed = parse_doc_number(doc_number)
    if parsed is None:
        return None
    return {
        "a": article_id,
        "p": policy_id,
        "n": parsed.canonical,
        "code": parsed.issuer_code,
        "year": parsed.year,
        "serial": parsed.serial,
        "source": source,
    }


def write_policy_number(sql: Sql, policy_id: int, doc_number: str | None) -> None:
    """The merged policy's 发文字号 in its series; rewritten only when it changed."""
    row = _number_row(doc_number, None, policy_id, "policy")
    stored = sql.first(_POLICY_NUMBER, {"p": policy_id})
    if (stored[0] if stored else None) == (row["n"] if row else None):
        return
    sql.run(_DELETE_POLICY_NUMBER, {"p": policy_id})
    if row is not None:
        sql.run(_INSERT_NUMBER, row)


def write_article_links(
    sql: Sql,
    article_id: int,
    title: str | None,
    body: str | None,
    doc_number: str | None,
    policies: Iterable[Any] = (),
) -> None:
    """The article's own 发文字号, the citations of its text and their numbers (replaced as a whole), and the
    citations stored earlier that name this article (resolved now that it is here)."""
    policies = list(policies)
    doc_number = own_doc_number(title, doc_number, policies)
    sql.run(_DELETE_ARTICLE_NUMBER, {"a": article_id})
    own = _number_row(doc_number, article_id, None, "article")
    if own is not None:
        sql.run(_INSERT_NUMBER, own)
        sql.run(_RESOLVE_BY_NUMBER, {"a": article_id, "n": own["n"]})
    if title:
        sql.run(_RESOLVE_BY_TITLE, {"a": article_id, "t": title})
    sql.run(_DELETE_CITATIONS, {"a": article_id})
    rows, cited_numbers = [], []
    for citation in find_citations(body or "", policies, own_title=title, own_doc_number=doc_number):
        cited_article = cited_policy = None
        if citation.doc_number:
            cited_article = _first(sql, _ARTICLE_BY_NUMBER, {"n": citation.doc_number, "a": article_id})
            cited_policy = _first(sql, _POLICY_BY_NUMBER, {"n": citation.doc_number})
        if citation.title:
            cited_article = cited_article or _first(
                sql, _ARTICLE_BY_TITLE, {"t": citation.title, "a": article_id}
            )
            cited_policy = _first(sql, _POLICY_BY_KEY, {"k": policy_key(citation.title)}) or cited_policy
        rows.append(
            {
                "a": article_id,
                "n": citation.doc_number,
                "t": citation.title,
                "p": cited_policy,
                "cited": cited_article,
                "s": citation.start,
                "e": citation.end,
            }
        )
        number = _number_row(citation.doc_number, article_id, None, "citation")
        if number is not None:
            cited_numbers.append(number)
    if rows:
        sql.run(_INSERT_CITATION, rows)
    if cited_numbers:
        sql.run(_INSERT_NUMBER, cited_numbers)


def _first(sql: Sql, statement: str, params: dict[str, Any]) -> int | None:
    row = sql.first(statement, params)
    return row[0] if row else None


def backfill_doc_numbers(conn: Connection) -> int:
    """Schema 4 on an older database: the numbers of the stored articles and policies (citations need the
    text's policies: `policycrawl reextract` fills them)."""
    rows = []
    for table, source in (("articles", "article"), ("policies", "policy")):
        for row_id, doc_number in conn.execute(
            text(f"SELECT id, doc_number FROM {table} WHERE doc_number IS NOT NULL")
        ):
            mine = source == "article"
            row = _number_row(doc_number, row_id if mine else None, None if mine else row_id, source)
            if row is not None:
                rows.append(row)
    if rows:
        conn.execute(text(_INSERT_NUMBER), rows)
    logger.warning(
        "filled doc_numbers with %d numbers; run `policycrawl reextract` to fill policy_citations", len(rows)
    )
    return len(rows)
