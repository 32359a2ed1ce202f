"""Stores a lead: masked post + lead (or a new source on an existing lead), then marks it seen.

Marking seen only after the write means a crash in between refetches the post instead of
losing it; the store's upserts make the second write harmless.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from civicwatch.clock import now_shanghai
from civicwatch.models import DecidedPost
from crawlers.runtime import Runtime, get_runtime
from sinks.leads import LeadService


class StorePipeline:
    def __init__(self, runtime: Runtime, stats: Any) -> None:
        self.runtime = runtime
        self.stats = stats
        self.leads = LeadService(runtime.store, runtime.config.catalogue)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(get_runtime(), crawler.stats)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, DecidedPost):
            return item
        post, decision = item.post, item.decision
        _, created = self.leads.record(
            post, decision,
            text_masked=decision.text_masked,
            title_masked=decision.title_masked,  # masked and hashed by the chain's mask step
            author_hash=decision.author_hash,
            now=now_shanghai(),
        )
        self.stats.inc_value("civicwatch/leads_created" if created else "civicwatch/leads_joined")
        self.runtime.seen.add([post.key])
        return item
