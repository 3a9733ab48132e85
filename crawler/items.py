"""What spiders hand to the pipelines: raw fetches and recorded failures, nothing analysed yet.

Spiders stay dumb on purpose: they fetch and label; pipelines call `extract/` and the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FetchedPage:
    """A detail page as downloaded. Pipelines fill the analysed fields below."""

    site: str
    url: str  # canonical URL (the article's identity)
    final_url: str
    status: int
    content_type: str | None
    declared_encoding: str | None  # from the HTTP header
    body: bytes = field(repr=False)
    fetched_at: str = ""  # ISO 8601, UTC
    etag: str | None = None
    last_modified: str | None = None
    hint: dict[str, Any] = field(default_factory=dict)  # what the list page / API said (title, date, doc number)
    # Attachment links of the page ({url, name, type}, identity URLs): stored as `pending` with the article, so
    # a crawl killed before they arrive fetches them on the next run.
    attachment_links: list[dict[str, Any]] = field(default_factory=list)
    # Filled by the pipelines:
    record: Any = field(default=None, repr=False)  # extract.records.PageRecord
    facts: Any = field(default=None, repr=False)  # extract.records.ArticleFacts
    text_removed: list[str] = field(default_factory=list, repr=False)
    # Title, text and policy titles as the search index writes them, cut with the facts' tokens (processing.py).
    search_segments: dict[str, str] = field(default_factory=dict, repr=False)
    # Made where the page is analysed, so the store only writes (crawler/article_writer.py): the story
    # fingerprint of the text (extract.stories.StoryPrint), the body's SHA-256 and its zlib-compressed bytes.
    story_print: Any = field(default=None, repr=False)
    body_hash: str | None = field(default=None, repr=False)
    stored_body: bytes | None = field(default=None, repr=False)


@dataclass
class NotModifiedPage:
    """A detail page the server confirmed unchanged (HTTP 304 to a conditional request): nothing to analyse."""

    site: str
    url: str  # canonical URL (the article's identity)
    checked_at: str  # ISO 8601, UTC


@dataclass
class FetchedAttachment:
    """A file linked from a notice (PDF, DOCX …), with the page it belongs to."""

    site: str
    article_url: str
    url: str
    name: str
    declared_type: str | None
    status: int
    body: bytes = field(repr=False)
    content_type: str | None = None
    fetched_at: str = ""
    # Filled by AttachmentTextPipeline:
    type: str | None = None
    text: str | None = None
    text_status: str | None = None
    reason: str | None = None
    facts: Any = field(default=None, repr=False)  # extract.records.ArticleFacts of the attachment's text
    search_segments: dict[str, str] = field(default_factory=dict, repr=False)  # its policy titles, cut for search


@dataclass
class FetchError:
    """A fetch that failed for good (after retries): recorded, never silently lost."""

    site: str
    url: str
    kind: str  # http_404, timeout, connection_reset, truncated, too_large, redirect_loop, offsite … (crawler/failures.py)
    attempts: int
    last_status: int | None
    message: str
    is_attachment: bool = False
    article_url: str | None = None  # for an attachment: the notice that links it
