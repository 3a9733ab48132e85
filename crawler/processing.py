"""The analysis steps of one fetched page, shared by the Scrapy pipelines and `policycrawl reextract`.

Each step calls `extract/` and fills the item; the crawl and the offline re-extraction can never disagree.
"""

from __future__ import annotations

import datetime as dt
import logging

from crawler.items import FetchedAttachment, FetchedPage

logger = logging.getLogger(__name__)


class NotAnArticle(Exception):
    """The page cannot be used as an article; `reason` becomes the drop counter's key."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def understand_page(item: FetchedPage) -> FetchedPage:
    """Decode the bytes and read the page: title, dates, notice fields, body, attachments."""
    from extract.article import is_probably_article, looks_like_waf_challenge, parse_page

    if not item.body or not item.body.strip():
        raise NotAnArticle("empty_body", item.url)
    record = parse_page(item.body, item.final_url or item.url, declared_encoding=item.declared_encoding)
    if "binary_body" in record.problems:
        raise NotAnArticle("binary_body", item.url)
    if looks_like_waf_challenge(record.text_original or record.text or ""):
        raise NotAnArticle("waf_challenge", item.url)
    _fill_from_hint(record, item.hint)
    if not is_probably_article(record):
        raise NotAnArticle("not_an_article", item.url)
    item.record = record
    return item


def _fill_from_hint(record, hint: dict) -> None:
    """What the list page or the API said fills fields the page itself did not give."""
    for field, key in (("title", "title"), ("published_on", "date"), ("doc_number", "doc_number"), ("issuer", "issuer")):
        if hint.get(key) and not getattr(record, field, None):
            setattr(record, field, hint[key])
            record.fields_from[field] = "list"
    if not record.published_at and record.published_on:
        record.published_at = record.published_on
        record.fields_from.setdefault("published_at", record.fields_from.get("published_on", "list"))


def normalize_record(item: FetchedPage) -> FetchedPage:
    """Simplified script and clean punctuation for the body (unless already done) and the short fields."""
    from extract.normalize import normalize_text

    record = item.record
    if not record.text and record.text_original:
        norm = normalize_text(record.text_original)
        record.text, record.language = norm.text, norm.language
        item.text_removed = norm.removed
    elif record.text_original and not item.text_removed:
        item.text_removed = normalize_text(record.text_original).removed
    for field in ("title", "source", "author", "issuer", "topic"):
        value = getattr(record, field, None)
        if value:
            setattr(record, field, normalize_text(value, strip=False).text.strip())
    if not record.text.strip():
        raise NotAnArticle("no_body", item.url)
    return item


def reference_date(record) -> dt.date | None:
    """The article's own date, the only clock fact extraction may use."""
    for value in (record.published_on, record.published_at, record.written_on):
        if value and len(value) >= 10:
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def extract_page_facts(item: FetchedPage) -> FetchedPage:
    """Policies, targets, regions and keywords of the normalised body."""
    from extract.facts import extract_facts

    record = item.record
    page_fields = None
    if record.doc_number or record.index_no or record.issuer:
        page_fields = {
            "title": record.title,
            "doc_number": record.doc_number,
            "issuer": record.issuer,
            "written_on": record.written_on,
            "published_on": record.published_on,
        }
    item.facts = extract_facts(
        record.text,
        file=item.url,
        reference_date=reference_date(record),
        title=record.title,
        source=record.source,
        author=record.author,
        page_fields=page_fields,
        normalized=True,
    )
    return item


def extract_attachment(item: FetchedAttachment, max_bytes: int) -> FetchedAttachment:
    """Sniff the file type and pull its text; a file we cannot read says why."""
    from extract.attachments import extract_attachment_text

    result = extract_attachment_text(item.body, item.declared_type, max_bytes=max_bytes)
    item.type, item.text, item.text_status, item.reason = result.type, result.text, result.status, result.reason
    if result.status == "ok" and result.text:
        from extract.facts import extract_facts

        item.facts = extract_facts(result.text, file=item.url)
    return item
