"""Redis stopped and restarted mid-dispatch (issue 16, Build: "a fault suite"; Must show: each id
once): verifiers keep dispatching while the relay runs and Redis goes down at seeded points and
comes back without its data (no append-only file: the worst case). The relay reconciles with
every new Redis process (its run_id), so each work-order id reaches the stream exactly once and
a consumer sees each id once."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
import redis
from pymongo.database import Database
from redis.backoff import NoBackoff
from redis.retry import Retry

from sinks.mongo import Store
from sinks.stream import Relay
from tests.sinks.test_sinks_stream import _Redis, consumed, dispatch, service, stream_ids

pytestmark = pytest.mark.faults

SEED = 16
ORDERS = 30


def test_each_work_order_reaches_the_stream_once_through_redis_restarts_mid_dispatch(
        mongo_db: Database, tmp_path: Path) -> None:
    store = Store(db=mongo_db)
    server = _Redis(tmp_path)
    server.start()
    # No retries: a down Redis fails the round at once (redis-py would back off and retry).
    client = redis.Redis(port=server.port, socket_connect_timeout=0.5, socket_timeout=0.5,
                         retry=Retry(NoBackoff(), 0))
    relay = Relay(service(store), client)
    rng = random.Random(SEED)
    stops = {rng.randint(9 * i + 2, 9 * i + 5) for i in range(3)}  # the dispatches after which Redis goes down
    order_ids: list[str] = []
    restarts = 0
    try:
        down_for = 0
        for n in range(ORDERS):
            order_ids.append(dispatch(store, f"o{n}"))  # the verifier's step needs MongoDB only
            relay.relay_once(limit=rng.randint(1, 3))  # a partial round: some stay pending
            if n in stops:
                server.stop()
                down_for = rng.randint(1, 3)
            elif down_for:
                down_for -= 1
                if not down_for:
                    server.start()  # empty: everything delivered so far is gone from Redis
                    restarts += 1
        if down_for:
            server.start()
            restarts += 1
        while relay.relay_once() or relay.pending_count():
            pass
        on_stream = Counter(stream_ids(client))
        assert restarts == 3
        assert sorted(on_stream) == sorted(order_ids) and set(on_stream.values()) == {1}, on_stream
        assert relay.relay_once() == 0 and Counter(stream_ids(client)) == on_stream  # settled
        seen = consumed(client, count=7)
        assert sorted(seen) == sorted(order_ids) and len(seen) == len(set(seen))
    finally:
        client.close()
        if server.proc is not None and server.proc.poll() is None:
            server.stop()
