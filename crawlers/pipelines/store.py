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
from crawlers.services import Services
from filters.pii import hash_author, mask_pii
from sinks.mongo import Store
from sinks.seen import SeenSet


class StorePipeline:
    def __init__(self, store: Store, seen: SeenSet, sla_minutes: dict[str, int], stats: Any) -> None:
        self.store = store
        self.seen = seen
        self.sla_minutes = sla_minutes
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        services = Services.from_crawler(crawler)
        return cls(services.store, services.seen, services.config.catalogue.sla_minutes, crawler.stats)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, DecidedPost):
            return item
        post, decision = item.post, item.decision
        _, created = self.store.save_lead(
            post, decision,
            text_masked=decision.text_masked,
            title_masked=mask_pii(post.title) if post.title else None,
            author_hash=hash_author(post.author),
            sla_minutes=self.sla_minutes,
            now=now_shanghai(),
        )
        self.stats.inc_value("civicwatch/leads_created" if created else "civicwatch/leads_joined")
        self.seen.add([post.key])
        return item
