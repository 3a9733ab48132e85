"""The analysis steps of one fetched page, shared by the Scrapy pipelines and `policycrawl reextract`.

Each step calls `extract/` and fills the item; the crawl and the offline re-extraction can never disagree.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import signal
import threading
from collections.abc import Iterable, Iterator

from crawler.items import FetchedAttachment, FetchedPage

logger = logging.getLogger(__name__)


class NotAnArticle(Exception):
    """The page cannot be used as an article; `reason` becomes the drop counter's key."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail

    def __reduce__(self):  # raised in a worker process, re-raised in the crawl with the same reason
        return NotAnArticle, (self.reason, self.detail)


class PageTooSlow(NotAnArticle):
    """The analysis of one page ran past its time cap (ANALYSIS_TIMEOUT_SECONDS): a page built to be slow must
    not hold the only worker, so it is dropped as `too_slow` (an `errors` row `dropped_too_slow` with its URL)."""

    def __init__(self, url: str, seconds: float) -> None:
        super().__init__("too_slow", f"{url} (analysis over {seconds:g} s)")
        self.url, self.seconds = url, seconds

    def __reduce__(self):
        return PageTooSlow, (self.url, self.seconds)


@contextlib.contextmanager
def time_cap(seconds: float, url: str) -> Iterator[None]:
    """Raise PageTooSlow in this thread once `seconds` have passed (SIGALRM; 0 or not the main thread: no cap).

    A worker process runs its jobs on its main thread, so every job gets the cap; the alarm interrupts Python
    code and the C readers that check for signals (re, lxml between elements)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise PageTooSlow(url, seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def understand_page(item: FetchedPage) -> FetchedPage:
    """Decode the bytes and read the page: title, dates, notice fields, body, attachments."""
    from extract.article import is_probably_article, looks_like_waf_challenge, parse_page

    if not item.body or not item.body.strip():
        raise NotAnArticle("empty_body", item.url)
    record = parse_page(item.body, item.final_url or item.url, declared_encoding=item.declared_encoding)
    if "binary_body" in record.problems:
        raise NotAnArticle("binary_body", item.url)
    if "waf_challenge" in record.problems or looks_like_waf_challenge(record.text_original or record.text or ""):
        raise NotAnArticle("waf_challenge", item.url)
    _fill_from_hint(record, item.hint)
    if not is_probably_article(record):
        raise NotAnArticle("not_an_article", item.url)
    item.record = record
    return item


def _fill_from_hint(record, hint: dict) -> None:
    """What the list page or the API said fills fields the page itself did not give."""
    from extract.feeds import feed_date

    for field, key in (("title", "title"), ("published_on", "date"), ("doc_number", "doc_number"), ("issuer", "issuer")):
        if hint.get(key) and not getattr(record, field, None):
            # a date is checked again: a hint stored before dates were checked may say 2024-02-30
            value = feed_date(str(hint[key])) if key == "date" else hint[key]
            if not value:
                continue
            setattr(record, field, value)
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
    item.search_segments = search_segments(record.title, record.text, *(p.title for p in item.facts.policies))
    return item


def search_segments(*texts: str | None) -> dict[str, str]:
    """The search-index form of the texts the store will index, cut here with the tokens the facts used: a
    worker process does the cutting, the store (crawler.search_index.remember) only writes."""
    from crawler.search_index import remember, segment

    segments = {text: segment(text) for text in texts if text}
    remember(segments)  # a store in this same process (reextract) writes them without cutting again
    return segments


def extract_attachment(item: FetchedAttachment, max_bytes: int) -> FetchedAttachment:
    """Sniff the file type and pull its text; a file we cannot read says why."""
    from extract.attachments import extract_attachment_text

    result = extract_attachment_text(item.body, item.declared_type, max_bytes=max_bytes)
    item.type, item.text, item.text_status, item.reason = result.type, result.text, result.status, result.reason
    if result.status == "ok" and result.text:
        from extract.facts import extract_facts

        item.facts = extract_facts(result.text, file=item.url)
        item.search_segments = search_segments(*(p.title for p in item.facts.policies))
    return item


# --- worker processes: the CPU-heavy steps off the crawl's event loop, and reextract's analysis -------------


def warm_up() -> None:
    """Load what the first article would otherwise pay for (jieba's dictionary, OpenCC, the region and IDF
    tables): a worker process's initializer, so no item waits for it."""
    import extract.article  # noqa: F401  (lxml, htmldate)
    from extract.keywords import extract_keywords
    from extract.normalize import normalize_text
    from extract.regions import find_regions
    from extract.stories import fingerprint

    normalize_text("預熱：区块链、數字經濟")
    find_regions("湖南省长沙市")
    extract_keywords("湖南省数字经济发展规划")
    fingerprint("湖南省数字经济发展规划提出建设区块链公共服务平台" * 8)  # datasketch and numpy load here
    # and one whole page through every step, so each module the analysis imports late is loaded now: the
    # first real page must not pay seconds of imports against its time cap (ANALYSIS_TIMEOUT_SECONDS)
    analyse_or_reason(FetchedPage(site="warm-up", url=_WARM_UP_URL, final_url=_WARM_UP_URL, status=200,
                                  content_type="text/html", declared_encoding="utf-8", body=_WARM_UP_PAGE))


