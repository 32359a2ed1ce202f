"""MongoDB stopped during a duplicate catch-up (crawlers/dedupsync.py): the post is still decided
with what the process knows, one warning line says so, and once MongoDB is back the catch-up
resumes from where it stopped, so the next post of the incident joins the lead stored meanwhile."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from civicwatch.settings import Settings
from crawlers.services import Services
from tests.faults.conftest import RestartableMongo
from tests.test_dedupsync import FIRST, REWORDED, SECOND, post, store

pytestmark = [pytest.mark.faults, pytest.mark.slow]




def test_mongo_down_during_a_catch_up_decides_the_post_and_catches_up_after_the_restart(
        mongo: RestartableMongo, redis_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(mongo_uri=mongo.uri, redis_url=redis_url, mongo_db="dedupsync", data_dir=tmp_path / "data",
                        dedup_sync_s=0)
    ticks = [0.0]
    with Services(settings) as a, Services(settings) as b:
        b.dedup_sync.clock = lambda: ticks[0]
        first = post("weibo", "1", FIRST)
        store(a, first, a.dedup_sync.decide(first))
        mongo.stop()
        with caplog.at_level(logging.INFO, logger="crawlers.dedupsync"):
            lone = b.dedup_sync.decide(post("weibo", "2", SECOND, minutes=30))
            assert lone.is_lead and lone.dup_of is None  # decided, with what B knew
            for minutes in (31, 32):  # still down, a catch-up due each time: no second line
                ticks[0] += 10
                b.dedup_sync.decide(post("weibo", f"2{minutes}", "今天天气真好", minutes=minutes))
            failed = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert len(failed) == 1, [r.getMessage() for r in caplog.records]
            assert "duplicate catch-up failed (MongoDB" in failed[0].getMessage()
            assert "\n" not in failed[0].getMessage() and failed[0].exc_info is None

            mongo.start()  # the same data: A's lead is there, and B has not seen it yet
            ticks[0] += 10
            joined = b.dedup_sync.decide(post("xiaohongshu", "3", REWORDED, minutes=60))
        assert joined.dup_of == first.key, joined.reasons
        assert any("duplicate catch-up works again (1 posts learnt)" in r.getMessage() for r in caplog.records)
