"""`civicwatch review` as a process on real servers: log in, dispatch, and its relay thread puts
the work order on the Redis stream."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from crawlers.embedded import free_port
from tests.review.conftest import PASSWORD, ROOT, csrf_of, seed_lead


def test_review_command_serves_the_console_and_relays_dispatches(
        live_mongo_uri: str, redis_url: str, live_redis: Any, store: Any, users: Any,
        console_config: Any, tmp_path: Path) -> None:
    lead = seed_lead(store, console_config, "cmd1", "龙华大道路面塌陷了一个大坑", item="DL06", urgency="urgent",
                     district="龙华区", street=None)
    port = free_port()
    stream = f"test:workorders:{uuid.uuid4().hex[:6]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICWATCH_")}
    env.update({"CIVICWATCH_MONGO_URI": live_mongo_uri, "CIVICWATCH_MONGO_DB": store.db.name,
                "CIVICWATCH_REDIS_URL": redis_url,
                "CIVICWATCH_DATA_DIR": str(tmp_path), "CIVICWATCH_WORKORDER_STREAM": stream,
                "CIVICWATCH_LOG_LEVEL": "WARNING"})
    proc = subprocess.Popen([sys.executable, "-m", "crawlers.cli", "review", "--port", str(port),
                             "--relay-interval", "0.2"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as web:
            deadline = time.monotonic() + 30
            while True:
                try:
                    login_page = web.get("/login")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        pytest.fail(f"console did not start: {proc.stdout.read() if proc.stdout else ''}")
                    time.sleep(0.2)
            r = web.post("/login", data={"username": "alice", "password": PASSWORD,
                                         "csrf_token": csrf_of(login_page.text)})
            assert r.status_code == 303
            page = web.get(f"/leads/{lead.id}")
            r = web.post(f"/leads/{lead.id}/verify", data={
                "csrf_token": csrf_of(page.text), "expected_version": lead.version, "district": "龙华区",
                "street": "", "item": "DL06", "urgency": "urgent", "description": "龙华大道路面塌陷"})
            assert r.status_code == 303, r.text
        deadline = time.monotonic() + 15
        while not (entries := live_redis.xrange(stream)) and time.monotonic() < deadline:
            time.sleep(0.1)
        docs = [json.loads(fields[b"document"]) for _, fields in entries]
        assert [d["lead_id"] for d in docs] == [lead.id]
        assert docs[0]["department"] == "JTYS" and docs[0]["description"] == "龙华大道路面塌陷"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
