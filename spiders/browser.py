"""Shared by the platforms that only a browser can read (scrapy-playwright + system Chromium).

The page is rendered by Chromium; the spider reads the DOM the page's own scripts built. No
signature or token is computed here: the browser does what the page does.

Memory (benchmarks/platforms.py measures it):
- One Playwright driver (node) and one Chromium per process (`SharedBrowserProvider`, wired by
  PLAYWRIGHT_BROWSER_PROVIDER), however many browser crawls run at once: scrapy-playwright
  would otherwise start a driver per download handler (http and https: two per crawl) and a
  Chromium per crawl. Each crawl keeps its own contexts (cookies stay apart); the browser and
  the driver stop when the last crawl using them closes, so nothing lives between rounds.
- scrapy-playwright closes every page after its response, and on failure before the errback
  runs (we never ask for the page: no `playwright_include_page`). One context per crawl
  (PLAYWRIGHT_MAX_CONTEXTS = 1), closed with the crawl: each polling round starts clean.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import suppress
from typing import Any, ClassVar

import scrapy
from playwright.async_api import Browser, PlaywrightContextManager
from playwright.async_api import Error as PlaywrightError
from scrapy.http import Response
from scrapy_playwright.page import PageMethod
from scrapy_playwright.provider import PlaywrightBrowserProvider

from civicwatch.models import Post
from spiders.base import PlatformSpider

# Only the browser platforms' crawls download through Playwright (their custom_settings).
BROWSER_DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}

READY = "section.note-item, div.no-more, div.captcha, div.login-container"


class _State:
    """The process's one Playwright driver and browser, and how many crawls use them."""

    users = 0
    manager: PlaywrightContextManager | None = None
    playwright: Any = None
    browser: Browser | None = None
    lock: asyncio.Lock | None = None


class _BrowserView:
    """What one download handler sees of the shared browser: its `close()` only lets go (the
    provider closes the browser with its last user) and drops the listeners it added."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self._listeners: list[tuple[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)

    def on(self, event: str, f: Any) -> None:
        self._listeners.append((event, f))
        self._browser.on(event, f)

    def detach(self) -> None:
        for event, f in self._listeners:
            with suppress(Exception):
                self._browser.remove_listener(event, f)
        self._listeners.clear()

    async def close(self) -> None:
        self.detach()


class SharedBrowserProvider(PlaywrightBrowserProvider):
    """scrapy-playwright browser provider (PLAYWRIGHT_BROWSER_PROVIDER): all download handlers
    of the process share one driver and one local browser, refcounted; remote browsers
    (PLAYWRIGHT_CDP_URL / PLAYWRIGHT_CONNECT_URL) are left to the default provider."""

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self.remote = bool(config.cdp_url or config.connect_url)
        self.started = False
        self.views: list[_BrowserView] = []

    @staticmethod
    def _lock() -> asyncio.Lock:
        if _State.lock is None:
            _State.lock = asyncio.Lock()
        return _State.lock

    async def start(self) -> None:
        if self.remote:
            return await super().start()
        async with self._lock():
            if _State.users == 0:
                _State.manager = PlaywrightContextManager()
                _State.playwright = await _State.manager.start()
            _State.users += 1
            self.started = True
            # read by scrapy_playwright.memusage
            self.playwright_context_manager, self.playwright = _State.manager, _State.playwright
            self.browser_type = getattr(_State.playwright, self.config.browser_type_name)

    async def launch_browser(self) -> Browser:
        if self.remote:
            return await super().launch_browser()
        async with self._lock():
            if _State.browser is None or not _State.browser.is_connected():
                _State.browser = await self.browser_type.launch(**self.config.launch_options)
            view = _BrowserView(_State.browser)
        self.views.append(view)
        return view  # type: ignore[return-value]

    async def close(self) -> None:
        if self.remote:
            return await super().close()
        if not self.started:
            return
        self.started = False
        for view in self.views:
            view.detach()
        self.views.clear()
        async with self._lock():
            _State.users -= 1
            if _State.users > 0:
                return
            browser, manager = _State.browser, _State.manager
            _State.browser = _State.manager = _State.playwright = None
            if browser is not None:
                with suppress(PlaywrightError):
                    await browser.close()
            if manager is not None:
                with suppress(Exception):
                    await manager.__aexit__()


class BrowserSpider(PlatformSpider):
    custom_settings: ClassVar[dict[str, Any]] = {
        "DOWNLOAD_HANDLERS": BROWSER_DOWNLOAD_HANDLERS,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,
    }

    def search_url(self, keyword: str, page: int) -> str:
        raise NotImplementedError

    def to_post(self, node: Any, keyword: str, response: Response) -> Post:
        raise NotImplementedError

    def search_request(self, keyword: str, page: int) -> scrapy.Request:
        return scrapy.Request(self.search_url(keyword, page), callback=self.parse_search, errback=self.failed,
                              dont_filter=True, cb_kwargs={"keyword": keyword, "page": page},
                              meta={"playwright": True, "playwright_context": self.platform,
                                    "playwright_page_methods": [PageMethod("wait_for_selector", READY, state="attached",
                                                                           timeout=15_000)]})

    async def failed(self, failure: Any) -> None:
        # scrapy-playwright already closed the page; record it so health sees it too.
        self.record_outcome("malformed", failure.request, f"page failed: {failure.value}")

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        if response.status in (461, 471) or response.css("div.captcha"):
            self.record_outcome("captcha", response, f"HTTP {response.status}")
            return
        if self.refused(response):
            return
        if response.css("div.login-container"):
            self.record_outcome("login_required", response, "login wall")
            return
        nodes = response.css("section.note-item")
        if not nodes and not response.css("div.no-more, div.more"):
            self.record_outcome("malformed", response, "page rendered no result list")
            return
        posts: list[Post] = []
        for node in nodes:
            try:
                posts.append(self.to_post(node, keyword, response))
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                self.record_outcome("malformed", response, f"item skipped: {exc}")
        self.record_outcome("ok" if posts else "empty", response)
        yield from self.new_posts(keyword, posts)
        more = bool(response.css("div.more"))
        if self.keep_paging(keyword, page, posts, more):
            yield self.search_request(keyword, page + 1)
        elif not more:
            self.record_outcome("end", response)
