"""Tieba district boards (issue 13, item 2), on real servers in this process.

A district's board lists the posts that name its places; read again, a board costs its listing
pages plus the threads not handled before: crawlers/middlewares/seen.py skips the thread pages of
posts the seen-set holds, before the budget counts them.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis

from civicwatch.clock import SHANGHAI
from crawlers.middlewares.seen import SKIPPED, UNCHECKED
from crawlers.services import Services
from simulator.server import SimulatorServer
from sinks.seen import SeenSet
from tests.conftest import crawl_platform

T = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
SINCE = T - timedelta(days=2)
NANSHAN = {
    "7100000001": "蛇口街道四海公园旁边的人行道砖全松了，踩上去溅一腿泥水，老人走路摔了两回",
    "7100000002": "粤海街道科技园那边的路口红绿灯坏了一上午，车和人抢着过，太危险了",
    "7100000003": "周末去南山的海上世界逛了逛，夜景很好看，推荐大家去拍照",
}
BAOAN = {"7100000004": "西乡街道的宝安大道辅道上有个井盖不见了，晚上看不清很容易掉进去"}
CITY = {"7100000005": "深圳今天降温了，大家出门记得加衣服"}
LATER = {"7100000006": "招商街道南海大道边上的排水沟盖板塌了一块，电动车经过直接颠进去"}


def write_posts(path: Path, texts: dict[str, str]) -> Path:
    rows = [{"platform": "tieba", "post_id": pid, "url": f"https://tieba.baidu.com/p/{pid}", "author": "吧友",
             "title": text[:8], "text": text, "published_at": (T - timedelta(minutes=10 * i)).isoformat(),
             "ip_region": "广东"} for i, (pid, text) in enumerate(texts.items())]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def board_sim(tmp_path: Path) -> Iterator[SimulatorServer]:
    server = SimulatorServer(write_posts(tmp_path / "posts.jsonl", {**NANSHAN, **BAOAN, **CITY}),
                             now=T + timedelta(minutes=5)).start()
    yield server
    server.stop()


def listed(sim: SimulatorServer, board: str) -> set[str]:
    page = httpx.get(f"{sim.url}/f", params={"kw": board, "ie": "utf-8", "pn": 0},
                     headers={"X-Civicwatch-Host": "tieba.baidu.com"})
    return {str(json.loads(field.replace("&quot;", '"'))["id"])
            for field in re.findall(r"data-field='([^']+)'", page.text)}


def test_a_district_board_lists_the_posts_that_name_its_places(board_sim: SimulatorServer) -> None:
    assert listed(board_sim, "南山") == set(NANSHAN)
    assert listed(board_sim, "宝安") == set(BAOAN)
    assert listed(board_sim, "深圳") == set(NANSHAN) | set(BAOAN) | set(CITY)  # the city's board has them all


def board_round(services: Services, sim: SimulatorServer) -> dict[str, int]:
    return crawl_platform(services, "tieba", sim.url, SINCE, keywords="", boards="南山").stats


def test_a_board_read_again_fetches_only_threads_not_handled_before(services: Services, board_sim: SimulatorServer,
                                                                     tmp_path: Path) -> None:
    first = board_round(services, board_sim)
    assert first.get("downloader/request_count") == 1 + len(NANSHAN)  # the listing, then every thread
    assert not first.get(SKIPPED)
    leads = services.store.db["leads"].count_documents({})
    assert leads >= 1 and all(services.seen.contains(f"tieba:{pid}") for pid in NANSHAN)

    # The board again, with a thread newer than all on it: only that thread's page is fetched.
    later = SimulatorServer(write_posts(tmp_path / "later.jsonl", {**LATER, **NANSHAN, **BAOAN}),
                            now=T + timedelta(minutes=5)).start()
    try:
        second = board_round(services, later)
    finally:
        later.stop()
    assert second.get(SKIPPED) == len(NANSHAN)
    assert second.get("downloader/request_count") == 1 + len(LATER)
    assert services.seen.contains("tieba:7100000006")
    stored = {d["_id"] for d in services.store.db["posts"].find({}, {"_id": 1})}
    assert stored <= {f"tieba:{pid}" for pid in {**NANSHAN, **LATER}}  # nothing of another district


def test_with_the_seen_set_not_answering_thread_pages_are_still_fetched(services: Services,
                                                                        board_sim: SimulatorServer) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    services.seen = SeenSet(redis.Redis(port=dead_port, socket_connect_timeout=0.5))
    stats = board_round(services, board_sim)
    # Checked until the pipeline fails the round on the same seen-set; never skipped.
    assert stats.get(UNCHECKED, 0) >= 1 and not stats.get(SKIPPED)
    assert stats.get("downloader/request_count") == 1 + len(NANSHAN)
    assert stats.get("civicwatch/server_errors/redis", 0) >= 1