_WARM_UP_URL = "http://www.example.gov.cn/art/2024/3/12/art_1_1.html"
_WARM_UP_PAGE = (
    "<html><head><meta charset='utf-8'><title>关于印发湖南省数字经济发展规划的通知</title></head><body>"
    "<div class='content'><h1>关于印发湖南省数字经济发展规划的通知</h1><p>发布时间：2024-03-12 来源：湖南省人民政府办公厅</p>"
    "<p>各市州人民政府：现将《湖南省数字经济发展规划（2024—2026年）》印发给你们，请认真贯彻落实。</p>"
    "<p>到2026年，全省数字经济规模突破2.5万亿元，建成5G基站15万个以上，培育数字化转型标杆企业300家。</p>"
    "<p>附件：<a href='/files/规划.pdf'>规划.pdf</a></p></div></body></html>"
).encode()


def start_workers(workers: int):
    """A pool of `workers` processes (spawned: never a fork of the crawl's threads), each warmed up once."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker)


def _start_worker() -> None:
    """Ctrl-C reaches the whole process group: the crawl decides when its workers stop, not the keyboard."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    warm_up()


def _exit_with_parent(poll_seconds: float = 1.0) -> None:
    """A crawl killed with SIGKILL cannot stop its workers: each one leaves by itself once its parent is gone,
    instead of idling forever with the dead crawl's pipes open."""
    import os
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def worker_ready() -> bool:
    """A no-op job: submitting one per worker starts them all (and their warm-up) at once."""
    return True


def analyse_page(item: FetchedPage, seconds: float = 0) -> FetchedPage:
    """Every analysis step of one page, in order: one job for a worker (the crawl's pipeline, reextract);
    past `seconds` (0: no cap) the page is given up as PageTooSlow."""
    with time_cap(seconds, item.url):
        return prepare_for_store(extract_page_facts(normalize_record(understand_page(item))))


def prepare_for_store(item: FetchedPage) -> FetchedPage:
    """What the store would otherwise compute on the crawl's process: the text's story fingerprint, the
    page body's hash and compressed bytes."""
    from crawler.article_writer import prepare_body
    from extract.stories import fingerprint

    item.story_print = fingerprint(item.record.text or "")
    return prepare_body(item)


def analyse_or_reason(item: FetchedPage, seconds: float = 0) -> tuple[FetchedPage | None, str | None]:
    """`analyse_page`, with a page that is not an article returned as its reason instead of raised."""
    try:
        return analyse_page(item, seconds), None
    except NotAnArticle as exc:
        return None, str(exc)


def analysed_in_order(items: Iterable[FetchedPage], workers: int, chunk: int = 8,
                      seconds: float = 0) -> Iterator[tuple[FetchedPage | None, str | None]]:
    """`analyse_or_reason` of every item, in order; with `workers` > 0 in that many processes, a bounded
    number of pages in flight (never the whole corpus in memory at once); `seconds`: the cap per page."""
    if workers <= 0:
        yield from (analyse_or_reason(item, seconds) for item in items)
        return
    from collections import deque

    pool = start_workers(workers)
    try:
        pending: deque = deque()
        batch: list[FetchedPage] = []
        for item in items:
            batch.append(item)
            if len(batch) == chunk:
                pending.append(pool.submit(_analyse_batch, batch, seconds))
                batch = []
            while len(pending) > 2 * workers:
                yield from pending.popleft().result()
        if batch:
            pending.append(pool.submit(_analyse_batch, batch, seconds))
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _analyse_batch(items: list[FetchedPage], seconds: float = 0) -> list[tuple[FetchedPage | None, str | None]]:
    return [analyse_or_reason(item, seconds) for item in items]
