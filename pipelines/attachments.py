"""Text of PDF/DOCX attachments (extract.attachments), with a status that says what could not be read; in a
worker process, as PDF parsing is the heaviest step of all."""

from __future__ import annotations

from crawler.items import FetchedAttachment
from crawler.processing import extract_attachment
from crawler.search_index import remember
from pipelines import offload


class AttachmentTextPipeline:
    def __init__(self, max_bytes: int, workers: int = 0) -> None:
        self.max_bytes = max_bytes
        self.workers = workers

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("ATTACHMENT_MAX_BYTES"), crawler.settings.getint("PROCESSING_WORKERS"))

    def open_spider(self, spider=None) -> None:
        offload.acquire(self.workers)

    def close_spider(self, spider=None) -> None:
        offload.release()

    async def process_item(self, item, spider=None):
        if not isinstance(item, FetchedAttachment):
            return item
        item = await offload.run(extract_attachment, item, self.max_bytes)
        remember(item.search_segments)  # the store indexes the policies it names without cutting again
        return item
