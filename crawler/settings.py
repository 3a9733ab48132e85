"""Every default of policy-crawler, as Scrapy settings (UPPERCASE constants).

Nothing else in the project reads the environment; the command line overrides these per run.
"""

import os

BOT_NAME = "policy-crawler"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- where things go -------------------------------------------------------------------------------
DB_PATH = "data/policy.db"
LOG_DIR = "data/logs"
REGISTRY_PATH = None  # None = the registry shipped in the package (crawler/registry/sites.yaml)

# --- politeness (the live web) ---------------------------------------------------------------------
CONTACT_URL = "https://github.com/policy-crawler/policy-crawler"
USER_AGENT = f"policy-crawler/0.1 (+{CONTACT_URL})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy starts this many asyncio tasks for every response's output, however little it yields (the default
# 100 cost the crawl process more CPU than its own work: a detail page yields one item, a list page ~20 links).
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Scrapy logs the last failed retry as an ERROR; the spider's errback logs the same failure as a WARNING with
# the page's kind and records it in `errors`, so Scrapy's line is kept to the log file.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
# Retries wait RETRY_BACKOFF_BASE * 2**(attempt-1) seconds (capped): Scrapy's RetryMiddleware retries at once.
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
}
# Redirect loops and redirects off the site become `errors` rows instead of silent drops (above Scrapy's
# RedirectMiddleware at 600, so it sees each 3xx first). A notice is a few hops away at most: longer is a trap.
DOWNLOADER_MIDDLEWARES["crawler.redirect_guard.RedirectGuardMiddleware"] = 610
REDIRECT_MAX_TIMES = 5
# Limits every live registry entry must respect (crawler/registry.py checks them at load).
LIVE_MAX_CONCURRENCY = 2
LIVE_MIN_DOWNLOAD_DELAY = 1.0
# Government pages are small; anything bigger is a trap or a mistake. Attachments have their own cap.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES = ["pdf", "docx", "doc", "xls", "xlsx", "wps", "ofd", "et"]  # ofd, xlsx, xls, et: extract/attachment_text.py
# Decompression is bounded by the bytes it actually produces (streamed), never by what a header promises.
# A feed: the sitemap protocol's own limit for one uncompressed file; beyond it the head is read.
FEED_MAX_BYTES = 50 * 1024 * 1024
# An attachment's zip members (DOCX) together: more than any text document holds, far less than a bomb.
ATTACHMENT_EXPANDED_MAX_BYTES = 64 * 1024 * 1024
# A stored page body (zlib): twice DOWNLOAD_MAXSIZE, so only a body the crawl did not store can reach it.
STORED_BODY_MAX_BYTES = 64 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPERROR_ALLOWED_CODES: list[int] = []
MAX_LIST_PAGES = 50  # per site and run: a calendar that pages forever stops here

# --- nightly runs: incremental crawling (crawler/incremental.py) ------------------------------------
# A stored page is asked again (conditionally: ETag / Last-Modified, a 304 costs no body) after this many days;
# `policycrawl crawl --revisit` asks every known page now. None: only when the list shows a newer date.
REVISIT_AFTER_DAYS = 30
# `policycrawl revisit` (crawler/revisit.py): exit code 1 when more than this share of its answers were
# `unreachable` (network, WAF): gone or changed documents are findings, not failures.
REVISIT_UNREACHABLE_RATIO = 0.5
# Stop following a site's list pages after this many pages in a row that held nothing new (0: never stop);
# only on a site whose list an earlier run walked to the end, so a killed first crawl is completed next time.
INCREMENTAL_STOP_AFTER_KNOWN_PAGES = 1

# --- the sample sites (served on 127.0.0.1 by `policycrawl crawl --sample`) ------------------------
SAMPLE_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_TIMEOUT": 10,
    "RETRY_TIMES": 2,
    "RETRY_BACKOFF_BASE": 0.05,  # our own servers: keep the 500-once retry fast
}

# --- what counts as a failed run (exit code 1, spec/CLI.md) -----------------------------------------
# A site fails when it yields no article at all, or when more than this share of its detail fetches fail.
SITE_ERROR_RATIO_THRESHOLD = 0.25
# A site is broken when more than this share of the pages it gave in a run lack a title, a date or a body
# (a redesign that the generic reader no longer understands); the summary names an example page.
SITE_MISSING_FIELD_RATIO = 0.5

# --- distributed crawls: `crawl --frontier redis://… --db postgresql://…` (README: Scaling out) ------
FRONTIER_KEY_PREFIX = "policycrawl"  # Redis keys: policycrawl:<site>:requests, …:dupefilter, …:seen
FRONTIER_IDLE_SECONDS = 60.0  # a worker stops after its sites' queues have been empty (none in flight) this long
FRONTIER_LEASE_SECONDS = 15  # a worker's heartbeat lease; a dead worker's requests are re-queued after it expires
FRONTIER_POLL_SECONDS = 0.5  # how often a waiting worker looks at the shared queue
FRONTIER_MAX_DOWNLOADING = 0  # a site's requests one worker downloads at once; 0 = what its slot can send now
# `scrapy crawl KIND -a site=NAME -s FRONTIER_URL=redis://…` (scrapyd jobs) is a worker too; unset, nothing changes.
FRONTIER_URL = None
ADDONS = {"crawler.frontier_addon.FrontierAddon": 0}

# --- pipelines, in order: analyse the page (understand → normalise → facts) → attachments → store ------
# Page analysis runs in this many worker processes (pipelines/offload.py), so the event loop keeps
# downloading while pages are analysed; 0 analyses on the event loop itself. One core is left to the crawl
# process (Scrapy and the store), the others analyse, at most four (each worker holds ~200 MB of dictionaries).
PROCESSING_WORKERS = max(0, min(4, (os.cpu_count() or 1) - 1))
# One page's analysis (read → normalise → facts → fingerprint) may take this long; past it the page is dropped
# as `too_slow` (an `errors` row `dropped_too_slow` with its URL) and its worker takes the next page. A notice
# takes ~10 ms; a page built to be slow took 29 s of the only worker before (issue 21). 0: no cap.
ANALYSIS_TIMEOUT_SECONDS = 20.0
# `policycrawl reextract` has no event loop to keep moving: its writer mostly waits, so every core analyses.
REEXTRACT_WORKERS = max(1, min(4, os.cpu_count() or 1))
# Articles are stored in batches, one transaction each (pipelines/store.py): at most this many, held at most
# this long. A crawl killed meanwhile loses only the held batch, whose pages the next run fetches again.
# Small on purpose: a batch is written on the event loop, and 10 articles (~50 ms) keep the analysis workers
# fed where 50 starved them (bench: 69 against 52 pages/s).
STORE_BATCH_SIZE = 10
STORE_BATCH_SECONDS = 2.0
ITEM_PIPELINES = {
    "pipelines.analysis.PageAnalysisPipeline": 100,
    "pipelines.attachments.AttachmentTextPipeline": 250,
    "pipelines.store.StoragePipeline": 900,
}

# --- Scrapy housekeeping ---------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
LOG_FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"
# `policycrawl crawl --log-file F` rotates F by size (crawler/logging_setup.py): F, F.1 … F.N.
LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_BACKUP_COUNT = 5
