"""Prometheus metrics for crawls, per platform (served by `civicwatch run --metrics-port N`).

Fed from each crawl's stats at spider close, so it costs nothing on the hot path.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge
from scrapy import Spider, signals
from scrapy.crawler import Crawler

POSTS = Counter("civicwatch_posts_total", "Posts fetched", ["platform"])
LEADS = Counter("civicwatch_leads_total", "Posts the filter chain kept as leads", ["platform"])
NEW_LEADS = Counter("civicwatch_new_leads_total", "Leads created (not joined to an incident)",
                    ["platform"])
OUTCOMES = Counter("civicwatch_source_outcomes_total", "Responses by outcome (docs/platforms.md, Outcomes)",
                   ["platform", "outcome"])
LAST_FINISHED = Gauge("civicwatch_last_round_finished_timestamp_seconds",
                      "When the platform's last polling round ended", ["platform"])

_OUTCOME_PREFIX = "source/outcome/"


def record_round(platform: str, stats: dict[str, Any], finished_at: float) -> None:
    POSTS.labels(platform).inc(stats.get("civicwatch/posts_count", 0))
    LEADS.labels(platform).inc(stats.get("civicwatch/leads_count", 0))
    NEW_LEADS.labels(platform).inc(stats.get("civicwatch/leads_created", 0))
    for key, value in stats.items():
        if key.startswith(_OUTCOME_PREFIX) and isinstance(value, int):
            OUTCOMES.labels(platform, key[len(_OUTCOME_PREFIX):]).inc(value)
    LAST_FINISHED.labels(platform).set(finished_at)


class MetricsExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MetricsExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Spider, reason: str) -> None:
        import time

        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        record_round(getattr(spider, "platform", None) or spider.name, stats, time.time())
