"""kill -9 (issue 16, Build: "a fault suite"): a crawl round of `civicwatch run --once` against the
simulator SIGKILLed at seeded points, then run again to completion, stores exactly what an
uninterrupted round stores (same leads, same posts, same sources, same seen-set): nothing lost,
nothing doubled."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymongo
import pytest
import redis

from simulator.server import SimulatorServer

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
    """One database and one Redis database number: where one sequence of rounds stores."""

    def __init__(self, mongo_uri: str, redis_url: str, redis_db: int, simulator: SimulatorServer,
                 data_dir: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICWATCH_")}
        self.db_name = f"kill_{uuid.uuid4().hex[:8]}"
        self.env.update({"CIVICWATCH_MONGO_URI": mongo_uri, "CIVICWATCH_MONGO_DB": self.db_name,
                         "CIVICWATCH_REDIS_URL": with_db(redis_url, redis_db),
                         "CIVICWATCH_SIMULATOR": simulator.url, "CIVICWATCH_DATA_DIR": str(data_dir),
                         "CIVICWATCH_AUTHOR_SECRET": "kill-test", "CIVICWATCH_TIME_SCALE": "0"})
        self.mongo = pymongo.MongoClient(mongo_uri)
        self.db = self.mongo[self.db_name]
        self.redis = redis.Redis.from_url(with_db(redis_url, redis_db))
        self.redis.flushdb()

    def start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "crawlers.cli", "run", "--once", "--platforms", "weibo,tieba",
                                 "--since", SINCE], cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)

    def run(self) -> None:
        proc = self.start()
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode("utf-8", "replace")[-3000:]

    def run_killed_after(self, stored: int) -> bool:
        """Start a round and SIGKILL it (its whole process group) once `stored` posts are stored;
        False when the round finished first."""
        proc = self.start()
        deadline = time.monotonic() + 180
        try:
            while proc.poll() is None:
                if self.db["posts"].count_documents({}) >= stored:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(30)
                    return True
                assert time.monotonic() < deadline, "the round neither finished nor got that far"
                time.sleep(0.005)
            return False
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(30)
            if proc.stderr:
                proc.stderr.close()

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


@pytest.fixture
def worlds(mongo_uri: str, redis_url: str, simulator: SimulatorServer, tmp_path: Path) -> Iterator[list[World]]:
    made = [World(mongo_uri, redis_url, n, simulator, tmp_path / f"data{n}") for n in (1, 2)]
    yield made
    for world in made:
        world.close()


def test_a_round_killed_at_seeded_points_then_resumed_stores_what_an_uninterrupted_round_does(
        worlds: list[World]) -> None:
    clean, killed = worlds
    clean.run()
    expected = clean.outcome()
    total = expected["post_docs"]
    assert total >= 10 and len(expected["leads"]) >= 5, expected  # reposts join their incident's lead
    points = sorted(random.Random(SEED).sample(range(1, total), KILLS))
    kills = [killed.run_killed_after(point) for point in points]

    assert any(kills), f"no kill landed before the round finished (points {points})"
    killed.run()  # to completion
    got = killed.outcome()
    assert got["leads"] == expected["leads"], "a lead was lost or doubled"
    assert got["sources"] == expected["sources"], "a source was lost, doubled or joined another incident"
    assert got["posts"] == expected["posts"] and got["post_docs"] == total
    assert got["seen"] == expected["seen"]
    assert got["states"] == {"pending_review"}
