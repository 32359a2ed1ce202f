"""The console with Redis stopped (issue 16, item 3 beyond /api/health): the queue page, a lead
page and a verify through the console form answer as usual (they need MongoDB only), the verify's
work order waits in the lead's outbox while the console's dispatch link says once that Redis is
not answering (no traceback), and the work order reaches the stream exactly once when Redis is
back; /api/health meanwhile says 503 naming Redis."""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from redis.backoff import NoBackoff
from redis.retry import Retry

from crawlers.commands.workorders import DispatchLink
from review.app import create_app
from sinks.leads import LeadService
from sinks.stream import WorkOrderConsumer
from tests.review.conftest import login, seed_lead
from tests.sinks.test_sinks_stream import _Redis, stream_ids

pytestmark = [pytest.mark.faults, pytest.mark.slow]


def test_console_pages_and_a_verify_with_redis_down_then_delivered_once(
        console_config: Any, store: Any, users: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    server = _Redis(tmp_path)
    server.start()
    client = redis.Redis(port=server.port, socket_connect_timeout=0.5, socket_timeout=0.5,
                         retry=Retry(NoBackoff(), 0))
    leads = LeadService(store, console_config.catalogue)
    lead = seed_lead(store, console_config, "rd1", "南山区粤海街道小区门口井盖丢了，晚上很危险", item="DL02",
                     urgency="urgent")
    link = DispatchLink(leads, client, workorder_stream="civicwatch:workorders",
                        status_stream="civicwatch:workorder-status", interval_s=0.05)
    app = create_app(console_config, store, leads=leads, users=users, secret=uuid.uuid4().hex, redis=client)
    server.stop()  # before the link's first round and before anyone signs in
    caplog.set_level(logging.WARNING)
    try:
        with link, TestClient(app, raise_server_exceptions=False, follow_redirects=False) as web:
            token = login(web, "alice")
            queue = web.get("/")
            assert queue.status_code == 200 and lead.id in queue.text
            page = web.get(f"/leads/{lead.id}")
            assert page.status_code == 200 and 'id="verify-form"' in page.text
            verified = web.post(f"/leads/{lead.id}/verify", data={
                "csrf_token": token, "expected_version": lead.version, "district": "南山区",
                "street": "粤海街道", "item": "DL02", "urgency": "urgent", "description": "小区门口井盖丢失"})
            assert verified.status_code == 303, verified.text
            assert "已核实并派单" in web.get(verified.headers["location"]).text
            health = web.get("/api/health")
            assert health.status_code == 503 and health.json()["redis"].startswith("error")
            for response in (queue, page, verified, health):
                assert "Traceback" not in response.text and "Internal Server Error" not in response.text
            time.sleep(1)  # rounds of the link meet the outage
            dispatched = leads.get(lead.id)
            assert dispatched.state.value == "dispatched"
            assert (store.db["leads"].find_one({"_id": lead.id}) or {})["outbox"]["state"] == "pending"

            server.start()  # back (without data)
            deadline = time.monotonic() + 30
            while leads.outbox_pending():
                assert time.monotonic() < deadline, "the work order was not delivered once Redis was back"
                time.sleep(0.05)
            assert web.get("/api/health").status_code == 200
        assert stream_ids(client) == [dispatched.work_order_id]
        consumer = WorkOrderConsumer(client, "dispatch", "c1")
        deliveries = consumer.read(count=10)
        assert [d.order_id for d in deliveries] == [dispatched.work_order_id]
        consumer.ack(deliveries[0])
        assert consumer.read(count=10) == []  # seen once
        assert not [r for r in caplog.records if r.exc_info], caplog.text
        down = [r.getMessage() for r in caplog.records if "Redis is not answering" in r.getMessage()]
        assert 1 <= len(down) <= 3, down  # once per loop of the link, not once per round
    finally:
        client.close()
        if server.proc is not None and server.proc.poll() is None:
            server.stop()
