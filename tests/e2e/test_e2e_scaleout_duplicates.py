"""Scale-out and duplicates: an incident posted on Weibo and re-worded on Tieba an hour later is one
lead with two sources, whichever of `civicwatch run` and a `civicwatch worker` parsed each post
(crawlers/dedupsync.py)."""

from __future__ import annotations

import json
import re
import signal
import time
import uuid
from pathlib import Path

import pytest
import redis
from pymongo import MongoClient

from simulator.server import SimulatorServer
from tests.e2e.cli import civicwatch, civicwatch_started, servers_env
from tests.test_dedupsync import FIRST, REWORDED

pytestmark = pytest.mark.e2e

ROWS = [
    {"platform": "weibo", "post_id": "5300000000000101", "url": "https://m.weibo.cn/detail/5300000000000101",
     "author": "科技园打工人", "title": None, "text": FIRST, "published_at": "2026-11-21T23:40:00+08:00"},
    {"platform": "tieba", "post_id": "9100000101", "url": "https://tieba.baidu.com/p/9100000101",
     "author": "粤海街坊", "title": "科技园北区工地半夜打桩", "text": REWORDED,
     "published_at": "2026-11-22T00:40:00+08:00"},
]


def joined_by(log: str) -> int:
    return int(m.group(1)) if (m := re.search(r"'civicwatch/leads_joined': (\d+)", log)) else 0


def test_an_incident_on_two_platforms_is_one_lead_across_processes(mongo_uri: str, redis_url: str,
                                                                    redis_client: redis.Redis, tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    posts.write_text("".join(json.dumps({**r, "ip_region": "广东"}, ensure_ascii=False) + "\n" for r in ROWS),
                     encoding="utf-8")
    sim = SimulatorServer(posts).start()
    sim.set_fault("tieba", "slow", delay_s=1.0)  # Weibo's lead is stored first; the worker takes Tieba pages
    db = f"scaledup_{uuid.uuid4().hex[:8]}"
    env = servers_env(mongo_uri, redis_url, sim.url, tmp_path, db=db, CIVICWATCH_SCALE_OUT="1",
                      CIVICWATCH_DEDUP_SYNC_S="0")
    worker = civicwatch_started(env, "worker", "--platforms", "tieba")
    try:
        time.sleep(3)  # the worker is up (its duplicate index seeded with nothing) and waiting
        run = civicwatch(env, "run", "--once", "--platforms", "weibo,tieba",
                         "--since", "2026-11-20T00:00:00+08:00", timeout=180)
        assert run.returncode == 0, run.stderr[-2000:]
        time.sleep(2)
    finally:
        worker.send_signal(signal.SIGINT)
        _, log = worker.communicate(timeout=60)
        sim.stop()
    client: MongoClient = MongoClient(mongo_uri)
    try:
        leads = list(client[db]["leads"].find({}, {"sources.key": 1}))
        assert [d["_id"] for d in leads] == ["lead:weibo:5300000000000101"], leads
        assert [s["key"] for s in leads[0]["sources"]] == ["weibo:5300000000000101", "tieba:9100000101"]
        if joined_by(log) != 1:  # the worker took the Tieba pages in every run so far (slow pages)
            assert joined_by(run.stderr) == 1
            pytest.skip("`run` parsed the Tieba post itself this time: nothing crossed processes")
    finally:
        client.drop_database(db)
        client.close()
