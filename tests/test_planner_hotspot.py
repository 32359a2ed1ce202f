"""Issue 13: a new hot spot in the middle of a coverage period, through real crawls.

Weibo rounds against the simulator (our own posts), planned and booked as `civicwatch run` does.
From round START on, every round brings new complaints about one estate no round has asked
yet; the planner must ask it within the coverage period, and once it yields, far more often.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from civicwatch.clock import SHANGHAI
from crawlers.planning import open_round
from crawlers.services import Services
from simulator.server import SimulatorServer
from sinks.planner import PlannerStore
from tests.conftest import crawl_platform

pytestmark = pytest.mark.slow

T = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
SINCE = T - timedelta(days=2)
PERIOD, START, ROUNDS, BUDGET = 24, 8, 36, 40
BASE = [
    "南山区粤海街道科技园北区的路灯坏了一整排，晚上走路只能开手机电筒",
    "福田区的早茶店又排长队了，周末真是哪里都是人",
    "宝安区西乡街道固戍二路下水道堵了，一下雨整条路都淹",
    "今天天气不错，带娃去公园放风筝",
]
HOT = ["{}的地下车库又被水淹了，井盖冒水没人管，车都泡坏了两辆",
       "{}门口的垃圾堆了一个星期没人清，臭味飘进楼里，窗都不敢开"]


def row(post_id: str, text: str, at: datetime) -> str:
    return json.dumps({"platform": "weibo", "post_id": post_id, "url": f"https://m.weibo.cn/detail/{post_id}",
                       "author": "街坊", "text": text, "published_at": at.isoformat()}, ensure_ascii=False)


def test_a_new_hot_spot_is_found_within_the_period_and_asked_more_often(services: Services,
                                                                        tmp_path: Path) -> None:
    store = PlannerStore(services.store.db)
    platform = services.config.platforms.platforms["weibo"].model_copy(
        update={"request_budget_per_round": BUDGET, "coverage_period_rounds": PERIOD})
    rows = [row(f"57000000000000{i:02d}", text, T - timedelta(hours=3 + i)) for i, text in enumerate(BASE)]
    hot: str | None = None
    hot_keys: set[str] = set()
    asked: list[int] = []   # rounds that asked the hot spot
    found_at: int | None = None
    refused = 0
    for r in range(1, ROUNDS + 1):
        if r == START:  # an estate no round has asked yet
            states = store.load("weibo")
            hot = next(q for q, s in sorted(states.items()) if s.kind == "estate" and s.asks == 0
                       and len(q) >= 3)
        if hot is not None:
            for i, template in enumerate(HOT):
                pid = f"58{r:06d}{i:08d}"
                rows.append(row(pid, template.format(hot), T + timedelta(minutes=10 * r + i)))
                hot_keys.add(f"weibo:{pid}")
        path = tmp_path / f"round{r}.jsonl"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        server = SimulatorServer(path, now=T + timedelta(days=1), requests_per_round=BUDGET).start()
        try:
            plan = open_round(store, services.config, "weibo", platform)
            crawl_platform(services, "weibo", server.url, SINCE, plan=plan, platform=platform)
            refused += sum(server.rate_limited.values())
        finally:
            server.stop()
        if hot is not None and plan.asked.get(hot) and plan.asked[hot].requests:
            asked.append(r)
            if found_at is None and plan.asked[hot].leads:
                found_at = r
    assert refused == 0
    assert hot is not None and found_at is not None, asked
    assert START <= found_at < START + PERIOD  # found within the period it appeared in
    after = [r for r in asked if r > found_at]
    # Coverage alone would ask it once a period; once it yields, it is asked most rounds.
    assert len(after) >= 0.6 * (ROUNDS - found_at), (found_at, asked)
    stored = {d["_id"] for d in services.store.posts.find({}, {"_id": 1})}
    assert len(hot_keys & stored) >= 0.9 * len(hot_keys)
