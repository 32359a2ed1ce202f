"""A polling round in this process, as `civicwatch run` builds it: spider arguments, politeness,
pipelines and extensions on shared Services; and what a second round does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from scrapy.settings import Settings as ScrapySettings

from civicwatch.clock import SHANGHAI
from civicwatch.config import PlatformConfig
from civicwatch.models import DROP_REASONS
from crawlers.crawl import platform_settings, spider_arguments
from crawlers.services import Services
from simulator.server import SimulatorServer
from tests.conftest import crawl_platform

POSTS = Path(__file__).parent / "e2e" / "data" / "posts.jsonl"
SINCE = datetime(2026, 11, 20, tzinfo=SHANGHAI)


@pytest.fixture
def sim() -> Iterator[SimulatorServer]:
    server = SimulatorServer(POSTS).start()
    yield server
    server.stop()


def expected_leads(platform: str) -> set[str]:
    rows = [json.loads(line) for line in POSTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {f"lead:{r['platform']}:{r['post_id']}" for r in rows if r["label"]["is_lead"] and r["platform"] == platform}


def test_politeness_and_arguments_come_from_the_platform_config() -> None:
    platform = PlatformConfig(download_delay_seconds=10, concurrency=2, obey_robots=True, keywords=["噪音"],
                              max_pages=3)
    settings = platform_settings(ScrapySettings({"DOWNLOAD_DELAY": 5}), platform, time_scale=0.5)
    assert (settings["DOWNLOAD_DELAY"], settings["CONCURRENT_REQUESTS"], settings["ROBOTSTXT_OBEY"]) == (5, 2, True)
    assert spider_arguments(platform, SINCE) == {"keywords": ["噪音"], "since": SINCE.isoformat(), "max_pages": 3,
                                                 "watermark_overlap_minutes": 30}


def test_a_round_stores_the_leads_counts_every_drop_and_a_second_round_adds_nothing(
        services: Services, sim: SimulatorServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    first = crawl_platform(services, "weibo", sim.url, SINCE)
    leads = {d["_id"] for d in services.store.leads.find({}, {"_id": 1})}
    assert leads == expected_leads("weibo")
    stats = first.stats
    dropped = {k: v for k, v in stats.items() if k.startswith("civicwatch/dropped/")}
    assert stats["civicwatch/posts_count"] == stats["civicwatch/leads_count"] + sum(dropped.values())
    reasons = {k.removeprefix("civicwatch/dropped/") for k in dropped}
    assert reasons and reasons <= set(DROP_REASONS), dropped  # one counter per reason the chain gives
    assert all(f": not a lead ({reason}): weibo:" in caplog.text for reason in reasons)
    assert services.store.posts.count_documents({}) == len(leads), "only leads' posts are kept"
    assert services.store.get_watermarks("weibo"), "a clean round moves the watermarks"

    second = crawl_platform(services, "weibo", sim.url, SINCE)
    assert "civicwatch/leads_created" not in second.stats
    # Only the overlap window past each watermark is read again (late-indexed posts), and every
    # post in it was seen in the first round.
    assert second.stats.get("civicwatch/posts_count", 0) == second.stats.get("civicwatch/dropped/seen", 0)
    assert second.stats.get("civicwatch/posts_count", 0) < stats["civicwatch/posts_count"]
    assert services.store.leads.count_documents({}) == len(leads)
