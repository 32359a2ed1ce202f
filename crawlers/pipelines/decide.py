"""Runs the filter chain on every new post: seen posts and non-leads stop here.

Non-leads are counted and dropped with no text kept (data minimisation); leads go on as a
DecidedPost to the store pipeline. Stats: civicwatch/posts_count, civicwatch/leads_count,
item_dropped_reasons_count/DropItem (+ civicwatch/dropped/<reason>).
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from civicwatch.models import DecidedPost, Post
from crawlers.runtime import Runtime, get_runtime


class DecidePipeline:
    def __init__(self, runtime: Runtime, stats: Any) -> None:
        self.runtime = runtime
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DecidePipeline:
        return cls(get_runtime(), crawler.stats)

    def process_item(self, item: Any, spider: Spider | None = None) -> DecidedPost:
        if not isinstance(item, Post):
            return item
        self.stats.inc_value("civicwatch/posts_count")
        if self.runtime.seen.contains(item.key):
            self.stats.inc_value("civicwatch/dropped/seen")
            raise DropItem(f"already seen: {item.key}", log_level="DEBUG")
        decision = self.runtime.chain.decide(item)
        if not decision.is_lead:
            self.runtime.seen.add([item.key])
            self.stats.inc_value("civicwatch/dropped/not_lead")
            raise DropItem(f"not a lead: {item.key}", log_level="DEBUG")
        self.stats.inc_value("civicwatch/leads_count")
        return DecidedPost(post=item, decision=decision)
