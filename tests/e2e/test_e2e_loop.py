"""The whole loop on real servers: simulator → `civicwatch run --once` → Mongo → verify → stream."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from civicwatch.config import Settings, load_config
from civicwatch.models import LeadState
from simulator.server import SimulatorServer
from sinks.leads import LeadService
from sinks.mongo import Store
from sinks.stream import Relay
from tests.e2e.cli import POSTS, civicwatch, expected_leads, servers_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def simulator() -> Iterator[SimulatorServer]:
    server = SimulatorServer(POSTS, port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def run_env(mongo_uri: str, redis_url: str, simulator: SimulatorServer, tmp_path: Path,
            redis_client: redis.Redis) -> dict[str, str]:
    return servers_env(mongo_uri, redis_url, simulator.url, tmp_path / "data")


def test_run_once_stores_leads_and_a_verified_lead_reaches_the_stream(run_env: dict[str, str]) -> None:
    result = civicwatch(run_env, "run", "--once", "--platforms", "weibo,tieba",
                        "--since", "2026-11-20T00:00:00+08:00")
    assert result.returncode == 0, result.stderr[-3000:]

    store = Store(run_env["CIVICWATCH_MONGO_URI"], run_env["CIVICWATCH_MONGO_DB"])
    leads = {doc["_id"] for doc in store.db["leads"].find({}, {"_id": 1})}
    assert leads == expected_leads()
    # Only leads' posts are kept, and only masked.
    assert store.db["posts"].count_documents({}) == len(leads)

    # A second round fetches nothing new: watermarks and the seen-set hold.
    again = civicwatch(run_env, "run", "--once", "--platforms", "weibo,tieba",
                       "--since", "2026-11-20T00:00:00+08:00")
    assert again.returncode == 0, again.stderr[-3000:]
    assert {doc["_id"] for doc in store.db["leads"].find({}, {"_id": 1})} == leads

    # Verify the manhole lead through the sinks API; the relay puts it on the stream.
    config = load_config(Settings())
    service = LeadService(store, config.catalogue)
    lead = service.get("lead:weibo:5300000000000002")
    assert lead.state == LeadState.PENDING_REVIEW
    order = service.verify_and_dispatch(lead.id, actor="tester", expected_version=lead.version)
    client = redis.Redis.from_url(run_env["CIVICWATCH_REDIS_URL"])
    assert Relay(service, client).relay_once() == 1
    entries = client.xrange("civicwatch:workorders")
    ids = [json.loads(fields[b"document"])["service_request_id"] if b"document" in fields
           else fields[b"service_request_id"].decode() for _, fields in entries]
    assert ids.count(order.service_request_id) == 1
    assert service.get(lead.id).state == LeadState.DISPATCHED
