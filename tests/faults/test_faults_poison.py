"""Item 1 of issue 16, for every stream consumer: the work-order consumer (sinks/stream.py), the
suggestion replies (sinks/suggestions.py) and the status applier (sinks/status.py) survive poison
entries on the real Redis: each one goes to a dead-letter stream with its reason and is
acknowledged, the entries behind it are processed, and a restarted consumer first reads its own
pending entries (`0`), then new ones."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest
import redis
from pymongo.database import Database

from civicwatch.models import SuggestionReply
from sinks.servers import mongo_client
from sinks.stream import Delivery, WorkOrderConsumer
from sinks.suggestions import SuggestionReplies, SuggestionStore, publish_reply

pytestmark = pytest.mark.faults

WORKORDERS = "civicwatch:workorders"
STATUS = "civicwatch:workorder-status"

# (fields of a work-order stream entry, words the dead letter's reason must hold)
WORKORDER_POISON = [
    ({"id": "WO-surrogate", "document": '{"service_request_id": "WO-surrogate", "description": "\\ud800"}'},
     "not valid UTF-8"),
    ({"id": "WO-bytes", "document": b'{"description": "\xed\xa0\x80\xff"}'}, "not valid UTF-8"),
    ({"document": '{"service_request_id": "WO-noid"}'}, "no `id` field"),
    ({"id": "WO-nodoc"}, "no `document` field"),
    ({"id": "WO-huge", "document": json.dumps({"description": "满" * 300_000}, ensure_ascii=False)}, "oversize"),
    ({"id": "WO-array", "document": "[1, 2]"}, "not an object"),
    ({"id": "WO-json", "document": '{"service_request_id": '}, "bad JSON"),
]


def good_order(n: int) -> dict[str, str]:
    return {"id": f"WO-good-{n}", "document": json.dumps({"service_request_id": f"WO-good-{n}"})}


def dead_reasons(client: redis.Redis, stream: str) -> list[str]:
    return [f[b"reason"].decode() for _, f in client.xrange(stream)]


def test_poison_work_orders_are_dead_lettered_and_the_ones_behind_are_applied(redis_client: redis.Redis) -> None:
    consumer = WorkOrderConsumer(redis_client, "dispatch", "c1")
    redis_client.xadd(WORKORDERS, good_order(0))
    for fields, _ in WORKORDER_POISON:
        redis_client.xadd(WORKORDERS, fields)
        redis_client.xadd(WORKORDERS, good_order(len(redis_client.xrange(WORKORDERS))))
    applied: list[str] = []
    while consumer.consume(lambda d: applied.append(d.order_id), count=3):
        pass
    assert len(applied) == len(WORKORDER_POISON) + 1 and all(a.startswith("WO-good-") for a in applied)
    reasons = dead_reasons(redis_client, "civicwatch:workorders-dead")
    assert len(reasons) == len(WORKORDER_POISON)
    for reason, (_, words) in zip(reasons, WORKORDER_POISON, strict=True):
        assert words in reason
    assert redis_client.xpending(WORKORDERS, "dispatch")["pending"] == 0


def test_a_work_order_the_consumer_cannot_apply_is_dead_lettered_not_retried_forever(
        redis_client: redis.Redis) -> None:
    consumer = WorkOrderConsumer(redis_client, "dispatch", "c1")
    for n in range(3):
        redis_client.xadd(WORKORDERS, good_order(n))
    applied: list[str] = []

    def apply(delivery: Delivery) -> None:
        if delivery.order_id == "WO-good-1":
            raise KeyError("agency_responsible")  # the consumer's own code cannot take this document
        applied.append(delivery.order_id)

    assert consumer.consume(apply) == 2
    assert applied == ["WO-good-0", "WO-good-2"]
    assert "cannot be applied: KeyError" in dead_reasons(redis_client, "civicwatch:workorders-dead")[0]
    assert redis_client.xpending(WORKORDERS, "dispatch")["pending"] == 0


def test_a_restarted_work_order_consumer_reads_its_own_pending_entries_first(redis_client: redis.Redis) -> None:
    first = WorkOrderConsumer(redis_client, "dispatch", "c1")
    for n in range(3):
        redis_client.xadd(WORKORDERS, good_order(n))
    assert [d.order_id for d in first.read(count=10)] == ["WO-good-0", "WO-good-1", "WO-good-2"]
    # It crashed before acking anything; meanwhile a new work order came.
    redis_client.xadd(WORKORDERS, good_order(3))
    again = WorkOrderConsumer(redis_client, "dispatch", "c1")
    seen: list[str] = []
    while deliveries := again.read(count=2):
        for delivery in deliveries:
            seen.append(delivery.order_id)
            again.ack(delivery)
    assert seen == ["WO-good-0", "WO-good-1", "WO-good-2", "WO-good-3"]  # each once, pending first
    assert redis_client.xpending(WORKORDERS, "dispatch")["pending"] == 0


def test_a_store_outage_leaves_the_work_order_pending_for_the_next_step(redis_client: redis.Redis) -> None:
    consumer = WorkOrderConsumer(redis_client, "dispatch", "c1")
    redis_client.xadd(WORKORDERS, good_order(0))
    redis_client.xadd(WORKORDERS, good_order(1))
    down = True
    applied: list[str] = []

    def apply(delivery: Delivery) -> None:
        if down:
            raise ConnectionError("the consumer's database is down")
        applied.append(delivery.order_id)

    with pytest.raises(ConnectionError):
        consumer.consume(apply)
    down = False
    while consumer.consume(apply):
        pass
    assert applied == ["WO-good-0", "WO-good-1"]
    assert redis_client.xrange("civicwatch:workorders-dead") == []


# --- suggestion replies on the status stream ----------------------------------------------------


def _suggestion(store: SuggestionStore) -> str:
    return store.raise_suggestion(
        raised_by="ada", case_key="item:AQ02:福田区:沙头街道", title="沙头街道 · 楼道堆物", problem="反复出现",
        requested_action="清理", department="YJ", agency_responsible="应急管理局", deadline=date(2026, 12, 31),
        evidence=["lead:weibo:1"], evidence_total=3, item="AQ02", category="AQ", district="福田区",
        street="沙头街道").suggestion_id


def _reply(suggestion_id: str, status: str = "received", **extra: Any) -> SuggestionReply:
    return SuggestionReply(event_id=uuid.uuid4().hex, suggestion_id=suggestion_id, status=status,
                           at="2026-11-30T09:00:00+08:00", **extra)


def test_poison_replies_are_dead_lettered_and_the_replies_behind_are_applied(mongo_db: Database,
                                                                             redis_client: redis.Redis) -> None:
    store = SuggestionStore(mongo_db)
    first, second = _suggestion(store), _suggestion(store)
    replies = SuggestionReplies(store, redis_client)
    poison = [
        ({"type": "suggestion", "event": json.dumps({
            "event_id": "e-sur", "suggestion_id": first, "status": "declined", "at": "2026-11-30T09:00:00+08:00",
            "reason": "\ud800"})}, "not valid UTF-8"),  # json.dumps writes it as the escape "\ud800"
        ({"type": "suggestion"}, "no `event` field"),
        ({"type": "suggestion", "event": json.dumps({"event_id": "e-big", "reason": "长" * 20_000})}, "oversize"),
        ({"type": "suggestion", "event": "{not json"}, "bad JSON"),
        ({"type": "suggestion", "event": json.dumps({"event_id": "e-miss", "suggestion_id": first})},
         "invalid reply"),
    ]
    for fields, _ in poison:
        redis_client.xadd(STATUS, fields)
    publish_reply(redis_client, _reply(first))
    publish_reply(redis_client, _reply(second, "adopted"))
    assert replies.apply_pending() == 2
    assert store.get(first).state == "received" and store.get(second).state == "adopted"
    reasons = dead_reasons(redis_client, "civicwatch:workorder-status-dead")
    assert len(reasons) == len(poison)
    for reason, (_, words) in zip(reasons, poison, strict=True):
        assert words in reason
    assert redis_client.xpending(STATUS, "civicwatch-suggestions")["pending"] == 0


def test_a_restarted_reply_reader_applies_what_mongodb_failed_before(mongo_db: Database,
                                                                     redis_client: redis.Redis) -> None:
    store = SuggestionStore(mongo_db)
    sid = _suggestion(store)
    publish_reply(redis_client, _reply(sid))
    dead_client = mongo_client("mongodb://127.0.0.1:1/")  # nothing listens there: a real failure
    try:
        with pytest.raises(Exception, match="127.0.0.1:1"):
            SuggestionReplies(SuggestionStore(dead_client["x"]), redis_client).apply_pending()
    finally:
        dead_client.close()
    assert redis_client.xpending(STATUS, "civicwatch-suggestions")["pending"] == 1
    assert store.get(sid).state == "raised"
    publish_reply(redis_client, _reply(sid, "adopted"))
    restarted = SuggestionReplies(store, redis_client)  # the same consumer name, MongoDB back
    assert restarted.apply_pending() == 2  # the pending 'received' first, then the new 'adopted'
    assert [h.status for h in store.get(sid).history] == ["received", "adopted"]
    assert redis_client.xpending(STATUS, "civicwatch-suggestions")["pending"] == 0


# --- the status applier: an event whose lead cannot be written -----------------------------------


def test_a_status_event_that_cannot_be_applied_does_not_stall_the_ones_behind(mongo_db: Database,
                                                                              redis_client: redis.Redis) -> None:
    from datetime import timedelta

    from civicwatch.models import StatusEvent
    from sinks.mongo import Store
    from sinks.status import StatusApplier, publish_status
    from tests.sinks.test_sinks_store import T0
    from tests.sinks.test_sinks_stream import dispatch, service

    store = Store(db=mongo_db)
    order_id = dispatch(store, "ok")
    # A lead the code cannot read (a state it does not know, say from a hand edit): every apply raises.
    mongo_db["leads"].insert_one({"_id": "lead:weibo:broken", "state": "bogus", "work_order_id": "WO-broken"})
    applier = StatusApplier(service(store), redis_client)
    at = T0 + timedelta(minutes=20)
    publish_status(redis_client, StatusEvent(event_id="e1", service_request_id="WO-broken", status="签收", at=at))
    publish_status(redis_client, StatusEvent(event_id="e2", service_request_id=order_id, status="签收", at=at))
    assert applier.apply_pending() == 1
    assert service(store).by_work_order(order_id).state == "accepted"
    reasons = dead_reasons(redis_client, "civicwatch:workorder-status-dead")
    assert len(reasons) == 1 and reasons[0].startswith("cannot be applied: ValidationError")
    assert redis_client.xpending(STATUS, "civicwatch")["pending"] == 0


# --- examples/consumer.py, the downstream template ----------------------------------------------


def test_the_example_consumer_dead_letters_poison_and_commits_the_work_order_behind(
        mongo_db: Database, redis_client: redis.Redis, redis_url: str) -> None:
    import subprocess
    import sys
    import time
    from pathlib import Path

    from sinks.mongo import Store
    from sinks.stream import Relay
    from tests.sinks.test_sinks_stream import dispatch, service

    store = Store(db=mongo_db)
    redis_client.xadd(WORKORDERS, {"id": "WO-nodoc"})
    redis_client.xadd(WORKORDERS, {"id": "WO-json", "document": "{not json"})
    redis_client.xadd(WORKORDERS, {"id": "WO-fields", "document": "{}"})  # no service_request_id
    order_id = dispatch(store, "ex-poison")
    Relay(service(store), redis_client).relay_once()
    last = redis_client.xrange(WORKORDERS)[-1][0]
    proc = subprocess.Popen([sys.executable, "examples/consumer.py", "--redis", redis_url, "--group", "dispatch",
                             "--name", "ex1"], cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and redis_client.xlen("civicwatch:workorders-dead") < 3:
            time.sleep(0.1)
        while time.monotonic() < deadline and proc.poll() is None:
            group = {g["name"]: g for g in redis_client.xinfo_groups(WORKORDERS)}.get(b"dispatch")
            if group and group["pending"] == 0 and group["last-delivered-id"] == last:
                break
            time.sleep(0.1)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert proc.returncode in (0, -15), err[-2000:]
    assert f"{order_id} DL02" in out
    reasons = dead_reasons(redis_client, "civicwatch:workorders-dead")
    assert [r.split(":")[1].strip() for r in reasons] == ["KeyError", "JSONDecodeError", "KeyError"], reasons
