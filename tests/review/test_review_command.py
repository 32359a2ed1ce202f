"""`civicwatch review` as a process on real servers: log in, dispatch; its dispatch link puts the
work order on the Redis stream and applies the dispatch system's status event to the lead."""

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

from civicwatch.clock import now_shanghai
from civicwatch.models import LeadState, StatusEvent
from crawlers.commands.workorders import DispatchLink
from crawlers.embedded import free_port
from sinks.leads import LeadService
from sinks.status import publish_status
from tests.review.conftest import PASSWORD, ROOT, csrf_of, seed_lead


@pytest.mark.e2e
def test_review_command_serves_the_console_relays_dispatches_and_applies_status(
        live_mongo_uri: str, redis_url: str, live_redis: Any, store: Any, users: Any,
        console_config: Any, tmp_path: Path) -> None:
    lead = seed_lead(store, console_config, "cmd1", "龙华大道路面塌陷了一个大坑", item="DL06", urgency="urgent",
                     district="龙华区", street=None)
    port = free_port()
    stream = f"test:workorders:{uuid.uuid4().hex[:6]}"
    status_stream = f"test:workorder-status:{uuid.uuid4().hex[:6]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICWATCH_")}
    env.update({"CIVICWATCH_MONGO_URI": live_mongo_uri, "CIVICWATCH_MONGO_DB": store.db.name,
                "CIVICWATCH_REDIS_URL": redis_url,
                "CIVICWATCH_DATA_DIR": str(tmp_path), "CIVICWATCH_WORKORDER_STREAM": stream,
                "CIVICWATCH_STATUS_STREAM": status_stream,
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
        # The dispatch system accepts it on the status stream; the console process applies that.
        accepted = StatusEvent(event_id=uuid.uuid4().hex, service_request_id=docs[0]["service_request_id"],
                               status="签收", at=now_shanghai(), operator="交通运输局")
        publish_status(live_redis, accepted, stream=status_stream)
        deadline = time.monotonic() + 15
        while store.lead(lead.id).state != LeadState.ACCEPTED and time.monotonic() < deadline:
            time.sleep(0.1)
        after = store.lead(lead.id)
        assert after.state == LeadState.ACCEPTED and after.applied_events == [accepted.event_id]
        assert after.history[-1].action == "签收" and after.history[-1].actor == "交通运输局"
    finally:
        proc.terminate()
        out = proc.communicate(timeout=20)[0]
    # SIGTERM: uvicorn returns, the link's threads are stopped, the process exits cleanly.
    assert proc.returncode == 0 and "Traceback" not in out, out[-3000:]


def test_dispatch_link_relays_and_applies_status_until_stopped(store: Any, console_config: Any,
                                                                live_redis: Any) -> None:
    leads = LeadService(store, console_config.catalogue)
    lead = seed_lead(store, console_config, "link1", "停水两天了", item="SD01")
    stream, status_stream = (f"test:{name}:{uuid.uuid4().hex[:6]}" for name in ("workorders", "status"))
    reported: list[tuple[str, int]] = []
    link = DispatchLink(leads, live_redis, workorder_stream=stream, status_stream=status_stream,
                        interval_s=0.05, report=lambda loop, n: reported.append((loop, n)))
    with link:
        order = leads.verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version)
        deadline = time.monotonic() + 15
        while not live_redis.xrange(stream) and time.monotonic() < deadline:
            time.sleep(0.05)
        resolved = StatusEvent(event_id=uuid.uuid4().hex, service_request_id=order.service_request_id,
                               status="办结", at=now_shanghai())
        publish_status(live_redis, resolved, stream=status_stream)
        while leads.get(lead.id).state != LeadState.RESOLVED and time.monotonic() < deadline:
            time.sleep(0.05)
        threads = list(link._threads)
    assert leads.get(lead.id).state == LeadState.RESOLVED and leads.outbox_pending() == 0
    assert len(live_redis.xrange(stream)) == 1
    assert ("workorder-relay", 1) in reported and ("status-applier", 1) in reported
    assert threads and not any(t.is_alive() for t in threads)
