"""Two consoles' dispatch links on one Redis: the lease elects one to relay and apply, and the
other takes over when it stops (real embedded servers)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import redis
from pymongo.database import Database

from civicwatch.models import LeadState, StatusEvent
from crawlers.commands.workorders import DispatchLink
from sinks.leads import LeadService
from sinks.mongo import Store
from sinks.status import publish_status
from tests.sinks.test_sinks_store import CONFIG, T0, save


def wait_for(check: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_one_link_per_deployment_does_the_work_and_another_takes_over(mongo_db: Database,
                                                                        redis_client: redis.Redis) -> None:
    store = Store(db=mongo_db)
    service = LeadService(store, CONFIG.catalogue, now=lambda: T0 + timedelta(minutes=5))
    worked: dict[str, int] = {"a": 0, "b": 0}

    def link(name: str) -> DispatchLink:
        return DispatchLink(service, redis_client, workorder_stream="civicwatch:workorders",
                            status_stream="civicwatch:workorder-status", interval_s=0.05, lease_ttl_s=1.0,
                            report=lambda loop, n: worked.__setitem__(name, worked[name] + n))

    a, b = link("a"), link("b")
    try:
        _work(store, service, redis_client, a, b, worked)
    finally:
        a.stop()
        b.stop()


def _work(store: Store, service: LeadService, redis_client: redis.Redis, a: DispatchLink, b: DispatchLink,
          worked: dict[str, int]) -> None:
    a.start()
    wait_for(a.lease.holds)
    b.start()
    orders = []
    for pid in ("1", "2", "3"):
        lead, _ = save(store, pid)
        orders.append(service.verify_and_dispatch(lead.id, actor="alice",
                                                  expected_version=lead.version).service_request_id)
    for i, order in enumerate(orders):
        publish_status(redis_client, StatusEvent(event_id=f"acc-{i}", service_request_id=order, status="签收",
                                                 at=T0 + timedelta(minutes=9)))
    wait_for(lambda: worked["a"] == 6)
    assert all(service.by_work_order(o).state == LeadState.ACCEPTED for o in orders)
    assert redis_client.xlen("civicwatch:workorders") == 3
    time.sleep(0.3)
    assert worked["b"] == 0  # 3 relayed + 3 applied, all by the leader
    a.stop()  # gives up the lease; b takes over
    publish_status(redis_client, StatusEvent(event_id="res-0", service_request_id=orders[0], status="resolved",
                                             at=T0 + timedelta(minutes=30)))
    wait_for(lambda: worked["b"] == 1)
    assert service.by_work_order(orders[0]).state == LeadState.RESOLVED
