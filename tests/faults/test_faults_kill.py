"""kill -9 (issue 16, Build: "a fault suite"): a crawl round of `civicwatch run --once` against the
simulator SIGKILLed at seeded points, then run again to completion, stores exactly what an
uninterrupted round stores (same leads, same posts, same sources, same seen-set): nothing lost,
nothing doubled. Likewise a round whose Redis or MongoDB is stopped mid-round: it fails plainly
and quickly, and the next round, with the server back, completes it. And the relay killed mid-dispatch."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from crawlers.embedded import EmbeddedServers
from simulator.server import SimulatorServer
from sinks.servers import mongo_client
from tests.sinks.test_sinks_stream import _Redis

pytestmark = [pytest.mark.faults, pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SEED = 16
KILLS = 3
SINCE = "2026-11-19T00:00:00+08:00"

# The project's own sample posts (written for the demo): weibo and tieba, leads, reposts of one
# incident and non-leads.
POSTS = ROOT / "simulator" / "data" / "sample_posts.jsonl"


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorServer]:
    server = SimulatorServer(POSTS, port=0).start()
    yield server
    server.stop()


def with_db(url: str, db: int) -> str:
    return url.rsplit("/", 1)[0] + f"/{db}"


class World:
    """One database and one Redis (database): where one sequence of rounds stores."""

    def __init__(self, mongo_uri: str, redis_url: str, simulator: SimulatorServer, data_dir: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICWATCH_")}
        self.db_name = f"kill_{uuid.uuid4().hex[:8]}"
        self.env.update({"CIVICWATCH_MONGO_URI": mongo_uri, "CIVICWATCH_MONGO_DB": self.db_name,
                         "CIVICWATCH_REDIS_URL": redis_url,
                         "CIVICWATCH_SIMULATOR": simulator.url, "CIVICWATCH_DATA_DIR": str(data_dir),
                         "CIVICWATCH_AUTHOR_SECRET": "kill-test", "CIVICWATCH_TIME_SCALE": "0"})
        self.mongo = mongo_client(mongo_uri)  # short time-outs: closing it on a stopped server is quick
        self.db = self.mongo[self.db_name]
        self.redis = redis.Redis.from_url(redis_url)
        self.redis.flushdb()

    def use_mongo(self, mongo_uri: str) -> None:
        """The same data on a MongoDB server started again (on another port)."""
        self.mongo.close()
        self.env["CIVICWATCH_MONGO_URI"] = mongo_uri
        self.mongo = mongo_client(mongo_uri)
        self.db = self.mongo[self.db_name]

    def start(self) -> subprocess.Popen[bytes]:
        # stderr to a file: a pipe nobody reads until the end fills and blocks the round
        self.stderr = Path(self.env["CIVICWATCH_DATA_DIR"]).parent / f"stderr-{uuid.uuid4().hex[:6]}.txt"
        with self.stderr.open("wb") as err:
            return subprocess.Popen([sys.executable, "-m", "crawlers.cli", "run", "--once", "--platforms",
                                     "weibo,tieba", "--since", SINCE], cwd=ROOT, env=self.env,
                                    stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)

    def run(self) -> None:
        proc = self.start()
        proc.wait(180)
        assert proc.returncode == 0, self.stderr.read_text(encoding="utf-8", errors="replace")[-3000:]

    def run_interrupted(self, stored: int, interrupt: Callable[[subprocess.Popen[bytes]], None]) -> tuple[bool, str]:
        """Start a round and call `interrupt` once `stored` posts are stored; then wait for the
        round to end. (Whether it was interrupted, its stderr.)"""
        proc = self.start()
        deadline = time.monotonic() + 180
        interrupted = False
        try:
            while proc.poll() is None:
                if not interrupted and self.db["posts"].count_documents({}) >= stored:
                    interrupt(proc)
                    interrupted = True
                assert time.monotonic() < deadline, "the round neither ended nor got that far"
                time.sleep(0.005)
            return interrupted, self.stderr.read_text(encoding="utf-8", errors="replace")
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(30)

    def outcome(self) -> dict[str, Any]:
        leads = list(self.db["leads"].find({}, {"sources.key": 1, "state": 1}))
        return {
            "leads": sorted(d["_id"] for d in leads),
            "sources": sorted((d["_id"], sorted(s["key"] for s in d["sources"])) for d in leads),
            "posts": sorted(self.db["posts"].distinct("_id")),
            "post_docs": self.db["posts"].count_documents({}),
            "states": {d["state"] for d in leads},
            "seen": sorted(k.decode() for k in self.redis.zrange("civicwatch:seen", 0, -1)),
        }

    def close(self) -> None:
        self.mongo.drop_database(self.db_name)
        self.mongo.close()
        self.redis.flushdb()
        self.redis.close()


@pytest.fixture(scope="module")
def clean(mongo_uri: str, redis_url: str, simulator: SimulatorServer,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """What one uninterrupted round stores."""
    world = World(mongo_uri, with_db(redis_url, 1), simulator, tmp_path_factory.mktemp("clean"))
    try:
        world.run()
        outcome = world.outcome()
    finally:
        world.close()
    assert outcome["post_docs"] >= 10 and len(outcome["leads"]) >= 5, outcome  # reposts join their incident
    assert outcome["states"] == {"pending_review"}
    yield outcome


def assert_same(got: dict[str, Any], expected: dict[str, Any], *, whole_seen_set: bool = True) -> None:
    assert got["leads"] == expected["leads"], "a lead was lost or doubled"
    assert got["sources"] == expected["sources"], "a source was lost, doubled or joined another incident"
    assert got["posts"] == expected["posts"] and got["post_docs"] == expected["post_docs"]
    if whole_seen_set:
        assert got["seen"] == expected["seen"]
    else:  # a platform whose round ended before the outage moved its watermark and is not re-read
        assert set(got["seen"]) <= set(expected["seen"]), sorted(set(got["seen"]) - set(expected["seen"]))
    assert got["states"] == {"pending_review"}


def test_a_round_killed_at_seeded_points_then_resumed_stores_what_an_uninterrupted_round_does(
        clean: dict[str, Any], mongo_uri: str, redis_url: str, simulator: SimulatorServer, tmp_path: Path) -> None:
    killed = World(mongo_uri, with_db(redis_url, 2), simulator, tmp_path / "data")
    try:
        points = sorted(random.Random(SEED).sample(range(1, clean["post_docs"]), KILLS))

        def kill(proc: subprocess.Popen[bytes]) -> None:
            os.killpg(proc.pid, signal.SIGKILL)  # the round's whole process group

        kills = [killed.run_interrupted(point, kill)[0] for point in points]
        assert any(kills), f"no kill landed before the round finished (points {points})"
        killed.run()  # to completion
        assert_same(killed.outcome(), clean)
    finally:
        killed.close()


def test_redis_stopped_mid_round_fails_the_round_and_the_next_round_completes_it(
        clean: dict[str, Any], mongo_uri: str, simulator: SimulatorServer, tmp_path: Path) -> None:
    server = _Redis(tmp_path)  # a Redis of this test's own, stopped and started on one port
    server.start()
    world = World(mongo_uri, f"redis://127.0.0.1:{server.port}/0", simulator, tmp_path / "data")
    try:
        point = random.Random(SEED).randrange(1, clean["post_docs"])
        interrupted, stderr = world.run_interrupted(point, lambda proc: server.stop())
        assert interrupted, "the round finished before Redis was stopped"
        assert "Traceback" not in stderr, stderr[-2000:]  # one line per failed item, no tracebacks
        assert stderr.rstrip().splitlines()[-1].startswith("error: round failed"), stderr[-2000:]
        assert "redis failed" in stderr.rstrip().splitlines()[-1]
        server.start()  # back, without its data: the seen-set is gone, the posts are not
        world.run()
        assert_same(world.outcome(), clean, whole_seen_set=False)
    finally:
        world.close()
        if server.proc is not None and server.proc.poll() is None:
            server.stop()


def test_mongodb_stopped_mid_round_fails_the_round_quickly_and_the_next_round_completes_it(
        clean: dict[str, Any], redis_url: str, simulator: SimulatorServer, tmp_path: Path) -> None:
    mongo = EmbeddedServers(tmp_path / "mongo", redis=False).start()  # one of this test's own
    world = World(mongo.mongo_uri or "", with_db(redis_url, 4), simulator, tmp_path / "data")
    try:
        point = random.Random(SEED + 1).randrange(1, clean["post_docs"])
        interrupted, stderr = world.run_interrupted(point, lambda proc: mongo.stop())
        assert interrupted, "the round finished before MongoDB was stopped"
        # After the first failure the round's other items fail at once: they used to wait out
        # the server time-out one by one (exit 71 s after the stop for this round, 8 s now, once measured).
        assert "MongoDB failed earlier in this round; left for the next round" in stderr, stderr[-2000:]
        assert "Traceback" not in stderr, stderr[-2000:]
        last = stderr.rstrip().splitlines()[-1]
        assert last.startswith("error: round failed") and "mongodb failed" in last, stderr[-2000:]
        mongo.start()  # the same data dir: what was stored before the stop is still there
        world.use_mongo(mongo.mongo_uri or "")
        world.run()
        assert_same(world.outcome(), clean)
    finally:
        world.close()
        mongo.stop()


def test_a_relay_killed_mid_dispatch_at_seeded_points_puts_each_work_order_on_the_stream_once(
        mongo_uri: str, redis_url: str, tmp_path: Path) -> None:
    """`civicwatch workorders relay` SIGKILLed while it moves work orders to the stream, restarted."""
    from sinks.mongo import Store
    from tests.sinks.test_sinks_stream import consumed, dispatch, stream_ids

    db_name = f"relay_{uuid.uuid4().hex[:8]}"
    store = Store(mongo_uri, db_name)
    client = redis.Redis.from_url(with_db(redis_url, 3))
    client.flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICWATCH_")}
    env.update({"CIVICWATCH_MONGO_URI": mongo_uri, "CIVICWATCH_MONGO_DB": db_name,
                "CIVICWATCH_REDIS_URL": with_db(redis_url, 3), "CIVICWATCH_DATA_DIR": str(tmp_path / "data")})

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "crawlers.cli", "workorders", "relay", "--interval", "0.05"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)

    def pending() -> int:
        return store.leads.count_documents({"outbox.state": "pending"})

    try:
        order_ids = [dispatch(store, f"r{n}") for n in range(40)]
        points = sorted(random.Random(SEED).sample(range(1, len(order_ids)), KILLS))
        kills = 0
        for point in points:
            proc = start()
            deadline = time.monotonic() + 120
            while proc.poll() is None and client.xlen("civicwatch:workorders") < point and pending():
                assert time.monotonic() < deadline, "the relay did not get that far"
                time.sleep(0.002)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait(30)
            # The dead relay's lease would expire by itself (15 s); removed to keep the test short.
            client.delete("civicwatch:workorder-status:link-leader")
        assert kills == KILLS
        assert pending(), "every kill came after the last work order was relayed"
        proc = start()
        deadline = time.monotonic() + 120
        while pending():
            assert time.monotonic() < deadline and proc.poll() is None, "the relay did not finish"
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        on_stream = stream_ids(client)
        assert sorted(on_stream) == sorted(order_ids), "a work order was lost or doubled on the stream"
        seen = consumed(client, count=16)
        assert sorted(seen) == sorted(order_ids)
    finally:
        store.db.client.drop_database(db_name)
        client.flushdb()
        client.close()
