"""What a nightly crawl may skip: the decisions behind incremental crawling, with no Scrapy in them.

List pages are always fetched. A detail link already stored is skipped unless the list shows a newer date
than the one we stored, a periodic revisit is due, or the run asks for it (`--revisit`, `--full`); a revisit
is a conditional request (If-None-Match / If-Modified-Since), so an unchanged page costs a 304 and no body.
Paging stops after a list page that holds nothing to fetch — but only on a site whose list a previous run
walked to the end (or to known ground) and finished, so a crawl killed half-way is completed by the next one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

# Failures that will not heal by tomorrow: skipped like stored pages until a revisit is due.
PERMANENT_FAILURES = frozenset({"http_404", "http_410", "dropped_not_an_article", "dropped_binary_body", "robots"})

# Why a link is fetched; the first three mean "this list page held something new".
FETCH_NEW, FETCH_NEWER_DATE, FETCH_REVISIT, FETCH_FULL, FETCH_RETRY = "new", "newer_date", "revisit", "full", "retry"
NEWS = frozenset({FETCH_NEW, FETCH_NEWER_DATE, FETCH_REVISIT, FETCH_FULL})
SKIP_KNOWN, SKIP_FAILED, SKIP_BEFORE_SINCE = "known", "failed_before", "before_since"


@dataclass(frozen=True)
class KnownPage:
    """What the database knows about one detail URL (an article, or a page that failed for good)."""

    url: str  # identity URL
    list_date: str | None = None  # YYYY-MM-DD: the list's date when stored, else the article's publication date
    etag: str | None = None
    last_modified: str | None = None
    checked_at: str | None = None  # ISO 8601: the last 200 or 304 for it (or the failure's run)
    attachments_complete: bool = True
    failure: str | None = None  # error kind when the URL never became an article


@dataclass(frozen=True)
class Decision:
    fetch: bool
    reason: str
    headers: dict[str, str] = field(default_factory=dict)  # conditional request headers

    @property
    def is_news(self) -> bool:
        return self.fetch and self.reason in NEWS


@dataclass
class IncrementalPlan:
    """The per-site rules of one run, over what the database knew when the spider opened."""

    known: dict[str, KnownPage]
    now: dt.datetime
    revisit_after_days: float | None = 30  # None: never revisit on a schedule
    full: bool = False  # fetch everything, unconditionally, and page to the end
    revisit: bool = False  # every known link gets a conditional request
    since: dt.date | None = None
    walked_before: bool = False  # a previous run walked the site's list and finished: early stop is safe
    stop_after_known_pages: int = 1  # 0: never stop early
    cursor: str | None = None  # newest date seen, across runs

    def decide(self, url: str, list_date: str | None) -> Decision:
        """Fetch this detail link or not, and how."""
        day = _day(list_date)
        if day:
            self.note_date(day)
        if self.since and day and day < self.since.isoformat():
            return Decision(False, SKIP_BEFORE_SINCE)
        if self.full:
            return Decision(True, FETCH_FULL)
        page = self.known.get(url)
        if page is None:
            return Decision(True, FETCH_NEW)
        conditional = _conditional_headers(page)
        if page.failure is not None:
            if page.failure in PERMANENT_FAILURES and not self.revisit and not self._due(page):
                return Decision(False, SKIP_FAILED)
            return Decision(True, FETCH_RETRY)
        if day and page.list_date and day > page.list_date:
            return Decision(True, FETCH_NEWER_DATE, conditional)
        if self.revisit or self._due(page):
            return Decision(True, FETCH_REVISIT, conditional)
        return Decision(False, SKIP_KNOWN)

    def _due(self, page: KnownPage) -> bool:
        if self.revisit_after_days is None:
            return False
        checked = _instant(page.checked_at)
        return checked is None or self.now - checked >= dt.timedelta(days=self.revisit_after_days)

    def note_date(self, day: str) -> None:
        if self.cursor is None or day > self.cursor:
            self.cursor = day

    @property
    def may_stop_early(self) -> bool:
        return self.walked_before and not self.full and self.stop_after_known_pages > 0

    def all_before_since(self, list_dates: Iterable[str | None]) -> bool:
        """A list page whose dated entries are all older than --since: paging further only goes back in time."""
        if self.since is None:
            return False
        days = [d for d in (_day(x) for x in list_dates) if d]
        return bool(days) and all(d < self.since.isoformat() for d in days)


def _conditional_headers(page: KnownPage) -> dict[str, str]:
    headers = {}
    if page.etag:
        headers["If-None-Match"] = page.etag
    if page.last_modified:
        headers["If-Modified-Since"] = page.last_modified
    return headers


def _day(value: str | None) -> str | None:
    """'2024-05-20 09:15' / '2024-05-20T09:15:00+08:00' → '2024-05-20'; anything else → None."""
    if not value or len(value) < 10:
        return None
    day = str(value)[:10]
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        return None
    return day


def _instant(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def list_day(value: str | None) -> str | None:
    """The YYYY-MM-DD of a stored or listed date, for comparisons (None when there is none)."""
    return _day(value)
