"""Item 5 of issue 16: a post the platform indexes late (older than a newer one already read) is
still found, because each search is re-read a little past its watermark."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from civicwatch.clock import SHANGHAI
from crawlers.services import Services
from simulator.server import SimulatorServer
from tests.conftest import crawl_platform

pytestmark = pytest.mark.faults

T = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
SINCE = T - timedelta(days=2)


def row(post_id: str, text: str, published_at: datetime) -> str:
    return json.dumps({"platform": "weibo", "post_id": post_id, "url": f"https://m.weibo.cn/detail/{post_id}",
                       "author": "街坊", "text": text, "published_at": published_at.isoformat()},
                      ensure_ascii=False)


def crawl_with(services: Services, path: Path, rows: list[str]) -> None:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    server = SimulatorServer(path, now=T + timedelta(hours=1)).start()
    try:
        crawl_platform(services, "weibo", server.url, SINCE)
    finally:
        server.stop()


def test_a_post_indexed_after_a_newer_one_was_read_is_found(services: Services, tmp_path: Path) -> None:
    first = row("5400000000000001", "南山区粤海街道高新南一道的路灯坏了一个星期没人修，晚上骑车看不清路，希望尽快处理",
                T)
    late = row("5400000000000002", "南山区蛇口街道工业八路下水道井盖丢了，车开过去很危险，希望尽快处理",
               T - timedelta(minutes=10))
    crawl_with(services, tmp_path / "round1.jsonl", [first])  # the late post is not in search yet
    assert services.store.get_watermarks("weibo")["南山"] == T
    crawl_with(services, tmp_path / "round2.jsonl", [first, late])  # now it is, behind the newer one
    leads = {d["_id"] for d in services.store.leads.find({}, {"_id": 1})}
    assert leads == {"lead:weibo:5400000000000001", "lead:weibo:5400000000000002"}
    assert services.store.get_watermarks("weibo")["南山"] == T  # re-reading never moves it back
