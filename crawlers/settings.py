"""Scrapy settings for civicwatch (scrapy.cfg points here).

Components are wired here by import path and order, Scrapy-style. civicwatch's own settings
(`CIVICWATCH_…`) are not defined here: every one of them, with its default and help text, is in
the one table civicwatch/settings.py, and comes in from it below (read from the environment);
a command that starts crawls overrides them with what it resolved (crawlers/services.py).
Components read them in `from_crawler` from `crawler.settings`.
"""

from civicwatch.settings import as_scrapy_settings as _as_scrapy_settings
from civicwatch.settings import get_settings as _get_settings

_civicwatch = _get_settings()
globals().update(_as_scrapy_settings(_civicwatch))  # CIVICWATCH_MONGO_URI, CIVICWATCH_SIMULATOR, …

BOT_NAME = "civicwatch"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Scrapy >= 2.13 defaults; pinned so a Scrapy upgrade does not change behaviour silently.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

ROBOTSTXT_OBEY = False  # per platform: config/platforms.yaml `obey_robots`
USER_AGENT = "civicwatch/0.1 (+public livelihood monitoring; contact: operations)"
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 5
DOWNLOAD_DELAY_JITTER = 0.5  # ±50% around DOWNLOAD_DELAY (what RANDOMIZE_DOWNLOAD_DELAY did)
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
# 429/432 are rate limits: the spider reports them (source health) instead of hammering.
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
# Spiders classify every status themselves (docs/platforms.md, "Outcomes, health and backoff").
HTTPERROR_ALLOW_ALL = True
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = _civicwatch.log_level
LOG_FORMATTER = "crawlers.logformatter.PrivacyLogFormatter"  # items logged by platform:post_id only

DOWNLOADER_MIDDLEWARES = {
    # Engine side
    "crawlers.middlewares.simulator.SimulatorHostMiddleware": 50,
    # Before the budget: a detail page of a post already handled is never sent, so never counted.
    "crawlers.middlewares.seen.SeenPostMiddleware": 55,
    # After the simulator's rewrite (a rewritten request passes again): counts each request once.
    "crawlers.middlewares.budget.PlannerBudgetMiddleware": 60,  # only in planned rounds
    # Downloader side
}

ITEM_PIPELINES = {
    "crawlers.pipelines.decide.DecidePipeline": 300,
    "crawlers.pipelines.store.StorePipeline": 500,
}

# The connections and the filter chain components share (crawlers/services.py): a command that
# starts crawls hands them over in CIVICWATCH_SERVICES; for a bare `scrapy crawl NAME` this
# add-on builds them from the settings above, starting embedded servers if it must.
ADDONS = {
    "crawlers.services.ServicesAddon": 0,
}

EXTENSIONS = {
    "crawlers.extensions.crawlstate.CrawlStateExtension": 100,
    "crawlers.extensions.planner.PlannerExtension": 200,  # only in planned rounds (crawlers/planning.py)
    "crawlers.extensions.planner.SharedRoundTallies": 201,  # only in scale-out workers
    "crawlers.extensions.health.SourceHealthExtension": 800,
    "crawlers.extensions.metrics.MetricsExtension": 900,
    "crawlers.scaleout.WorkerKeepAlive": 950,  # only with CIVICWATCH_WORKER (civicwatch worker)
}

# scrapy-playwright is wired per spider: a browser platform's spider sets DOWNLOAD_HANDLERS in its
# custom_settings (spiders/browser.py), so plain crawls never start Playwright.
PLAYWRIGHT_BROWSER_TYPE = "chromium"
# The system Chromium (CIVICWATCH_CHROMIUM); Playwright's own browser download fails here.
# Playwright already adds --disable-dev-shm-usage and --disable-extensions; --no-zygote,
# --renderer-process-limit=1, --in-process-gpu, --js-flags=--max-old-space-size and site
# isolation switches were measured (benchmarks/platforms.py) and saved nothing, so none is set.
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": str(_civicwatch.chromium),
    "headless": True,
    "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
}
# One Playwright driver and one Chromium per process, shared by all browser crawls (refcounted,
# stopped with the last crawl); see spiders/browser.py.
PLAYWRIGHT_BROWSER_PROVIDER = "spiders.browser.SharedBrowserProvider"
# Browser platforms fetch one page at a time (platforms.yaml concurrency 1): one context per
# crawl (closed with it), one page in it at a time.
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 1
# Only requests with meta["playwright"] = True use the browser; it starts on first use.
PLAYWRIGHT_ABORT_REQUEST = None
