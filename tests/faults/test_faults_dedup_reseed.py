"""Item 13 of issue 16: after a restart, duplicate matching knows the stored incidents of the whole
matching window (CIVICWATCH_DEDUP_WINDOW_DAYS), not only the last 7 days."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pymongo.database import Database

from civicwatch.clock import now_shanghai
from civicwatch.models import Post
from civicwatch.settings import Settings
from crawlers.services import Services
from sinks.leads import LeadService

pytestmark = pytest.mark.faults

TEXT = "南山区蛇口街道工业八路下水道井盖丢了，车开过去很危险，希望尽快处理"


def post(post_id: str, days_ago: int) -> Post:
    return Post(platform="weibo", post_id=post_id, url=f"https://m.weibo.cn/detail/{post_id}", text=TEXT,
                published_at=now_shanghai() - timedelta(days=days_ago))


def test_a_repost_of_an_incident_older_than_a_week_is_still_its_duplicate_after_a_restart(
        mongo_uri: str, redis_url: str, mongo_db: Database, tmp_path: Path) -> None:
    settings = Settings(mongo_uri=mongo_uri, redis_url=redis_url, mongo_db=mongo_db.name, data_dir=tmp_path)
    old = post("5500000000000001", days_ago=20)
    with Services(settings) as services:
        decision = services.chain.decide(old)
        assert decision.is_lead
        LeadService(services.store, services.config.catalogue).record(
            old, decision, text_masked=decision.text_masked, title_masked=decision.title_masked,
            author_hash=decision.author_hash, now=old.published_at + timedelta(minutes=5))
    with Services(settings) as restarted:  # a new process: the index is seeded from the store
        assert restarted.chain.decide(post("5500000000000002", days_ago=0)).dup_of == old.key
    with Services(settings.model_copy(update={"dedup_window_days": 7})) as short:  # the window is the setting
        assert short.chain.decide(post("5500000000000003", days_ago=0)).dup_of is None
