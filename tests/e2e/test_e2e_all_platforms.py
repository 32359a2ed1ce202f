"""Every platform in one polling round: each matching post arrives exactly once; a second round
fetches nothing new."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import pytest
import redis
from pymongo import MongoClient

from simulator.server import SimulatorServer
from tests.e2e.cli import civicwatch, servers_env

pytestmark = pytest.mark.e2e

PLATFORMS = ("weibo", "tieba", "bilibili", "zhihu", "kuaishou", "toutiao", "wechat", "xiaohongshu", "douyin",
             "forum")
STREETS = ("粤海街道", "梅林街道", "西乡街道", "布吉街道", "民治街道", "沙井街道")


def write_posts(path: Path) -> set[str]:
    rows, keys = [], set()
    for p_i, platform in enumerate(PLATFORMS):
        for i in range(12):
            pid = f"{p_i + 1}{i:04d}"
            url = f"https://example.org/{platform}/{pid}"
            street = STREETS[(p_i + i) % len(STREETS)]
            rows.append({"platform": platform, "post_id": pid, "url": url, "author": f"居民{pid}",
                         "title": f"深圳{street}井盖丢了", "ip_region": "广东",
                         "text": f"深圳{street}第{i}号路口的井盖{platform}不见了，晚上太危险了，请尽快处理",
                         "published_at": f"2026-11-2{i % 3}T{8 + p_i:02d}:{i:02d}:00+08:00"})
            # wechat and toutiao have no stable id: the spider uses a hash of the article URL
            key = hashlib.sha1(url.encode()).hexdigest()[:16] if platform in ("wechat", "toutiao") else pid
            keys.add(f"{platform}:{key}")
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return keys


@pytest.mark.browser
def test_one_round_of_every_platform_stores_each_post_once(mongo_uri: str, redis_url: str,
                                                           redis_client: redis.Redis, tmp_path: Path) -> None:
    expected = write_posts(tmp_path / "posts.jsonl")
    sim = SimulatorServer(tmp_path / "posts.jsonl").start()
    db = f"all_{uuid.uuid4().hex[:8]}"
    env = servers_env(mongo_uri, redis_url, sim.url, tmp_path, db=db)
    cmd = ("run", "--once", "--platforms", ",".join(PLATFORMS), "--since", "2026-11-19T00:00:00+08:00")
    try:
        first = civicwatch(env, *cmd, timeout=300)
        assert first.returncode == 0, first.stderr[-3000:]
        posts = MongoClient(mongo_uri)[db]["posts"]
        stored = {d["_id"] for d in posts.find({}, {"_id": 1})}
        by_platform = lambda keys: {p: {k for k in keys if k.startswith(p + ":")} for p in PLATFORMS}  # noqa: E731
        assert by_platform(stored) == by_platform(expected)
        second = civicwatch(env, *cmd, timeout=300)
        assert second.returncode == 0, second.stderr[-3000:]
        assert posts.count_documents({}) == len(expected)
        assert "'civicwatch/leads_created'" not in second.stderr  # nothing new the second time
    finally:
        sim.stop()
        MongoClient(mongo_uri).drop_database(db)
