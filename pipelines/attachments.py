"""Text of attachments, with a status that says what could not be read; in a worker process, as PDF parsing is
the heaviest step of all. PDF/DOCX through extract.attachments; OFD, XLSX, XLS/ET and DOC/WPS, which it leaves
`unsupported`, through extract.attachment_text, and their facts through the same extractor. The policy titles
it names come back cut for the search index (`item.search_segments`), so the store only writes them."""

from __future__ import annotations

from crawler.items import FetchedAttachment
from crawler.processing import extract_attachment, search_segments
from extract.attachment_text import read_attachment_text
from extract.facts import extract_facts
from pipelines import offload


def read_attachment(item: FetchedAttachment, max_bytes: int) -> FetchedAttachment:
    """extract.attachments first; a format it leaves `unsupported` goes to extract.attachment_text."""
    item = extract_attachment(item, max_bytes)
    if item.text_status != "unsupported":
        return item
    result = read_attachment_text(item.body, item.declared_type)
    if result is None:
        return item
    item.type, item.text, item.text_status, item.reason = (
        result.type,
        result.text,
        result.status,
        result.reason,
    )
    if result.status == "ok" and result.text:
        item.facts = extract_facts(result.text, file=item.url)
        item.search_segments = search_segments(*(p.title for p in item.facts.policies))
    return item


class AttachmentTextPipeline(offload.OffloadingPipeline):
    def __init__(self, max_bytes: int, workers: int = 0) -> None:
        super().__init__(workers)
        self.max_bytes = max_bytes

    @classmethod
    def from_crawler(cls, crawler):
        return cls(
            crawler.settings.getint("ATTACHMENT_MAX_BYTES"), crawler.settings.getint("PROCESSING_WORKERS")
        )

    async def process_item(self, item, spider=None):
        if not isinstance(item, FetchedAttachment):
            return item
        return await offload.run(read_attachment, item, self.max_bytes)
