"""Item 2 of issue 16: a work order delivered before a Redis restart is on the stream after it
(the embedded Redis keeps an append-only file), or is re-sent once by the relay's reconciliation
(a Redis that lost its data); the consumer sees each id once."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from pymongo.database import Database

from crawlers.embedded import EmbeddedServers
from sinks.mongo import Store
from sinks.stream import Relay
from tests.sinks.test_sinks_stream import consumed, dispatch, service, stream_ids

pytestmark = pytest.mark.faults


@pytest.fixture
def store(mongo_db: Database) -> Store:
    return Store(db=mongo_db)


def test_a_delivered_work_order_outlives_an_embedded_redis_restart(store: Store, tmp_path: Path) -> None:
    with EmbeddedServers(tmp_path, mongo=False) as servers:
        client = redis.Redis.from_url(servers.redis_url or "")
        order_ids = [dispatch(store, str(n)) for n in range(3)]
        assert Relay(service(store), client).relay_once() == 3
        assert consumed(client) == order_ids[:3]
        client.close()
    with EmbeddedServers(tmp_path, mongo=False) as servers:  # the same data dir
        client = redis.Redis.from_url(servers.redis_url or "")
        assert stream_ids(client) == order_ids
        later = dispatch(store, "9")
        assert Relay(service(store), client).relay_once() == 1  # the new one only: nothing re-sent
        assert consumed(client) == [later]  # the group remembers what it read before the restart
        client.close()
    assert list((tmp_path / "redis").rglob("*.aof*"))


def test_the_relay_re_sends_once_what_a_restarted_redis_lost(store: Store, redis_client: redis.Redis) -> None:
    order_ids = [dispatch(store, str(n)) for n in range(3)]
    assert Relay(service(store), redis_client).relay_once() == 3
    redis_client.flushdb()  # a Redis restarted without its data
    # Two relays start at once: each lost entry comes back once.
    first, second = Relay(service(store), redis_client), Relay(service(store), redis_client)
    assert first.relay_once() + second.relay_once() == 3
    assert Relay(service(store), redis_client).relay_once() == 0
    assert sorted(consumed(redis_client)) == sorted(order_ids)
    entry_ids = {doc["outbox"]["entry_id"] for doc in store.leads.find({}, {"outbox": 1})}
    assert entry_ids == {eid.decode() for eid, _ in redis_client.xrange("civicwatch:workorders")}
