"""Stores a lead: masked post + lead (or a new source on an existing lead), then marks it seen.

Marking seen only after the write means a crash in between refetches the post instead of
losing it; LeadService.record is idempotent, so the second write is harmless.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from civicwatch.clock import now_shanghai
from civicwatch.models import DecidedPost
from crawlers.pipelines.servers import counting_server_errors
from crawlers.services import Services
from sinks.leads import LeadService
from sinks.seen import SeenSet


class StorePipeline:
    def __init__(self, leads: LeadService, seen: SeenSet, stats: Any) -> None:
        self.leads = leads
        self.seen = seen
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        services = Services.from_crawler(crawler)
        return cls(LeadService(services.store, services.config.catalogue), services.seen, crawler.stats)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, DecidedPost):
            return item
        with counting_server_errors(self.stats):  # a store or seen-set failure fails the round
            return self._store(item)

    def _store(self, item: DecidedPost) -> Any:
        post, decision = item.post, item.decision
        _, created = self.leads.record(
            post, decision,
            text_masked=decision.text_masked,
            title_masked=decision.title_masked,  # masked and hashed by the chain's mask step
            author_hash=decision.author_hash,
            now=now_shanghai(),
        )
        self.stats.inc_value("civicwatch/leads_created" if created else "civicwatch/leads_joined")
        self.seen.add([post.key])
        return item
