"""Stories in the database: every article belongs to one; syndicated copies share it.

Incremental by design: a new or changed article computes its fingerprint (extract/stories.py), looks up the
articles that share an LSH band with it in `story_bands` (an indexed query, however large the database), checks
those few candidates on their exact shingle overlap, and joins the story of the best match or founds its own.
Its bands are stored for the articles that come after it. A changed article is taken out of its story and
matched again. The canonical article of a story is its earliest publication (ties: the lowest id). An article
joins the story of its best match; two stories are not merged when a later article resembles both (copies that
kept different halves of a report whose original came last): the whole-database pass, in order of
publication, groups them under the original.

`rebuild_stories` is the whole-database pass (after a change of the matching rule, or a migration): it clears
the tables and assigns every article again in order of publication, in one transaction (never half done).
"""

from __future__ import annotations

import logging
from array import array
from collections import Counter, OrderedDict
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from crawler.dialect import Sql
from extract.stories import StoryPrint, fingerprint, overlap, same_story

logger = logging.getLogger(__name__)

# Candidates checked exactly, most shared bands first; copies share most of their bands.
MAX_CANDIDATES = 30
# Candidates that share a single band, checked after the others and at most this many: in a portal of template
# notices most articles share a band or two by chance, and checking them all made every new notice slower than
# the last; a true copy nearly always shares several (862 of 864 labelled copies; 2 share one band).
MAX_WEAK_CANDIDATES = 5
# Articles read per band: a band shared by hundreds of articles (the lead of a template notice) says nothing,
# and reading all of them would make every new notice of that portal slower than the last.
PER_BAND_LIMIT = 200


def _candidate_query(n: int, limit: int) -> str:
    return " UNION ALL ".join(
        f"SELECT * FROM (SELECT article_id, band, hash FROM story_bands WHERE hash = :h{i} LIMIT {limit}) AS b{i}"
        for i in range(n)
    )


def _in_list(ids: list[int]) -> tuple[str, dict[str, int]]:
    """`(:i0, :i1, …)` and its parameters (plain SQL has no list parameter)."""
    return "(" + ", ".join(f":i{n}" for n in range(len(ids))) + ")", {f"i{n}": v for n, v in enumerate(ids)}


@dataclass
class StoryStats:
    articles: int = 0
    stories: int = 0
    shared: int = 0  # stories with more than one article

    def line(self) -> str:
        return f"{self.articles} articles in {self.stories} stories, {self.shared} of them with copies"


# Shingles of recently written articles, keyed by (id, content hash): the same texts (a story's earliest
# copies, a template's lead) are candidates of article after article, and a new article's print arrives ready
# from the analysis worker, so candidates are rarely cut again. Kept as sorted 32-bit arrays (6 KB for a
# 1,500-character text, a twelfth of a frozenset), so 2,048 of them fit in ~15 MB.
CANDIDATE_PRINTS = 2048
_prints: OrderedDict[tuple[int, str | None], StoryPrint | None] = OrderedDict()


def remember_print(article_id: int, content_hash: str | None, print_: StoryPrint | None) -> None:
    """Keep the shingles of an article just written (its bands are in the table: not kept here)."""
    key = (article_id, content_hash)
    _prints[key] = StoryPrint(array("I", sorted(print_.shingles)), print_.figures) if print_ is not None else None
    _prints.move_to_end(key)
    while len(_prints) > CANDIDATE_PRINTS:
        _prints.popitem(last=False)


def _candidate_prints(sql: Sql, ids: list[int]) -> list[tuple[int | None, StoryPrint | None]]:
    """(story id, print) of stored candidates: from the cache when their text is unchanged, else cut now."""
    in_ids, params = _in_list(ids)
    rows = sql.rows(f"SELECT id, content_hash, story_id FROM articles WHERE id IN {in_ids}", params)
    missing = [article_id for article_id, digest, _story in rows if (article_id, digest) not in _prints]
    if missing:
        in_ids, params = _in_list(missing)
        for article_id, digest, body in sql.rows(f"SELECT id, content_hash, text FROM articles WHERE id IN {in_ids}",
                                                 params):
            remember_print(article_id, digest, fingerprint(body or "", bands=False))
    out = []
    for article_id, digest, story_id in rows:
        key = (article_id, digest)
        out.append((story_id, _prints.get(key)))
        if key in _prints:
            _prints.move_to_end(key)
    return out


def _best_match(sql: Sql, article_id: int, print_: StoryPrint) -> int | None:
    """The story of the stored article this one copies best, or None."""
    band_of = {h: b for b, h in print_.bands}
    shared: Counter[int] = Counter()
    query = _candidate_query(len(band_of), PER_BAND_LIMIT)
    for other, band, digest in sql.rows(query, {f"h{i}": h for i, h in enumerate(band_of)}):
        if other != article_id and band_of.get(digest) == band:
            shared[other] += 1
    if not shared:
        return None
    strong = [other for other, n in shared.most_common(MAX_CANDIDATES) if n > 1]
    weak = sorted((other for other, n in shared.items() if n == 1), reverse=True)  # the newest first
    ids = strong + weak[: max(0, min(MAX_WEAK_CANDIDATES, MAX_CANDIDATES - len(strong)))]
    best: tuple[float, int] | None = None
    for story_id, theirs in _candidate_prints(sql, ids):
        if story_id is None or theirs is None:
            continue
        if same_story(print_, theirs):
            score = overlap(print_.shingles, theirs.shingles)
            if best is None or score > best[0]:
                best = (score, story_id)
    return best[1] if best else None


