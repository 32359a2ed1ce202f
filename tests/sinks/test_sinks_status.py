"""The status back-channel on the real Redis and MongoDB-wire servers: English aliases, dead
letters with their reason for everything that cannot be applied (and nothing else changes),
pending entries re-read first, and one dispatch link per deployment elected by a Redis lease."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from civicwatch.models import LeadState, StatusEvent, status_event_json_schema
from sinks.election import Lease
from sinks.leads import LeadService
from sinks.mongo import Store
from sinks.status import MAX_EVENT_BYTES, StatusApplier, publish_status
from sinks.streams import ensure_group
from tests.sinks.test_sinks_store import T0, save

STREAM = "civicwatch:workorder-status"
DEAD = "civicwatch:workorder-status-dead"


def dispatched(store: Store, service: LeadService, pid: str = "1") -> str:
    lead, _ = save(store, pid)
    return service.verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version).service_request_id


def event_json(order_id: str, status: str, **extra: Any) -> str:
    return json.dumps({"event_id": uuid.uuid4().hex, "service_request_id": order_id, "status": status,
                       "at": (T0 + timedelta(minutes=20)).isoformat(), **extra}, ensure_ascii=False)


def dead_letters(client: redis.Redis) -> list[dict[str, bytes]]:
    return [{k.decode(): v for k, v in fields.items()} for _, fields in client.xrange(DEAD)]


def snapshot(store: Store) -> list[dict[str, Any]]:
    return sorted(store.leads.find({}, {"queue_rank": 0}), key=lambda d: d["_id"])


@pytest.mark.parametrize(("english", "state"), [("accepted", LeadState.ACCEPTED), ("returned", LeadState.RETURNED),
                                               ("resolved", LeadState.RESOLVED)])
def test_english_aliases_are_applied_as_the_chinese_words(store: Store, service: LeadService,
                                                          redis_client: redis.Redis, english: str,
                                                          state: LeadState) -> None:
    order = dispatched(store, service)
    redis_client.xadd(STREAM, {"event": event_json(order, english, reason="不属本部门")})
    assert StatusApplier(service, redis_client).apply_pending() == 1
    lead = service.by_work_order(order)
    assert lead.state == state and lead.history[-1].action in ("签收", "退单", "办结")
    assert redis_client.xlen(DEAD) == 0


@pytest.mark.parametrize(("raw", "reason"), [
    (b"{not json", "bad JSON"),
    (b"\xff\xfe{}", "not valid UTF-8 text"),
    ('{"event_id": "e1", "service_request_id": "WO-X", "status": "closed", "at": "2026-11-21T09:30:00+08:00"}',
     "invalid event: status"),
    ('{"event_id": "e\\ud800", "service_request_id": "ORDER", "status": "签收", "at": "2026-11-21T09:30:00+08:00"}',
     "not valid UTF-8 text"),
    # A lone-surrogate escape in free text: refused when read, before MongoDB (BSON) sees it.
    ('{"event_id": "e-sur", "service_request_id": "ORDER", "status": "退单", "reason": "不属\\ud800本部门", '
     '"at": "2026-11-21T09:30:00+08:00"}', "not valid UTF-8 text: surrogates not allowed"),
    ("ORDER-SIGNED", "unknown work order"),
    ("ORDER-OVERSIZE", "oversize"),
    ("ORDER-TWICE-RESOLVED", "not allowed"),
    (None, "no `event` field"),
])
def test_what_cannot_be_applied_is_dead_lettered_with_its_reason_and_nothing_else_changes(
        store: Store, service: LeadService, redis_client: redis.Redis, raw: Any, reason: str) -> None:
    order = dispatched(store, service)
    applier = StatusApplier(service, redis_client)
    if raw == "ORDER-TWICE-RESOLVED":
        redis_client.xadd(STREAM, {"event": event_json(order, "办结")})
        assert applier.apply_pending() == 1
        raw = event_json(order, "签收")  # after 办结 nothing more is allowed
    elif raw == "ORDER-SIGNED":
        raw = event_json("WO-NO-SUCH-ORDER", "签收")
    elif raw == "ORDER-OVERSIZE":
        raw = event_json(order, "退单", reason="很长" * MAX_EVENT_BYTES)
    elif isinstance(raw, str):
        raw = raw.replace("ORDER", order)
    before = snapshot(store)
    entry = redis_client.xadd(STREAM, {"event": raw} if raw is not None else {"other": "x"})
    assert applier.apply_pending() == 0
    assert snapshot(store) == before
    letters = dead_letters(redis_client)
    assert len(letters) == 1 and reason in letters[0]["reason"].decode()
    assert letters[0]["entry_id"] == entry
    assert redis_client.xpending(STREAM, "civicwatch")["pending"] == 0  # acknowledged
    assert applier.apply_pending() == 0 and redis_client.xlen(DEAD) == 1  # and not read again


def test_a_repeated_event_is_acknowledged_without_a_dead_letter(store: Store, service: LeadService,
                                                                redis_client: redis.Redis) -> None:
    order = dispatched(store, service)
    ev = event_json(order, "签收")
    redis_client.xadd(STREAM, {"event": ev})
    redis_client.xadd(STREAM, {"event": ev})
    assert StatusApplier(service, redis_client).apply_pending() == 1
    assert redis_client.xlen(DEAD) == 0 and redis_client.xpending(STREAM, "civicwatch")["pending"] == 0


def test_own_pending_entries_are_read_again_before_new_ones(store: Store, service: LeadService,
                                                            redis_client: redis.Redis) -> None:
    order = dispatched(store, service)
    publish_status(redis_client, StatusEvent(event_id="e-acc", service_request_id=order, status="签收",
                                             at=T0 + timedelta(minutes=20)))
    applier = StatusApplier(service, redis_client)
    # delivered once but never acknowledged (the console died while MongoDB was down)
    ensure_group(redis_client, STREAM, "civicwatch")
    redis_client.xreadgroup("civicwatch", "applier", {STREAM: ">"}, count=10)
    publish_status(redis_client, StatusEvent(event_id="e-res", service_request_id=order, status="办结",
                                             at=T0 + timedelta(minutes=40)))
    assert applier.apply_pending() == 2  # 签收 (pending) first, then 办结 (new): both allowed in order
    assert [h.action for h in service.by_work_order(order).history[-2:]] == ["签收", "办结"]


def test_the_status_event_schema_in_docs_is_current() -> None:
    published = json.loads((Path(__file__).resolve().parents[2] / "docs" / "status-event.schema.json").read_text())
    assert published == status_event_json_schema(), \
        "run: civicwatch workorders schema --status > docs/status-event.schema.json"
    assert set(published["properties"]["status"]["enum"]) == {
        "签收", "退单", "办结", "accepted", "returned", "resolved"}


def test_a_lease_has_one_holder_until_it_is_released_or_expires(redis_client: redis.Redis) -> None:
    a = Lease(redis_client, "test:lease", ttl_s=0.6)
    b = Lease(redis_client, "test:lease", ttl_s=0.6)
    assert a.holds() and not b.holds() and a.holds()
    assert redis_client.get("test:lease").decode() == a.holder
    a.release()
    assert b.holds() and not a.holds()
    time.sleep(0.8)  # b stops renewing (a dead process): the lease expires and a takes it
    assert a.holds() and not b.holds()
