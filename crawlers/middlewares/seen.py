"""Skips detail requests for posts the seen-set already holds, before they cost a request.

A board listing (Tieba's `/f?kw=…`) is ordered by last reply, so every read lists threads
read before; each thread's first floor never changes, so a thread page whose post is in the
seen-set (stored, or decided not a lead) would only be dropped by DecidePipeline after the
download. Skipping it here is what makes a board cheap to read every period: after the first
read only its new threads are fetched. Requests say which post they read with
`meta[POST_KEY_META]` (spiders/base.py); others pass untouched.

The check fails open: with Redis not answering, the request is sent and DecidePipeline, which
asks the same seen-set, fails the item and the round as before.
"""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawlers.pipelines.servers import failed_server
from crawlers.services import Services
from sinks.seen import SeenSet
from sinks.servers import SERVER_DOWN_ERRORS
from spiders.base import POST_KEY_META

logger = logging.getLogger(__name__)

DECIDE_PIPELINE = "crawlers.pipelines.decide.DecidePipeline"
SKIPPED = "civicwatch/seen/skipped_requests"
UNCHECKED = "civicwatch/seen/unchecked_requests"


class SeenPostMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self._seen: SeenSet | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeenPostMiddleware:
        # Skipping early is only right where the pipeline would drop the post anyway.
        if DECIDE_PIPELINE not in crawler.settings.getdict("ITEM_PIPELINES"):
            raise NotConfigured("no seen-set pipeline in this crawl")
        return cls(crawler)

    @property
    def seen(self) -> SeenSet:
        if self._seen is None:  # Services open lazily: a crawl with no detail request needs no Redis
            self._seen = Services.from_crawler(self.crawler).seen
        return self._seen

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        key = request.meta.get(POST_KEY_META)
        if not isinstance(key, str) or failed_server(self.stats):
            return
        try:
            seen = self.seen.contains(key)
        except SERVER_DOWN_ERRORS as exc:
            self.stats.inc_value(UNCHECKED)
            if self.stats.get_value(UNCHECKED) == 1:
                logger.warning("seen-set not answering (%s); detail pages are fetched unchecked",
                               type(exc).__name__)
            return
        if seen:
            self.stats.inc_value(SKIPPED)
            raise IgnoreRequest(f"already seen: {key}")
