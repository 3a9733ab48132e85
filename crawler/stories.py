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
the tables and assigns every article again in order of publication.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, text

from extract.stories import StoryPrint, fingerprint, overlap, same_story

logger = logging.getLogger(__name__)

# Candidates checked exactly, most shared bands first; copies share most of their bands.
MAX_CANDIDATES = 30
# Articles read per band: a band shared by hundreds of articles (the lead of a template notice) says nothing,
# and reading all of them would make every new notice of that portal slower than the last.
PER_BAND_LIMIT = 200


def _candidate_query(n: int, limit: int) -> str:
    return " UNION ALL ".join(
        f"SELECT * FROM (SELECT article_id, band, hash FROM story_bands WHERE hash = :h{i} LIMIT {limit})"
        for i in range(n)
    )

_TEXTS = text("SELECT id, text, story_id FROM articles WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))


@dataclass
class StoryStats:
    articles: int = 0
    stories: int = 0
    shared: int = 0  # stories with more than one article

    def line(self) -> str:
        return f"{self.articles} articles in {self.stories} stories, {self.shared} of them with copies"


@functools.lru_cache(maxsize=256)
def _candidate_print(body: str) -> StoryPrint | None:
    """Shingles of a stored candidate: the same few texts (a story's earliest copies, a template's lead) are
    candidates of article after article, so their shingles are kept rather than recomputed (bounded: ~15 MB)."""
    return fingerprint(body, bands=False)


def _best_match(conn: Connection, article_id: int, print_: StoryPrint) -> int | None:
    """The story of the stored article this one copies best, or None."""
    band_of = {h: b for b, h in print_.bands}
    shared: Counter[int] = Counter()
    sql = text(_candidate_query(len(band_of), PER_BAND_LIMIT))
    for other, band, digest in conn.execute(sql, {f"h{i}": h for i, h in enumerate(band_of)}):
        if other != article_id and band_of.get(digest) == band:
            shared[other] += 1
    if not shared:
        return None
    ids = [other for other, _n in shared.most_common(MAX_CANDIDATES)]
    best: tuple[float, int] | None = None
    for _other, body, story_id in conn.execute(_TEXTS, {"ids": ids}):
        if story_id is None:
            continue
        theirs = _candidate_print(body or "")
        if theirs is not None and same_story(print_, theirs):
            score = overlap(print_.shingles, theirs.shingles)
            if best is None or score > best[0]:
                best = (score, story_id)
    return best[1] if best else None


def _refresh(conn: Connection, story_id: int) -> int:
    """Recount a story and re-pick its canonical article; return its size (0: it is now empty)."""
    size = conn.execute(text("SELECT COUNT(*) FROM articles WHERE story_id = :s"), {"s": story_id}).scalar_one()
    if size:
        conn.execute(
            text(
                "UPDATE stories SET size = :n, canonical_article_id = (SELECT id FROM articles WHERE story_id = :s "
                "ORDER BY published_at IS NULL, published_at, id LIMIT 1) WHERE id = :s"
            ),
            {"n": size, "s": story_id},
        )
    return size


def assign_story(conn: Connection, article_id: int) -> int | None:
    """(Re)place one stored article in a story; call inside the transaction that wrote its text."""
    row = conn.execute(text("SELECT text, story_id FROM articles WHERE id = :a"), {"a": article_id}).one_or_none()
    if row is None:
        return None
    body, old = row
    conn.execute(text("DELETE FROM story_bands WHERE article_id = :a"), {"a": article_id})
    left = 0
    if old is not None:
        conn.execute(text("UPDATE articles SET story_id = NULL WHERE id = :a"), {"a": article_id})
        left = _refresh(conn, old)
    print_ = fingerprint(body or "")
    story_id = None
    if print_ is not None:
        story_id = _best_match(conn, article_id, print_)
        conn.execute(
            text("INSERT INTO story_bands (article_id, band, hash) VALUES (:a, :b, :h)"),
            [{"a": article_id, "b": b, "h": h} for b, h in print_.bands],
        )
    if story_id is None:
        if old is not None and left == 0:
            story_id = old  # still alone: keep its story id
        else:
            story_id = conn.execute(
                text("INSERT INTO stories (canonical_article_id, size) VALUES (:a, 1) RETURNING id"), {"a": article_id}
            ).scalar_one()
    conn.execute(text("UPDATE articles SET story_id = :s WHERE id = :a"), {"s": story_id, "a": article_id})
    _refresh(conn, story_id)
    if old is not None and old != story_id and left == 0:
        conn.execute(text("DELETE FROM stories WHERE id = :s"), {"s": old})
    return story_id


def story_stats(conn: Connection) -> StoryStats:
    articles, stories, shared = conn.execute(
        text(
            "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM stories), "
            "(SELECT COUNT(*) FROM stories WHERE size > 1)"
        )
    ).one()
    return StoryStats(articles, stories, shared)


def rebuild_stories(engine: Engine, batch: int = 500) -> StoryStats:
    """Regroup every article from scratch, in order of publication (the whole-database pass)."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM story_bands"))
        conn.execute(text("UPDATE articles SET story_id = NULL WHERE story_id IS NOT NULL"))
        conn.execute(text("DELETE FROM stories"))
        ids = [
            r[0]
            for r in conn.execute(text("SELECT id FROM articles ORDER BY published_at IS NULL, published_at, id"))
        ]
    for start in range(0, len(ids), batch):
        with engine.begin() as conn:
            for article_id in ids[start : start + batch]:
                assign_story(conn, article_id)
    with engine.connect() as conn:
        stats = story_stats(conn)
    logger.info("stories rebuilt: %s", stats.line())
    return stats
