"""`scrapy list` / `scrapy crawl NAME` from the repository root, on defaults, and a config error
found while polling: real processes, the Twisted downloader production uses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from simulator.server import SimulatorServer
from tests.e2e.cli import POSTS, ROOT, civicwatch, clean_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def sim() -> Iterator[SimulatorServer]:
    server = SimulatorServer(POSTS).start()
    yield server
    server.stop()


def scrapy(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)


def test_scrapy_list_names_every_spider() -> None:
    result = scrapy(clean_env(), "list")
    assert result.returncode == 0, result.stderr[-2000:]
    assert {"weibo", "tieba", "forum", "xiaohongshu", "liuyan"} <= set(result.stdout.split())


def test_scrapy_crawl_on_defaults_starts_and_stops_its_own_servers(sim: SimulatorServer, tmp_path: Path) -> None:
    env = clean_env(CIVICWATCH_SIMULATOR=sim.url, CIVICWATCH_DATA_DIR=str(tmp_path / "data"))
    result = scrapy(env, "crawl", "weibo", "-a", "since=2026-11-20T00:00:00+08:00", "-s", "DOWNLOAD_DELAY=0")
    log = result.stderr
    assert result.returncode == 0, log[-3000:]
    started = re.search(r"started embedded servers under (\S+) \(pids \[(\d+), (\d+)\]\)", log)
    assert started and started.group(1) == str(tmp_path / "data"), log[-3000:]
    assert "stopped the embedded servers" in log
    assert re.search(r"'civicwatch/leads_created': [1-9]", log)
    assert not [pid for pid in map(int, started.groups()[1:]) if psutil.pid_exists(pid)
                and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]


def test_a_crawl_without_pipelines_or_extensions_starts_no_server(sim: SimulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "weibo.jsonl"
    env = clean_env(CIVICWATCH_SIMULATOR=sim.url, CIVICWATCH_DATA_DIR=str(tmp_path / "data"))
    result = scrapy(env, "crawl", "weibo", "-O", str(out), "-a", "keywords=南山", "-s", "ITEM_PIPELINES={}",
                    "-s", "EXTENSIONS={}", "-s", "DOWNLOAD_DELAY=0")
    assert result.returncode == 0, result.stderr[-2000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert items and all(i["platform"] == "weibo" for i in items)
    assert "started embedded servers" not in result.stderr and not (tmp_path / "data").exists()


def test_a_broken_forum_definition_stops_run_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    (config / "forums" / "bad.yaml").write_text(
        "name: bad\nlist_url: 'https://x.cn/?p={page}'\nboards: [a]\nitems: {css: li, path: x}\n"
        "fields: {post_id: {css: a}}\n", encoding="utf-8")
    env = clean_env(CIVICWATCH_CONFIG_DIR=str(config), CIVICWATCH_DATA_DIR=str(tmp_path / "data"))
    result = civicwatch(env, "run", "--platforms", "forum", timeout=120)
    assert result.returncode == 78, result.stderr[-2000:]
    assert result.stderr.splitlines() == [f"error: {config}/forums/bad.yaml:4: field 'items': "
                                          "give exactly one of css, xpath, path"]
