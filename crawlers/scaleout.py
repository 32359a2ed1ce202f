"""Scale-out: `civicwatch run` and any number of `civicwatch worker` processes share one crawl.

scrapy-redis keeps the request queue and the request dupefilter in Redis, so a request
queued by one process may be downloaded and parsed by any other process running the same
spider. Two things scrapy-redis leaves to us: its dupefilter set grows forever (ours expires),
and a spider with nothing to start closes when idle (workers stay open until stopped).
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.dupefilter import RFPDupeFilter

from civicwatch.settings import Settings, from_scrapy_settings


def scale_out_settings(redis_url: str) -> dict[str, Any]:
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_PERSIST": True,  # the queue outlives any one process
        "DUPEFILTER_CLASS": "crawlers.scaleout.ExpiringRedisDupeFilter",
        "REDIS_URL": redis_url,
    }


class ExpiringRedisDupeFilter(RFPDupeFilter):
    """scrapy-redis's dupefilter whose Redis set expires CIVICWATCH_DUPEFILTER_TTL_S after its last add.

    Polling re-requests the same search pages every round (those carry dont_filter), so the
    set only has to remember requests for about a round; expiry keeps it bounded.
    """

    ttl_seconds: int = Settings.model_fields["dupefilter_ttl_s"].default

    @classmethod
    def from_spider(cls, spider: Spider) -> ExpiringRedisDupeFilter:
        df = super().from_spider(spider)
        df.ttl_seconds = from_scrapy_settings(spider.settings).dupefilter_ttl_s
        return df

    def request_seen(self, request: Any) -> bool:
        pipe = self.server.pipeline()
        pipe.sadd(self.key, self.request_fingerprint(request))
        pipe.expire(self.key, self.ttl_seconds)
        added, _ = pipe.execute()
        return added == 0


class WorkerKeepAlive:
    """Keeps a worker's spider open while the shared queue is empty (CIVICWATCH_WORKER = True)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerKeepAlive:
        if not from_scrapy_settings(crawler.settings).worker:
            raise NotConfigured
        ext = cls()
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        return ext

    def spider_idle(self, spider: Spider) -> None:
        raise DontCloseSpider("worker waits for requests on the shared queue")
