"""examples/consumer.py, as a downstream engineer would run it, against real servers."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from pymongo.database import Database

from civicwatch.models import LeadState
from sinks.mongo import Store
from sinks.status import StatusApplier
from sinks.stream import Relay
from tests.sinks.test_sinks_stream import dispatch, service

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e  # runs examples/consumer.py as a subprocess


def test_example_consumer_commits_acks_and_reports_back(mongo_db: Database, redis_client: redis.Redis,
                                                         redis_url: str) -> None:
    store = Store(db=mongo_db)
    order_id = dispatch(store, "1")
    Relay(service(store), redis_client).relay_once()
    proc = subprocess.Popen([sys.executable, "examples/consumer.py", "--redis", redis_url, "--group",
                             "dispatch", "--name", "ex1"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            groups = {g["name"].decode(): g for g in redis_client.xinfo_groups("civicwatch:workorders")}
            group = groups.get("dispatch")
            if group and group["pending"] == 0 and group["last-delivered-id"] != b"0-0":
                break
            time.sleep(0.2)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"{order_id} DL02 → 交通运输局" in out
    sys.path.insert(0, str(ROOT / "examples"))
    from consumer import report_status  # type: ignore[import-not-found]

    report_status(redis_client, uuid.uuid4().hex, order_id, "签收")
    assert StatusApplier(service(store), redis_client).apply_pending() == 1
    assert store.lead("lead:weibo:1").state == LeadState.ACCEPTED
