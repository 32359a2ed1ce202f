"""Incremental crawling: hands spiders their watermarks and advances them after the crawl.

A watermark is the newest `published_at` already processed for a platform and keyword. It is
advanced only when the crawl finished normally, and only for keywords whose every post was
processed without error and whose paging reached the old watermark (a spider lists keywords
it had to cut short, e.g. at `max_pages`, in `spider.truncated_keywords`). Anything else is
fetched again next round; the seen-set keeps that from doubling anything.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from civicwatch.models import DecidedPost, Post
from crawlers.pipelines.servers import failed_server
from crawlers.services import Services
from sinks.mongo import Store
from sinks.servers import SERVER_DOWN_ERRORS, server_down

logger = logging.getLogger(__name__)


def _post_of(item: Any) -> Post | None:
    if isinstance(item, Post):
        return item
    if isinstance(item, DecidedPost):
        return item.post
    return None


class CrawlStateExtension:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.newest: dict[tuple[str, str], datetime] = {}
        self.failed: set[tuple[str, str]] = set()
        self.counts: dict[tuple[str, str], int] = defaultdict(int)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlStateExtension:
        ext = cls(Services.from_crawler(crawler).store)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_done, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_done, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @staticmethod
    def _platform(spider: Spider) -> str:
        return getattr(spider, "platform", None) or spider.name

    def spider_opened(self, spider: Spider) -> None:
        if getattr(spider, "watermarks", None):
            return  # given explicitly (spider argument)
        spider.watermarks = self.store.get_watermarks(self._platform(spider))

    def item_done(self, item: Any, spider: Spider, **_: Any) -> None:
        post = _post_of(item)
        if post is None or post.keyword is None:
            return
        key = (post.platform, post.keyword)
        self.counts[key] += 1
        if key not in self.newest or post.published_at > self.newest[key]:
            self.newest[key] = post.published_at

    def item_error(self, item: Any, spider: Spider, failure: Any, **_: Any) -> None:
        post = _post_of(item)
        if post is not None and post.keyword is not None:
            self.failed.add((post.platform, post.keyword))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if reason != "finished":
            logger.warning("%s closed (%s): watermarks kept, next round reads again", spider.name, reason)
            return
        stats = getattr(getattr(spider, "crawler", None), "stats", None)
        if stats is not None and failed_server(stats) == "mongodb":  # where watermarks live
            logger.warning("%s: MongoDB failed in this round: watermarks kept, next round reads again",
                           spider.name)
            return
        truncated = set(getattr(spider, "truncated_keywords", ()))
        for (platform, keyword), newest in self.newest.items():
            if (platform, keyword) in self.failed or keyword in truncated:
                logger.warning("watermark of %s/%s kept: posts failed or paging was cut short",
                               platform, keyword)
                continue
            try:
                self.store.advance_watermark(platform, keyword, newest)
            except SERVER_DOWN_ERRORS as exc:  # kept: the next round reads again
                logger.warning("watermarks of %s kept: %s", platform, server_down(exc))
                return
