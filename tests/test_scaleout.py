"""Scale-out components: the expiring shared dupefilter and the worker's keep-alive."""

from __future__ import annotations

import pytest
import redis
from scrapy import Request, Spider
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.test import get_crawler

from crawlers.scaleout import ExpiringRedisDupeFilter, WorkerKeepAlive, scale_out_settings


def test_the_shared_dupefilter_expires_after_the_configured_ttl(redis_url: str, redis_client: redis.Redis) -> None:
    settings = {**scale_out_settings(redis_url), "CIVICWATCH_DUPEFILTER_TTL_S": 120}
    crawler = get_crawler(Spider, settings)
    spider = crawler._create_spider("weibo")
    dupefilter = ExpiringRedisDupeFilter.from_spider(spider)
    assert dupefilter.ttl_seconds == 120
    assert not dupefilter.request_seen(Request("https://m.weibo.cn/a"))
    assert dupefilter.request_seen(Request("https://m.weibo.cn/a"))
    assert 0 < redis_client.ttl(dupefilter.key) <= 120


def test_the_keep_alive_is_only_for_workers() -> None:
    with pytest.raises(NotConfigured):
        WorkerKeepAlive.from_crawler(get_crawler(Spider))
    crawler = get_crawler(Spider, {"CIVICWATCH_WORKER": True})
    with pytest.raises(DontCloseSpider):
        WorkerKeepAlive.from_crawler(crawler).spider_idle(crawler._create_spider("w"))
