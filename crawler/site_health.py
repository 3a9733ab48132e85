"""Is a site still being read right? After a run, count the pages of each site that came without a title,
a date or a body, and call the site broken when too many did — with an example page ops can open.

A redesign rarely makes a site fail outright: it keeps answering 200 while the generic reader stops finding
the date or the body. Those pages still become rows (or drops), so the only reliable signal is the share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crawler.models import Article, FetchErrorRow, Site

# Drops (pipelines/analysis.py, crawler/processing.py) that mean "the page had no usable body".
BODY_DROPS = ("no_body", "not_an_article", "empty_body")


@dataclass
class FieldGaps:
    pages: int = 0  # stored pages + pages dropped for lack of a body
    missing: dict[str, int] = field(default_factory=dict)  # title | date | body → pages without it
    examples: dict[str, str] = field(default_factory=dict)  # field → one page URL without it

    def broken(self, ratio: float) -> list[str]:
        """One reason per field that more than `ratio` of the pages lack."""
        reasons = []
        for name in ("title", "date", "body"):
            n = self.missing.get(name, 0)
            if self.pages and n / self.pages > ratio:
                reasons.append(f"{n} of {self.pages} pages without a {name} (e.g. {self.examples.get(name, '?')})")
        return reasons


def field_gaps(session: Session, run_id: int, site: str, counts: dict[str, Any]) -> FieldGaps:
    """Gaps among the pages `site` gave in run `run_id` (articles last seen in it + body drops)."""
    gaps = FieldGaps()
    site_id = session.scalar(select(Site.id).where(Site.name == site))
    if site_id is None:
        return gaps
    rows = session.execute(
        select(Article.url, Article.title, Article.published_at, Article.text)
        .where(Article.site_id == site_id, Article.last_seen_run == run_id)
        .order_by(Article.id)
    ).all()
    dropped = counts.get("dropped") or {}
    body_drops = sum(n for reason, n in dropped.items() if reason in BODY_DROPS)
    gaps.pages = len(rows) + body_drops
    for url, title, published_at, text in rows:
        for name, value in (("title", title), ("date", published_at), ("body", text)):
            if not (value or "").strip():
                gaps.missing[name] = gaps.missing.get(name, 0) + 1
                gaps.examples.setdefault(name, url)
    if body_drops:
        gaps.missing["body"] = gaps.missing.get("body", 0) + body_drops
        if "body" not in gaps.examples:
            example = session.scalar(
                select(FetchErrorRow.url)
                .where(FetchErrorRow.run_id == run_id, FetchErrorRow.site_id == site_id,
                       or_(*(FetchErrorRow.kind == f"dropped_{r}" for r in BODY_DROPS)))
                .limit(1)
            )
            if example:
                gaps.examples["body"] = example
    return gaps


def check_run(engine, run_id: int, counts: dict[str, dict[str, Any]], ratio: float) -> dict[str, dict[str, Any]]:  # noqa: ANN001
    """`counts` with, per site, `missing` (field → pages) and the field reasons appended to `broken`."""
    updated: dict[str, dict[str, Any]] = {}
    with Session(engine) as session:
        for site, site_counts in counts.items():
            gaps = field_gaps(session, run_id, site, site_counts)
            new = dict(site_counts)
            new["missing"] = dict(gaps.missing)
            reasons = gaps.broken(ratio)
            if reasons:
                new["broken"] = list(site_counts.get("broken") or []) + reasons
            updated[site] = new
    return updated


def record_field_gaps(store, run_id: int, counts: dict[str, dict[str, Any]], settings) -> dict[str, dict[str, Any]]:  # noqa: ANN001
    """Check every site of a finished run and write the result back into `crawl_runs.counts`."""
    updated = check_run(store.engine, run_id, counts, settings.getfloat("SITE_MISSING_FIELD_RATIO", 0.5))
    for site, site_counts in updated.items():
        if site_counts != counts.get(site):
            store.merge_run_counts(run_id, site, site_counts)
    return updated
