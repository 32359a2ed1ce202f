"""The item pipelines, built by get_crawler on real servers: what each does with a post, and its stats."""

from __future__ import annotations

from datetime import datetime

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from civicwatch.clock import SHANGHAI
from civicwatch.exceptions import ConfigError
from civicwatch.models import DecidedPost, Post
from crawlers.pipelines.decide import DecidePipeline
from crawlers.pipelines.store import StorePipeline
from crawlers.services import Services

LEAD_TEXT = "南山区粤海街道科技园北区那个工地，每天晚上十一点以后还在打桩施工，噪音吵得整栋楼都睡不着，有没有人管管"


def post(post_id: str, text: str = LEAD_TEXT) -> Post:
    return Post(platform="weibo", post_id=post_id, url=f"https://m.weibo.cn/detail/{post_id}", author="街坊",
                text=text, published_at=datetime(2026, 11, 21, 23, 40, tzinfo=SHANGHAI), ip_region="广东")


@pytest.fixture
def crawler(services: Services) -> Crawler:
    return get_crawler(Spider, {"CIVICWATCH_SERVICES": services})


@pytest.fixture
def decide(crawler: Crawler) -> DecidePipeline:
    return DecidePipeline.from_crawler(crawler)


def test_a_lead_goes_on_with_its_decision(decide: DecidePipeline, crawler: Crawler, services: Services) -> None:
    out = decide.process_item(post("1"))
    assert isinstance(out, DecidedPost) and out.decision.is_lead
    assert crawler.stats.get_value("civicwatch/posts_count") == 1
    assert crawler.stats.get_value("civicwatch/leads_count") == 1
    assert not services.seen.contains("weibo:1"), "seen only once stored (StorePipeline)"


def test_a_non_lead_is_dropped_counted_under_its_reason_and_remembered(decide: DecidePipeline, crawler: Crawler,
                                                                       services: Services) -> None:
    with pytest.raises(DropItem, match="not a lead"):
        decide.process_item(post("2", "今天天气真好，去公园散步了"))
    assert crawler.stats.get_value("civicwatch/dropped/not_lead") == 1
    assert services.seen.contains("weibo:2")


def test_a_seen_post_is_dropped_before_the_chain(decide: DecidePipeline, crawler: Crawler,
                                                 services: Services) -> None:
    services.seen.add(["weibo:3"])
    with pytest.raises(DropItem, match="already seen"):
        decide.process_item(post("3"))
    stats = crawler.stats.get_stats()
    assert stats["civicwatch/dropped/seen"] == 1 and "civicwatch/leads_count" not in stats


def test_other_items_pass_through(decide: DecidePipeline) -> None:
    item = {"not": "a post"}
    assert decide.process_item(item) is item


def test_without_services_the_pipeline_says_how_to_get_them() -> None:
    with pytest.raises(ConfigError, match="CIVICWATCH_SERVICES is not set"):
        DecidePipeline.from_crawler(get_crawler(Spider))


def test_store_saves_the_lead_then_marks_it_seen(decide: DecidePipeline, crawler: Crawler,
                                                 services: Services) -> None:
    store = StorePipeline.from_crawler(crawler)
    decided = decide.process_item(post("4"))
    assert store.process_item(decided) is decided
    assert crawler.stats.get_value("civicwatch/leads_created") == 1
    assert services.seen.contains("weibo:4")
    lead = services.store.leads.find_one({"_id": "lead:weibo:4"})
    assert lead is not None and lead["state"] == "pending_review"
    stored = services.store.posts.find_one({"_id": "weibo:4"})
    assert stored is not None and "街坊" not in str(stored), "the author is kept only as a hash"
    # The same post again (a crash between write and seen): joins, nothing doubles.
    store.process_item(decided)
    assert crawler.stats.get_value("civicwatch/leads_joined") == 1
    assert services.store.leads.count_documents({}) == 1
