"""Every default of policy-crawler, as Scrapy settings (UPPERCASE constants).

Nothing else in the project reads the environment; the command line overrides these per run.
"""

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
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Government pages are small; anything bigger is a trap or a mistake. Attachments have their own cap.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES = ["pdf", "docx", "doc", "xls", "xlsx", "wps"]
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPERROR_ALLOWED_CODES: list[int] = []
MAX_LIST_PAGES = 50  # per site and run: a calendar that pages forever stops here

# --- the sample sites (served on 127.0.0.1 by `policycrawl crawl --sample`) ------------------------
SAMPLE_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_TIMEOUT": 10,
    "RETRY_TIMES": 2,
}

# --- what counts as a failed run (exit code 1, spec/CLI.md) -----------------------------------------
# A site fails when it yields no article at all, or when more than this share of its detail fetches fail.
SITE_ERROR_RATIO_THRESHOLD = 0.25

# --- pipelines, in order: understand the page → normalise → extract facts → store -----------------
ITEM_PIPELINES = {
    "pipelines.page.PageUnderstandingPipeline": 100,
    "pipelines.normalize.ScriptNormalizationPipeline": 200,
    "pipelines.attachments.AttachmentTextPipeline": 250,
    "pipelines.facts.FactExtractionPipeline": 300,
    "pipelines.store.StoragePipeline": 900,
}

# --- Scrapy housekeeping ---------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
LOG_FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"
