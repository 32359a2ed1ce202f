"""Shared by the platforms that only a browser can read (scrapy-playwright + system Chromium).

The page is rendered by Chromium; the spider reads the DOM the page's own scripts built. No
signature or token is computed here: the browser does what the page does. scrapy-playwright
closes each page after its response (we never keep one), and contexts are capped by
PLAYWRIGHT_MAX_CONTEXTS / PLAYWRIGHT_MAX_PAGES_PER_CONTEXT, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from scrapy_playwright.page import PageMethod

from crawlers import settings as project
from crawlers.models import Post
from spiders.base import PlatformSpider

READY = "section.note-item, div.no-more, div.captcha, div.login-container"


class BrowserSpider(PlatformSpider):
    custom_settings: ClassVar[dict[str, Any]] = {
        "DOWNLOAD_HANDLERS": project.BROWSER_DOWNLOAD_HANDLERS,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,
    }

    def search_url(self, keyword: str, page: int) -> str:
        raise NotImplementedError

    def to_post(self, node: Any, keyword: str, response: Response) -> Post:
        raise NotImplementedError

    def search_request(self, keyword: str, page: int) -> scrapy.Request:
        return scrapy.Request(self.search_url(keyword, page), callback=self.parse_search, errback=self.failed,
                              dont_filter=True, cb_kwargs={"keyword": keyword, "page": page},
                              meta={"playwright": True, "playwright_context": f"{self.platform}-{page % 2}",
                                    "playwright_page_methods": [PageMethod("wait_for_selector", READY, state="attached",
                                                                           timeout=15_000)]})

    async def failed(self, failure: Any) -> None:
        # scrapy-playwright already closed the page; count it so health sees it.
        self.crawler.stats.inc_value("source/outcome/malformed")
        self.logger.warning("%s: page failed: %s", self.platform, failure.value)

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
