"""A fault on one platform, end to end: `civicwatch run --once` marks it degraded with the reason, the
other platform's posts still arrive, and `civicwatch sources` shows it. (Every fault, the empty,
duplicate, deleted and unreachable cases run in this process: tests/test_extension_health.py.)"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from pymongo import MongoClient

from simulator.server import SimulatorServer
from tests.e2e.cli import POSTS, civicwatch, servers_env

pytestmark = pytest.mark.e2e


def test_fault_degrades_only_that_platform_and_sources_shows_it(mongo_uri: str, redis_url: str,
                                                                redis_client: object, tmp_path: Path) -> None:
    # redis_client: a flushed Redis, so the seen-set of an earlier test does not hide posts
    sim = SimulatorServer(POSTS).start()
    sim.set_fault("weibo", "rate_limited")
    db = f"health_{uuid.uuid4().hex[:8]}"
    env = servers_env(mongo_uri, redis_url, sim.url, tmp_path, db=db)
    try:
        run = civicwatch(env, "run", "--once", "--platforms", "weibo,tieba", "--since", "2026-11-20T00:00:00+08:00",
                         timeout=180)
        assert run.returncode == 0, run.stderr[-2000:]
        shown = civicwatch({**env, "COLUMNS": "200"}, "sources", timeout=60)
    finally:
        sim.stop()
    client = MongoClient(mongo_uri)
    health = {d["_id"]: d for d in client[db]["source_health"].find()}
    leads = {d["_id"] for d in client[db]["leads"].find()}
    client.drop_database(db)
    assert health["weibo"]["state"] == "degraded" and "rate_limited" in health["weibo"]["reason"]
    assert health["tieba"]["state"] == "ok"
    assert "lead:tieba:9100000001" in leads and not any(x.startswith("lead:weibo") for x in leads)
    assert "source weibo is now degraded" in run.stderr
    assert "weibo" in shown.stdout and "degraded" in shown.stdout and "tieba" in shown.stdout
