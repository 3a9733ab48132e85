"""Text of PDF/DOCX attachments (extract.attachments), with a status that says what could not be read."""

from __future__ import annotations

from crawler.items import FetchedAttachment
from crawler.processing import extract_attachment


class AttachmentTextPipeline:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("ATTACHMENT_MAX_BYTES"))

    def process_item(self, item, spider=None):
        if not isinstance(item, FetchedAttachment):
            return item
        return extract_attachment(item, self.max_bytes)
