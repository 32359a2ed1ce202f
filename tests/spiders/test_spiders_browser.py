"""Xiaohongshu and Douyin through the real Chromium: only a browser sees their posts.

scrapy-playwright needs the Twisted asyncio reactor, so these crawls run as `scrapy crawl`
processes (the other spiders' tests crawl in the test process)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from simulator.server import SimulatorServer
from tests.spiders.test_spiders_crawl import _post

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def crawl(sim: SimulatorServer, spider: str, tmp_path: Path, *args: str) -> tuple[list[dict[str, object]], str]:
    """(items, log) of a `scrapy crawl` of `spider` through the simulator, pipelines and extensions off."""
    out = tmp_path / f"{spider}.jsonl"
    env = {**os.environ, "CIVICWATCH_SIMULATOR": sim.url}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(out), "-s", "ITEM_PIPELINES={}",
         "-s", "EXTENSIONS={}", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    items = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return items, result.stderr


@pytest.fixture(scope="module")
def posts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [_post(500 + i, "xiaohongshu", f"南山 笔记 第{i}条") for i in range(13)]
    rows += [_post(600 + i, "douyin", f"南山 视频 第{i}条") for i in range(13)]
    path = tmp_path_factory.mktemp("browser") / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_plain_http_sees_no_posts(posts: Path) -> None:
    server = SimulatorServer(posts).start()
    try:
        html = httpx.get(f"{server.url}/search_result?keyword=南山",
                         headers={"X-Civicwatch-Host": "www.xiaohongshu.com"}).text
    finally:
        server.stop()
    assert "<section" not in html and "笔记" not in html  # the posts exist only after scripts run


@pytest.mark.parametrize("spider, first", [("xiaohongshu", 500), ("douyin", 600)])
def test_browser_platforms_through_chromium(posts: Path, tmp_path: Path, spider: str, first: int) -> None:
    server = SimulatorServer(posts).start()
    try:
        items, log = crawl(server, spider, tmp_path, "-a", "keywords=南山")
        server.set_fault(spider, "captcha" if spider == "xiaohongshu" else "login_required")
        walled, walled_log = crawl(server, spider, tmp_path, "-a", "keywords=南山")
    finally:
        server.stop()
    assert sorted(i["post_id"] for i in items) == sorted(str(9000000 + first + i) for i in range(13))
    assert all(i["text"].startswith("南山") and i["ip_region"] == "广东" for i in items)
    assert "'playwright/page_count/closed'" in log or "Closing download handler" in log
    outcome = "captcha" if spider == "xiaohongshu" else "login_required"
    assert walled == [] and f"'source/outcome/{outcome}': 1" in walled_log


def test_a_page_that_never_loads_is_counted_and_its_page_closed(posts: Path, tmp_path: Path) -> None:
    server = SimulatorServer(posts).start()
    server.set_fault("douyin", "slow", delay_s=4.0)
    try:
        items, log = crawl(server, "douyin", tmp_path, "-a", "keywords=南山",
                           "-s", "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT=1000")
    finally:
        server.stop()
    assert items == []
    assert "douyin: malformed at" in log and "page failed" in log  # logged with the URL, for health
    assert "'source/outcome/malformed': 1" in log
    opened = re.search(r"'playwright/page_count': (\d+)", log)
    closed = re.search(r"'playwright/page_count/closed': (\d+)", log)
    assert opened and closed and opened.group(1) == closed.group(1)  # the failed page was closed too
