"""Scale-out: `civicwatch run` and a `civicwatch worker` share one crawl through Redis."""

from __future__ import annotations

import re
import signal
import time
import uuid
from pathlib import Path

import pytest
import redis
from pymongo import MongoClient

from simulator.server import SimulatorServer
from tests.e2e.cli import POSTS, civicwatch, civicwatch_started, expected_leads, servers_env

pytestmark = pytest.mark.e2e


def test_worker_takes_requests_from_the_shared_queue(mongo_uri: str, redis_url: str,
                                                     redis_client: redis.Redis, tmp_path: Path) -> None:
    sim = SimulatorServer(POSTS, requests_per_round=40).start()  # counts each request by its round
    sim.set_fault("weibo", "slow", delay_s=1.0)  # slow pages give the worker time to take some
    db = f"scale_{uuid.uuid4().hex[:8]}"
    env = servers_env(mongo_uri, redis_url, sim.url, tmp_path, db=db, CIVICWATCH_SCALE_OUT="1")
    worker = civicwatch_started(env, "worker", "--platforms", "weibo")
    try:
        time.sleep(3)  # the worker is up and waiting on the queue
        run = civicwatch(env, "run", "--once", "--platforms", "weibo", "--since", "2026-11-20T00:00:00+08:00",
                         timeout=180)
        assert run.returncode == 0, run.stderr[-2000:]
        time.sleep(2)  # let the worker finish what it took
    finally:
        worker.send_signal(signal.SIGINT)
        _, log = worker.communicate(timeout=60)
        sim.stop()
    worker_pages = int(m.group(1)) if (m := re.search(r"'downloader/response_count': (\d+)", log)) else 0
    run_pages = int(m.group(1)) if (m := re.search(r"'downloader/response_count': (\d+)", run.stderr)) else 0
    assert worker_pages > 0 and run_pages > 0, (worker_pages, run_pages)
    leads = {d["_id"] for d in MongoClient(mongo_uri)[db]["leads"].find()}
    assert leads == {x for x in expected_leads() if x.startswith("lead:weibo")}
    # One budget for both processes: every request was sent in the planned round and booked by it.
    booked = MongoClient(mongo_uri)[db]["planner_rounds"].find_one({"_id": "weibo"})["log"][-1]
    assert booked["requests"] == run_pages + worker_pages
    assert sim.limits.counts == {("weibo", str(booked["round"])): run_pages + worker_pages}
    assert sim.rate_limited == {}
    MongoClient(mongo_uri).drop_database(db)
