"""Issue 12 item 7 in scale-out: posts of one incident decided by two crawl processes meet.

Two Services on one MongoDB stand for two processes (`civicwatch run` and a `worker`): A decides
and stores a lead; B, opened before that, decides a re-wording of it from another platform and a
repost of that re-wording, and both join A's lead (crawlers/dedupsync.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pymongo.database import Database

from civicwatch.clock import SHANGHAI
from civicwatch.config import load_config
from civicwatch.models import Decision, Post
from civicwatch.settings import Settings
from crawlers.dedupsync import DuplicateSync
from crawlers.services import Services
from filters.chain import FilterChain
from sinks.leads import LeadService

T0 = datetime(2026, 11, 21, 23, 40, tzinfo=SHANGHAI)
FIRST = "南山区粤海街道科技园北区那个工地，每天晚上十一点以后还在打桩施工，噪音吵得整栋楼都睡不着，有没有人管管"
REWORDED = "又是凌晨还在打桩！南山区粤海街道科技园北区这个工地夜里施工噪音太大了，整栋楼的人都睡不好觉"
SECOND = "福田区华强北街道振兴路的路灯坏了一整排，晚上黑漆漆的走路很危险，希望尽快修一下"


def post(platform: str, post_id: str, text: str, minutes: int = 0) -> Post:
    return Post(platform=platform, post_id=post_id, url=f"https://example.invalid/{platform}/{post_id}",
                author="街坊", text=text, published_at=T0 + timedelta(minutes=minutes),
                fetched_at=T0 + timedelta(minutes=minutes + 1), ip_region="广东")


class CountingChain(FilterChain):
    """The real chain, noting each post it is taught (seeded or caught up)."""

    def __init__(self, chain: FilterChain) -> None:
        super().__init__(chain.steps)
        self.remembered: list[str] = []

    def remember(self, post: Post, decision: Decision) -> None:
        self.remembered.append(post.key)
        super().remember(post, decision)


@pytest.fixture
def settings(mongo_uri: str, redis_url: str, mongo_db: Database, tmp_path: Path) -> Settings:
    return Settings(mongo_uri=mongo_uri, redis_url=redis_url, mongo_db=mongo_db.name, data_dir=tmp_path / "data",
                    dedup_sync_s=0)


@pytest.fixture
def two(settings: Settings) -> Iterator[tuple[Services, Services]]:
    """Two processes' services, both opened before anything is stored."""
    config = load_config(settings)
    with Services(settings, config, chain=CountingChain(FilterChain.from_config(config))) as a, \
            Services(settings, config, chain=CountingChain(FilterChain.from_config(config))) as b:
        yield a, b


def store(services: Services, item: Post, decision: Decision) -> tuple[str, bool]:
    """What StorePipeline does with a lead."""
    lead, created = LeadService(services.store, services.config.catalogue).record(
        item, decision, text_masked=decision.text_masked, title_masked=decision.title_masked,
        author_hash=decision.author_hash, now=T0 + timedelta(hours=2))
    return lead.id, created


def test_a_rewording_and_its_repost_decided_by_another_process_join_the_first_lead(
        two: tuple[Services, Services], mongo_db: Database) -> None:
    a, b = two
    first = post("weibo", "1", FIRST)
    decided = a.dedup_sync.decide(first)
    assert decided.is_lead and decided.dup_of is None
    lead_id, created = store(a, first, decided)
    assert created

    reworded = post("xiaohongshu", "2", REWORDED, minutes=60)
    # Without the catch-up B's chain knows nothing A stored after B started (a chain seeded as B's was).
    assert FilterChain.from_config(b.config).decide(reworded).dup_of is None
    joined = b.dedup_sync.decide(reworded)
    assert joined.is_lead and joined.dup_of == first.key, joined.reasons
    assert store(b, reworded, joined) == (lead_id, False)

    repost = post("douyin", "3", f"转发扩散//@小红薯用户:{REWORDED}", minutes=90)
    reposted = b.dedup_sync.decide(repost)
    assert reposted.dup_of == first.key, reposted.reasons
    if reposted.is_lead:  # a repost with no words of its own may be screened out; a lead joins
        store(b, repost, reposted)

    leads = list(mongo_db["leads"].find())
    assert [d["_id"] for d in leads] == [lead_id]
    keys = [s["key"] for s in leads[0]["sources"]]
    assert keys[:2] == [first.key, reworded.key] and set(keys) <= {first.key, reworded.key, repost.key}


def test_a_process_does_not_index_its_own_leads_again_nor_any_lead_twice(two: tuple[Services, Services]) -> None:
    a, b = two
    assert isinstance(a.chain, CountingChain) and isinstance(b.chain, CountingChain)
    theirs = post("weibo", "1", FIRST)
    store(a, theirs, a.dedup_sync.decide(theirs))
    own = post("weibo", "2", SECOND, minutes=5)
    mine = b.dedup_sync.decide(own)  # catches up on A's lead first, then indexes its own
    assert mine.is_lead and mine.dup_of is None
    store(b, own, mine)
    for _ in range(3):
        assert b.dedup_sync.catch_up(force=True) == 0
    assert b.chain.remembered == [theirs.key]
    # A learns B's lead once; its own lead, stored by itself, is never taught back to it.
    assert a.dedup_sync.catch_up(force=True) == 1
    assert a.dedup_sync.catch_up(force=True) == 0
    assert a.chain.remembered == [own.key]
    assert b.dedup_sync.queries >= 4


def test_a_post_joined_by_a_third_process_is_learnt_as_part_of_its_incident(two: tuple[Services, Services]) -> None:
    a, b = two
    first, reworded = post("weibo", "1", FIRST), post("xiaohongshu", "2", REWORDED, minutes=60)
    store(a, first, a.dedup_sync.decide(first))
    decided = b.dedup_sync.decide(reworded)
    store(b, reworded, decided)
    # A never decided the re-wording; it learns it as a source of its lead, so a repost of the
    # re-wording's words (not of A's own) still points at the incident's first post.
    assert a.dedup_sync.catch_up(force=True) == 1
    repost = post("douyin", "3", f"转发扩散//@小红薯用户:{REWORDED}", minutes=90)
    assert a.dedup_sync.decide(repost).dup_of == first.key


def test_the_catch_up_waits_its_interval(settings: Settings) -> None:
    ticks = [100.0]
    with Services(settings) as a, Services(settings) as b:
        sync = DuplicateSync(b.chain, b.store, every_s=2.0, since=b.dedup_sync.watermark, clock=lambda: ticks[0])
        assert sync.catch_up() == 0 and sync.queries == 1
        first = post("weibo", "1", FIRST)
        store(a, first, a.dedup_sync.decide(first))
        ticks[0] += 1.9
        assert sync.catch_up() == 0 and sync.queries == 1  # not due: no query
        ticks[0] += 0.1
        assert sync.catch_up() == 1 and sync.queries == 2
        assert sync.decide(post("xiaohongshu", "2", REWORDED, minutes=60)).dup_of == first.key
