"""MongoDB stopped mid-dispatch (issue 16, Build: "a fault suite ... MongoDB stopped and restarted
mid-dispatch"): leads verified while `civicwatch workorders relay` runs, and MongoDB stopped twice:
between the verifies and the relay's first round, and while the relay is delivering (after a
seeded verify, with work orders waiting in the outbox). The relay keeps retrying with one plain line per outage and no
traceback; once MongoDB is back on the same data, each work-order id is on the stream exactly once,
a consumer sees each once, and SIGTERM ends the relay with exit 0."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pymongo.errors
import pytest
import redis

from sinks.leads import LeadService
from sinks.mongo import Store
from sinks.servers import mongo_client
from tests.faults.conftest import RestartableMongo
from tests.sinks.test_sinks_store import CONFIG, save
from tests.sinks.test_sinks_stream import consumed, dispatch, stream_ids

pytestmark = [pytest.mark.faults, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SEED = 16
STREAM = "civicwatch:workorders"


def wait_for(what: str, condition: object, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.002)


def test_mongodb_stopped_before_and_during_the_relay_loses_and_doubles_nothing(
        mongo: RestartableMongo, redis_url: str, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    db_name = f"mdispatch_{uuid.uuid4().hex[:8]}"
    store = Store(db=mongo_client(mongo.uri)[db_name])
    url = redis_url.rsplit("/", 1)[0] + "/6"
    client = redis.Redis.from_url(url)
    client.flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICWATCH_")}
    env.update({"CIVICWATCH_MONGO_URI": mongo.uri, "CIVICWATCH_MONGO_DB": db_name, "CIVICWATCH_REDIS_URL": url,
                "CIVICWATCH_DATA_DIR": str(tmp_path / "data")})
    stderr = tmp_path / "relay-stderr.txt"
    proc: subprocess.Popen[bytes] | None = None

    def pending() -> int:
        return store.leads.count_documents({"outbox.state": "pending"})

    try:
        order_ids = [dispatch(store, f"a{n}") for n in range(10)]  # verified before the relay runs
        waiting, _ = save(store, "w")
        mongo.stop()  # gone between the verifies and the relay
        with pytest.raises(pymongo.errors.ConnectionFailure):  # a verify now fails as a whole (503 in the console)
            LeadService(store, CONFIG.catalogue).verify_and_dispatch(waiting.id, actor="alice",
                                                                     expected_version=waiting.version)
        with stderr.open("wb") as err:
            proc = subprocess.Popen([sys.executable, "-m", "crawlers.cli", "workorders", "relay", "--interval",
                                     "0.05"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err,
                                    start_new_session=True)
        time.sleep(4)  # a few failed rounds (each waits out the short server time-out)
        assert proc.poll() is None, "the relay gave up instead of retrying"
        assert client.xlen(STREAM) == 0
        mongo.start()  # the same port and data
        wait_for("the relay did not deliver once MongoDB was back", lambda: client.xlen(STREAM) >= 10)
        # The lead whose verify failed is as it was: not dispatched, nothing in its outbox.
        kept = store.leads.find_one({"_id": waiting.id}) or {}
        assert kept["state"] == "pending_review" and not (kept.get("outbox") or {}).get("state"), kept

        # Verified while the relay runs, which delivers them as they come; MongoDB stopped at a
        # seeded verify while the relay has work in hand, the verifies after it once it is back.
        stop_from = rng.randint(5, 25)
        stopped = False
        for n in range(40):
            order_ids.append(dispatch(store, f"b{n}"))
            if not stopped and n >= stop_from and pending():  # it may be adding that one right now
                mongo.stop()
                stopped = True
                time.sleep(4)
                assert proc.poll() is None, "the relay gave up instead of retrying"
                mongo.start()
        assert stopped, "the relay never had work in hand when a verify was done"
        wait_for("the relay did not finish once MongoDB was back", lambda: not pending())
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0, "SIGTERM did not end the relay cleanly"

        text = stderr.read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in text, text[-3000:]
        down = [line for line in text.splitlines() if "MongoDB is not answering" in line]
        # One line when an outage begins, per loop that met it, not one per failed round.
        assert 1 <= len(down) <= 6, text[-3000:]
        assert all(line.startswith("workorder") or line.startswith("status") or line.startswith("suggestions")
                   for line in down), down

        on_stream = stream_ids(client)
        assert sorted(on_stream) == sorted(order_ids), "a work order was lost or doubled on the stream"
        seen = consumed(client, count=16)
        assert sorted(seen) == sorted(order_ids)
        entry_ids = {eid.decode() for eid, _ in client.xrange(STREAM)}
        recorded = {d["outbox"]["entry_id"] for d in store.leads.find({"outbox.state": "delivered"}, {"outbox": 1})}
        assert recorded - {None} <= entry_ids  # an entry id the outbox records is on the stream
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
        if mongo.proc is None or mongo.proc.poll() is not None:
            mongo.start()
        store.db.client.drop_database(db_name)
        store.db.client.close()
        client.flushdb()
        client.close()
