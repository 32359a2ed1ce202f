"""Issue 13: `civicwatch run --rounds N` as a user runs it: planned rounds back to back against a
simulator that refuses past the default budget, then `civicwatch queries` shows the plan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis

from civicwatch.clock import SHANGHAI
from simulator.server import SimulatorServer
from sinks.mongo import Store
from sinks.planner import PlannerStore
from tests.e2e.cli import civicwatch, servers_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

T = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
BUDGET = 40  # config/platforms.yaml's default request_budget_per_round
# Our own posts: one names its district, one only its estate, one only its metro station.
POSTS = [
    ("weibo", "5600000000000001", "南山区粤海街道科技园北区的路灯坏了一整排，晚上走路只能开手机电筒"),
    ("weibo", "5600000000000002", "桃源村小区门口的污水井盖冒水两天了，整条路都是臭水，小孩上学只能绕着走"),
    ("tieba", "9600000001", "固戍地铁站C出口的扶梯停了一个星期，拖着行李只能爬楼梯，也没个说法"),
    ("tieba", "9600000002", "周末去海边烧烤，天气真好，就是人太多了"),
]


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[SimulatorServer]:
    path = tmp_path / "posts.jsonl"
    rows = []
    for i, (platform, pid, text) in enumerate(POSTS):
        url = f"https://m.weibo.cn/detail/{pid}" if platform == "weibo" else f"https://tieba.baidu.com/p/{pid}"
        rows.append(json.dumps({"platform": platform, "post_id": pid, "url": url, "author": "街坊",
                                "title": text[:12] if platform == "tieba" else None, "text": text,
                                "published_at": (T - timedelta(minutes=20 * i)).isoformat()}, ensure_ascii=False))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    server = SimulatorServer(path, now=T + timedelta(minutes=10), requests_per_round=BUDGET).start()
    yield server
    server.stop()


@pytest.fixture
def run_env(mongo_uri: str, redis_url: str, simulator: SimulatorServer, tmp_path: Path,
            redis_client: redis.Redis) -> dict[str, str]:
    return servers_env(mongo_uri, redis_url, simulator.url, tmp_path / "data", COLUMNS="200")


def test_rounds_run_back_to_back_within_the_budget_and_queries_shows_the_plan(
        run_env: dict[str, str], simulator: SimulatorServer) -> None:
    result = civicwatch(run_env, "run", "--rounds", "3", "--platforms", "weibo,tieba",
                        "--since", (T - timedelta(days=1)).isoformat(), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert simulator.rate_limited == {}  # the default budgets never over-ask

    store = Store(run_env["CIVICWATCH_MONGO_URI"], run_env["CIVICWATCH_MONGO_DB"])
    planner = PlannerStore(store.db)
    asked: dict[str, list[set[str]]] = {}
    for platform in ("weibo", "tieba"):
        assert planner.current_round(platform) == 3
        logs = planner.round_logs(platform)
        assert [log.round for log in logs] == [1, 2, 3]
        assert all(0 < log.requests <= BUDGET for log in logs)
        asked[platform] = [{p.query for p in log.planned if p.reason == "coverage"} for log in logs]
        # Coverage moves on: a round's coverage queries are not the previous round's.
        assert not asked[platform][0] & asked[platform][1] and not asked[platform][1] & asked[platform][2]
    # The district post is found by a district search in round 1 (operators' keywords go first).
    assert "lead:weibo:5600000000000001" in {d["_id"] for d in store.leads.find({}, {"_id": 1})}

    shown = civicwatch(run_env, "queries", "--platform", "weibo", "--limit", "5")
    assert shown.returncode == 0, shown.stderr[-3000:]
    assert "round 4" in shown.stdout and "last round 3:" in shown.stdout and "by kind" in shown.stdout
    store.db.client.close()
