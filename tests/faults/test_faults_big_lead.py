"""A lead already near MongoDB's 16 MB document limit (issue 16, failure 1: written before reasons
and descriptions were capped, so it is inserted here directly through pymongo): a status event on
it is dead-lettered with the reason and the events behind it are applied; a verifier's correction
on it is refused with a plain message, the lead unchanged; its console page and the queue still
render."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import bson
import pytest
import redis
from fastapi.testclient import TestClient

from civicwatch.clock import now_shanghai
from civicwatch.models import StatusEvent
from review.app import create_app
from sinks.leads import LeadService
from sinks.status import StatusApplier, publish_status
from tests.review.conftest import login, seed_lead

pytestmark = [pytest.mark.faults, pytest.mark.slow]

LIMIT = 16 * 1024 * 1024  # MongoDB's (and SecantusDB's) largest document
ROOM = 64  # bytes left: any history entry is larger


def grow_near_the_limit(store: Any, lead_id: str) -> int:
    """Rewrite the lead with old uncapped 退单 reasons until it is LIMIT - ROOM bytes; its size."""
    doc = store.db["leads"].find_one({"_id": lead_id})
    at = now_shanghai() - timedelta(days=30)
    step = {"at": at, "actor": "dispatch-system", "action": "退单", "from_state": "dispatched",
            "to_state": "returned", "reason": "", "details": {}}
    doc["history"] = [dict(step, reason="旧" * 700_000) for _ in range(7)] + doc["history"]
    doc["history"][0]["reason"] = ""
    doc["history"][0]["reason"] = "旧" * ((LIMIT - ROOM - len(bson.encode(doc))) // 3)
    doc["history"][0]["reason"] += "x" * (LIMIT - ROOM - len(bson.encode(doc)))
    size = len(bson.encode(doc))
    assert size == LIMIT - ROOM
    store.db["leads"].replace_one({"_id": lead_id}, doc)
    return size


def test_a_lead_near_16_mb_stalls_nothing_and_still_renders(console_config: Any, store: Any, users: Any,
                                                            redis_client: redis.Redis) -> None:
    leads = LeadService(store, console_config.catalogue)
    big = seed_lead(store, console_config, "big1", "南山区粤海街道路口井盖丢了", item="DL02", urgency="urgent")
    returned = seed_lead(store, console_config, "big2", "南山区粤海街道小区停水两天", item="SD01")
    small = seed_lead(store, console_config, "small", "南山区粤海街道路灯坏了", item="CS04")
    orders = {}
    for lead in (big, returned, small):
        orders[lead.id] = leads.verify_and_dispatch(lead.id, actor="alice",
                                                    expected_version=lead.version).service_request_id
    leads.apply_status_event(StatusEvent(event_id="r0", service_request_id=orders[returned.id], status="退单",
                                         reason="不属本部门", at=now_shanghai()))
    for lead_id in (big.id, returned.id):
        grow_near_the_limit(store, lead_id)
    before = {d["_id"]: d for d in store.db["leads"].find({"_id": {"$in": [big.id, returned.id]}})}

    # A status event on the big lead, then one on a small lead behind it.
    applier = StatusApplier(leads, redis_client)
    poisoned = publish_status(redis_client, StatusEvent(event_id="e-big", service_request_id=orders[big.id],
                                                        status="签收", at=now_shanghai()))
    publish_status(redis_client, StatusEvent(event_id="e-small", service_request_id=orders[small.id],
                                             status="签收", at=now_shanghai()))
    assert applier.apply_pending() == 1
    assert leads.get(small.id).state.value == "accepted"  # the event behind was applied
    letters = redis_client.xrange("civicwatch:workorder-status-dead")
    assert len(letters) == 1 and letters[0][1][b"entry_id"].decode() == poisoned
    assert "too large to record another step" in letters[0][1][b"reason"].decode()
    assert redis_client.xpending("civicwatch:workorder-status", "civicwatch")["pending"] == 0
    assert applier.apply_pending() == 0  # not read again

    app = create_app(console_config, store, leads=leads, users=users, secret=uuid.uuid4().hex)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as web:
        token = login(web, "alice")
        for lead in (big, returned):
            page = web.get(f"/leads/{lead.id}")
            assert page.status_code == 200 and lead.id in page.text
        queue = web.get("/")
        assert queue.status_code == 200 and returned.id in queue.text
        # A correction (re-dispatch after 退单, with a description) on the big returned lead.
        version = leads.get(returned.id).version
        answer = web.post(f"/leads/{returned.id}/verify", data={
            "csrf_token": token, "expected_version": version, "district": "南山区", "street": "粤海街道",
            "item": "SD01", "urgency": "general", "description": "小区停水两天，已核实"})
        assert answer.status_code == 409, answer.text[:500]
        assert "记录已过大" in answer.text and "Internal Server Error" not in answer.text
        api = web.post(f"/api/leads/{returned.id}/verify", json={"expected_version": version},
                       headers={"Authorization": f"Bearer {users.issue_token('alice')}"})
        assert api.status_code == 409 and "too large" in api.json()["detail"], api.text[:500]
    after = {d["_id"]: d for d in store.db["leads"].find({"_id": {"$in": [big.id, returned.id]}})}
    assert after == before, "the big leads changed"
