"""Runs the filter chain on every new post: seen posts and non-leads stop here.

The chain first catches up on the leads other crawl processes stored (crawlers/dedupsync.py),
so a re-wording decided here joins an incident another process found.

Non-leads are counted and dropped with no text kept (data minimisation); leads go on as a
DecidedPost to the store pipeline. Stats, like Scrapy's `retry/reason_count/<reason>`:
civicwatch/posts_count, civicwatch/leads_count, and one civicwatch/dropped/<reason> per reason a
post stopped here (`seen` for a post the seen-set already holds, else the decision's drop_reason).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from civicwatch.models import DecidedPost, Decision, Post
from crawlers.pipelines.servers import counting_server_errors
from crawlers.services import Services
from sinks.seen import SeenSet

DROPPED = "civicwatch/dropped/"


def drop_reason(decision: Decision) -> str:
    """The short ASCII code a non-lead is counted under."""
    return decision.drop_reason or "undecided"


class DecidePipeline:
    def __init__(self, seen: SeenSet, decide: Callable[[Post], Decision], stats: Any) -> None:
        self.seen = seen
        self.decide = decide  # DuplicateSync.decide: the chain's, after catching up
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DecidePipeline:
        services = Services.from_crawler(crawler)
        return cls(services.seen, services.dedup_sync.decide, crawler.stats)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, Post):
            return item
        with counting_server_errors(self.stats):  # a seen-set failure fails the round
            return self._process(item)

    def _process(self, item: Post) -> Any:
        self.stats.inc_value("civicwatch/posts_count")
        if self.seen.contains(item.key):
            self.stats.inc_value(DROPPED + "seen")
            raise DropItem(f"already seen: {item.key}", log_level="DEBUG")
        decision = self.decide(item)
        if not decision.is_lead:
            self.seen.add([item.key])
            reason = drop_reason(decision)
            self.stats.inc_value(DROPPED + reason)
            raise DropItem(f"not a lead ({reason}): {item.key}", log_level="DEBUG")
        self.stats.inc_value("civicwatch/leads_count")
        return DecidedPost(post=item, decision=decision)
