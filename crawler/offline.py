"""Work on stored pages without the network: `reextract` (files a user names: crawler/text_files.py)."""

from __future__ import annotations

import logging
import time

from crawler.store import Store
from crawler.text_files import NotTextError, ensure_text, facts_of_file, read_text_file

__all__ = ["NotTextError", "ensure_text", "facts_of_file", "read_text_file", "reextract_all"]

logger = logging.getLogger(__name__)


REEXTRACT_BATCH = 50  # articles per transaction (no event loop to keep moving here, unlike the crawl's store)


def reextract_all(db_path: str, workers: int | None = None) -> tuple[int, int, float]:
    """Refresh every article's analysed fields and facts from its stored page; (done, skipped, seconds).

    Pages are analysed in `workers` processes (default REEXTRACT_WORKERS, crawler/settings.py; 0: here) while
    this process writes the results, in the order the pages were read, 50 articles per transaction.
    """
    from crawler.processing import analysed_in_order
    from crawler.settings import REEXTRACT_WORKERS

    store = Store(db_path)
    started = time.perf_counter()
    done = skipped = 0
    workers = REEXTRACT_WORKERS if workers is None else workers
    batch: list = []
    for item, reason in analysed_in_order(store.iter_stored_pages(), workers):
        if item is None:
            logger.warning("not re-extracted: %s", reason)
            skipped += 1
            continue
        batch.append(item)
        if len(batch) >= REEXTRACT_BATCH:
            done += store.replace_articles_facts(batch)
            batch = []
    if batch:
        done += store.replace_articles_facts(batch)
    return done, skipped, time.perf_counter() - started
