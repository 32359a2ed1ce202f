"""Issue 13, item 5: the simulator limits requests per platform and polling round, as a platform
limits them per interval, answering past the limit with the platform's own rate-limit response."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from civicwatch.queries import ROUND_HEADER
from crawlers.middlewares.simulator import HOST_HEADER
from simulator.server import SimulatorServer

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "simulator" / "data" / "sample_posts.jsonl"
WEIBO = "/api/container/getIndex?containerid=" + quote("100103type=61&q=南山", safe="") + "&page=1"
TIEBA = "/mo/q/search/multsearch?word=" + quote("南山") + "&pn=1&rn=20"


@pytest.fixture
def server() -> Iterator[SimulatorServer]:
    sim = SimulatorServer(SAMPLE, requests_per_round=3).start()
    yield sim
    sim.stop()


def get(sim: SimulatorServer, host: str, path: str, round_no: str | None) -> tuple[int, str]:
    headers = {HOST_HEADER: host, **({ROUND_HEADER: round_no} if round_no else {})}
    try:
        with urllib.request.urlopen(urllib.request.Request(sim.url + path, headers=headers), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_past_the_limit_a_round_is_refused_in_the_platforms_own_way(server: SimulatorServer) -> None:
    assert [get(server, "m.weibo.cn", WEIBO, "1")[0] for _ in range(3)] == [200, 200, 200]
    status, body = get(server, "m.weibo.cn", WEIBO, "1")
    assert status == 432 and "访问频繁" in body  # Weibo's own refusal
    # Another platform and another round have their own counts.
    assert get(server, "tieba.baidu.com", TIEBA, "1")[0] == 200
    assert get(server, "m.weibo.cn", WEIBO, "2")[0] == 200
    with urllib.request.urlopen(server.url + "/__sim__/health", timeout=10) as r:
        health = json.loads(r.read())
    assert health["requests_per_round"] == 3 and health["rate_limited"] == {"weibo": 1}
    assert server.rate_limited == {"weibo": 1}


def test_requests_that_name_no_round_share_one_count(server: SimulatorServer) -> None:
    statuses = [get(server, "tieba.baidu.com", TIEBA, None)[0] for _ in range(4)]
    assert statuses[:3] == [200, 200, 200] and server.rate_limited == {"tieba": 1}


def test_without_a_limit_nothing_is_refused() -> None:
    sim = SimulatorServer(SAMPLE).start()
    try:
        assert {get(sim, "m.weibo.cn", WEIBO, "1")[0] for _ in range(12)} == {200}
        assert sim.rate_limited == {}
    finally:
        sim.stop()