def _refresh(sql: Sql, story_id: int) -> int:
    """Recount a story and re-pick its canonical article; return its size (0: it is now empty)."""
    size = sql.scalar("SELECT COUNT(*) FROM articles WHERE story_id = :s", {"s": story_id})
    if size:
        sql.run(
            "UPDATE stories SET size = :n, canonical_article_id = (SELECT id FROM articles WHERE story_id = :s "
            "ORDER BY published_at IS NULL, published_at, id LIMIT 1) WHERE id = :s",
            {"n": size, "s": story_id},
        )
    return size


def assign_story(conn: Connection, article_id: int, print_: StoryPrint | None = None, *,
                 fresh: bool = False) -> int | None:
    """(Re)place one stored article in a story; call inside the transaction that wrote its text.

    `print_`: its fingerprint when the analysis already computed it (else it is computed from the stored text);
    `fresh`: the article was inserted in this transaction, so it has no bands and no story yet."""
    sql = Sql(conn)
    if fresh and print_ is not None:
        body, old = None, None
        digest = sql.scalar("SELECT content_hash FROM articles WHERE id = :a", {"a": article_id})
    else:
        row = sql.first("SELECT text, story_id, content_hash FROM articles WHERE id = :a", {"a": article_id})
        if row is None:
            return None
        body, old, digest = row
    if not fresh:
        sql.run("DELETE FROM story_bands WHERE article_id = :a", {"a": article_id})
    left = 0
    if old is not None:
        sql.run("UPDATE articles SET story_id = NULL WHERE id = :a", {"a": article_id})
        left = _refresh(sql, old)
    if print_ is None:
        print_ = fingerprint(body or "")
    story_id = None
    if print_ is not None:
        story_id = _best_match(sql, article_id, print_)
        sql.run("INSERT INTO story_bands (article_id, band, hash) VALUES (:a, :b, :h)",
                [{"a": article_id, "b": b, "h": h} for b, h in print_.bands])
    remember_print(article_id, digest, print_)
    set_story = "UPDATE articles SET story_id = :s WHERE id = :a"
    if story_id is None and old is not None and left == 0:
        story_id = old  # still alone: keep its story id
    elif story_id is None:  # a story of its own: size 1, itself canonical
        story_id = sql.scalar("INSERT INTO stories (canonical_article_id, size) VALUES (:a, 1) RETURNING id",
                              {"a": article_id})
        sql.run(set_story, {"s": story_id, "a": article_id})
        return story_id
    sql.run(set_story, {"s": story_id, "a": article_id})
    _refresh(sql, story_id)
    if old is not None and old != story_id and left == 0:
        sql.run("DELETE FROM stories WHERE id = :s", {"s": old})
    return story_id


def story_stats(conn: Connection) -> StoryStats:
    articles, stories, shared = conn.execute(
        text(
            "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM stories), "
            "(SELECT COUNT(*) FROM stories WHERE size > 1)"
        )
    ).one()
    return StoryStats(articles, stories, shared)


def largest_stories(conn: Connection, limit: int) -> list[tuple[int, int, int, str, str | None]]:
    """(story id, copies, sites, site names, canonical title) of the largest stories with copies."""
    names = "GROUP_CONCAT(DISTINCT s.name)" if conn.dialect.name == "sqlite" else "STRING_AGG(DISTINCT s.name, ',')"
    return [tuple(row) for row in conn.execute(text(
        f"SELECT st.id, st.size, COUNT(DISTINCT a.site_id), {names}, c.title "
        "FROM stories st JOIN articles a ON a.story_id = st.id LEFT JOIN sites s ON s.id = a.site_id "
        "LEFT JOIN articles c ON c.id = st.canonical_article_id WHERE st.size > 1 "
        "GROUP BY st.id, st.size, c.title ORDER BY st.size DESC, st.id LIMIT :n"), {"n": limit})]


def rebuild_stories(engine: Engine, batch: int = 500) -> StoryStats:
    """Regroup every article from scratch, in order of publication (the whole-database pass).

    One transaction from the clearing to the last article: a rebuild killed midway (SIGKILL, a full disk)
    leaves the old grouping whole, as readers saw it all along, and the next rebuild starts again. Writers
    wait for it (busy_timeout); `batch` only paces the progress log."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM story_bands"))
        conn.execute(text("UPDATE articles SET story_id = NULL WHERE story_id IS NOT NULL"))
        conn.execute(text("DELETE FROM stories"))
        ids = [
            r[0]
            for r in conn.execute(text("SELECT id FROM articles ORDER BY published_at IS NULL, published_at, id"))
        ]
        for start in range(0, len(ids), batch):
            for article_id in ids[start : start + batch]:
                assign_story(conn, article_id)
            logger.info("stories: %d of %d articles regrouped", min(start + batch, len(ids)), len(ids))
        stats = story_stats(conn)
    logger.info("stories rebuilt: %s", stats.line())
    return stats
