"""Per-site counts of one run: what ops read in the summary, in `crawl_runs.counts` and in the exit code."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SiteCounts:
    requests: int = 0
    pages: int = 0  # detail pages stored as articles
    new: int = 0
    updated: int = 0
    unchanged: int = 0  # fetched again (200) with the same text
    not_modified: int = 0  # a conditional request answered 304: known, confirmed, no body downloaded
    skipped: int = 0  # detail links not requested: stored already, failed for good, or older than --since
    attachments: int = 0
    fetched: dict[str, int] = field(default_factory=dict)  # requests sent by page kind: robots, list, detail, attachment
    errors: dict[str, int] = field(default_factory=dict)  # kind → count
    dropped: dict[str, int] = field(default_factory=dict)  # reason → count
    broken: list[str] = field(default_factory=list)  # why the site looks broken, with an example URL

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def drop(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1

    def fetch(self, kind: str) -> None:
        self.fetched[kind] = self.fetched.get(kind, 0) + 1

    @property
    def articles(self) -> int:
        """Articles the run accounted for: stored, confirmed unchanged, or known and skipped."""
        return self.new + self.updated + self.unchanged + self.not_modified + self.skipped

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def site_failed(counts: dict[str, Any], error_ratio_threshold: float) -> str | None:
    """Why this site's run counts as failed (exit code 1), or None when it is fine."""
    articles = sum(counts.get(k, 0) for k in ("new", "updated", "unchanged", "not_modified", "skipped"))
    detail_errors = sum(n for kind, n in (counts.get("errors") or {}).items() if not kind.startswith(("attachment_", "robots", "list_page_cap")))
    if counts.get("broken"):
        return "; ".join(counts["broken"])
    if articles == 0:
        first_error = next(iter(counts.get("errors") or {}), None)
        return "no articles" + (f" (errors: {first_error})" if first_error else "")
    attempted = articles + detail_errors + sum((counts.get("dropped") or {}).values())
    if attempted and detail_errors / attempted > error_ratio_threshold:
        return f"{detail_errors} of {attempted} pages failed"
    return None
