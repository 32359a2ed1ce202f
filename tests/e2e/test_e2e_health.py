"""A fault on one platform, end to end: `civicwatch run --once` marks it degraded with the reason, the
other platform's posts still arrive, and `civicwatch sources` shows it. (Every fault, the empty,
duplicate, deleted and unreachable cases run in this process: tests/test_extension_health.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from pymongo import MongoClient

from simulator.server import SimulatorServer
from tests.e2e.test_e2e_loop import POSTS, ROOT

pytestmark = pytest.mark.e2e


def test_fault_degrades_only_that_platform_and_sources_shows_it(mongo_uri: str, redis_url: str,
                                                                redis_client: object, tmp_path: Path) -> None:
    # redis_client: a flushed Redis, so the seen-set of an earlier test does not hide posts
    sim = SimulatorServer(POSTS).start()
    sim.set_fault("weibo", "rate_limited")
    db = f"health_{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICWATCH_")}
    env.update({"CIVICWATCH_MONGO_URI": mongo_uri, "CIVICWATCH_MONGO_DB": db, "CIVICWATCH_REDIS_URL": redis_url,
                "CIVICWATCH_SIMULATOR": sim.url, "CIVICWATCH_TIME_SCALE": "0", "CIVICWATCH_DATA_DIR": str(tmp_path)})
    try:
        run = subprocess.run([sys.executable, "-m", "crawlers.cli", "run", "--once", "--platforms", "weibo,tieba",
                              "--since", "2026-11-20T00:00:00+08:00"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=180)
        assert run.returncode == 0, run.stderr[-2000:]
        shown = subprocess.run([sys.executable, "-m", "crawlers.cli", "sources"], cwd=ROOT,
                               env={**env, "COLUMNS": "200"}, capture_output=True, text=True, timeout=60)
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
