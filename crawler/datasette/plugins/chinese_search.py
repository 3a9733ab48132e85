"""Datasette plugin: Chinese queries reach FTS5 segmented the way the index was.

Datasette's search box sends `?_search=` through the SQL function `escape_fts(:search)`; this plugin replaces
that function on our connections with `segment_query`, so the box on articles and policies finds 区块链 and
政务 without any change to datasette's templates. `jieba_query(q)` is the same function under its own name for
canned queries (`articles_fts MATCH jieba_query(:q)`); `search_excerpt(text, q)` shows the words
around the first hit in the original text.
"""

from __future__ import annotations

from datasette import hookimpl

from crawler.search_index import search_excerpt, segment, segment_query


@hookimpl(trylast=True)  # after datasette's own prepare_connection, so our escape_fts wins
def prepare_connection(conn):
    conn.create_function("jieba_query", 1, lambda q: segment_query(q or ""), deterministic=True)
    conn.create_function("jieba_segment", 1, lambda t: segment(t), deterministic=True)
    conn.create_function("search_excerpt", 2, lambda text, q: search_excerpt(text, q), deterministic=True)
    conn.create_function("escape_fts", 1, lambda q: segment_query(q or ""), deterministic=True)
