"""Item 3 of issue 16: a down MongoDB or Redis is one clear line and exit 69, within bounded
time-outs, not a hang or a page of tracebacks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pymongo.database import Database

from civicwatch.exceptions import ServerUnavailableError
from civicwatch.settings import Settings
from crawlers.embedded import EmbeddedServers, free_port
from crawlers.poller import RoundResult
from crawlers.services import Services
from simulator.server import SimulatorServer
from tests.conftest import crawl_platform
from tests.test_crawl import POSTS, SINCE

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]


def run_once(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # The process's own timeout only bounds a hang of the old code; the time-outs under test are
    # a few seconds (sinks/servers.py).
    return subprocess.run([sys.executable, "-m", "crawlers.cli", "run", "--once", "--platforms", "tieba"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "CIVICWATCH_DATA_DIR": str(tmp_path / "data"), **env})


def test_redis_down_is_one_line_and_exit_69(tmp_path: Path, mongo_uri: str) -> None:
    result = run_once(tmp_path, CIVICWATCH_MONGO_URI=mongo_uri, CIVICWATCH_REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == ServerUnavailableError.exit_code, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "Redis at 127.0.0.1:1 is not answering" in result.stderr


def test_mongo_down_is_one_line_and_exit_69(tmp_path: Path, redis_url: str) -> None:
    port = free_port()  # nothing listens there
    result = run_once(tmp_path, CIVICWATCH_MONGO_URI=f"mongodb://u:secret@127.0.0.1:{port}/",
                      CIVICWATCH_REDIS_URL=redis_url)
    assert result.returncode == ServerUnavailableError.exit_code, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "secret" not in result.stderr
    assert f"MongoDB at 127.0.0.1:{port} is not answering" in result.stderr


def test_a_round_whose_seen_set_fails_is_a_failed_round(mongo_uri: str, mongo_db: Database, tmp_path: Path) -> None:
    sim = SimulatorServer(POSTS).start()
    redis_server = EmbeddedServers(tmp_path / "redis", mongo=False).start()
    settings = Settings(mongo_uri=mongo_uri, redis_url=redis_server.redis_url, mongo_db=mongo_db.name,
                        data_dir=tmp_path / "data")
    try:
        with Services(settings) as services:
            redis_server.stop()  # Redis goes down after the round's services opened
            result = RoundResult.from_stats("weibo", crawl_platform(services, "weibo", sim.url, SINCE).stats)
            watermarks = services.store.get_watermarks("weibo")
    finally:
        redis_server.stop()
        sim.stop()
    assert not result.ok and result.server_errors.get("redis")
    assert result.error and "redis failed" in result.error
    assert watermarks == {}, "nothing read is given up on"


@pytest.mark.parametrize("down", ["redis", "mongodb"])
def test_the_suggestions_relay_says_a_down_server_once_and_keeps_retrying(
        tmp_path: Path, mongo_uri: str, redis_url: str, down: str) -> None:
    env = {**os.environ, "CIVICWATCH_DATA_DIR": str(tmp_path / "data"), "CIVICWATCH_MONGO_URI": mongo_uri,
           "CIVICWATCH_MONGO_DB": "suggestions_down", "CIVICWATCH_REDIS_URL": redis_url}
    if down == "redis":
        env["CIVICWATCH_REDIS_URL"] = "redis://127.0.0.1:1/0"
    else:
        env["CIVICWATCH_MONGO_URI"] = f"mongodb://127.0.0.1:{free_port()}/"  # nothing listens there
    err = tmp_path / "stderr.txt"
    with err.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "crawlers.cli", "suggestions", "relay", "--interval",
                                 "0.1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=out)
    try:
        deadline = time.monotonic() + 120
        while "is not answering" not in err.read_text(encoding="utf-8", errors="replace"):
            assert proc.poll() is None, "the relay stopped instead of retrying"
            assert time.monotonic() < deadline, "the relay never said the server is down"
            time.sleep(0.1)
        time.sleep(4)  # more rounds that meet the outage (MongoDB's each after the 3 s server selection)
        assert proc.poll() is None, "the relay stopped instead of retrying"
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    stderr = err.read_text(encoding="utf-8", errors="replace")
    assert proc.returncode == 0 and "Traceback" not in stderr, stderr[-2000:]
    said = [line for line in stderr.splitlines() if "is not answering" in line]
    assert len(said) == 1 and said[0].startswith("suggestions relay: "), stderr[-2000:]
    assert ("Redis" if down == "redis" else "MongoDB") in said[0]
