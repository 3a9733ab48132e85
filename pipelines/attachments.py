"""Text of PDF/DOCX attachments (extract.attachments), with a status that says what could not be read; in a
worker process, as PDF parsing is the heaviest step of all. The policy titles it names come back cut for the
search index (`item.search_segments`), so the store only writes them."""

from __future__ import annotations

from crawler.items import FetchedAttachment
from crawler.processing import extract_attachment
from pipelines import offload


class AttachmentTextPipeline(offload.OffloadingPipeline):
    def __init__(self, max_bytes: int, workers: int = 0) -> None:
        super().__init__(workers)
        self.max_bytes = max_bytes

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("ATTACHMENT_MAX_BYTES"), crawler.settings.getint("PROCESSING_WORKERS"))

    async def process_item(self, item, spider=None):
        if not isinstance(item, FetchedAttachment):
            return item
        return await offload.run(extract_attachment, item, self.max_bytes)
