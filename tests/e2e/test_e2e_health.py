"""A fault on one platform turns it degraded with the reason; the other platform's posts still arrive."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from pymongo import MongoClient

from simulator.server import SimulatorServer
from tests.e2e.test_e2e_loop import POSTS, ROOT


@pytest.mark.parametrize("kind, reason, scope", [
    ("rate_limited", "rate_limited", {}),
    ("login_required", "login_required", {}),
    ("blocked", "blocked", {}),
    ("malformed", "malformed", {}),
    ("rate_limited", "rate_limited", {"remaining": 1}),  # one keyword throttled, others fine
    ("slow", "slow", {"delay_s": 1.5}),                 # CIVICWATCH_HEALTH_SLOW_S=1 below
])
def test_fault_degrades_only_that_platform(mongo_uri: str, redis_url: str, redis_client: object, tmp_path: Path,
                                           kind: str, reason: str, scope: dict[str, int]) -> None:
    # redis_client: a flushed Redis, so the seen-set of an earlier case does not hide posts
    sim = SimulatorServer(POSTS).start()
    sim.set_fault("weibo", kind, **scope)
    db = f"health_{uuid.uuid4().hex[:8]}"
    env = {**_env(mongo_uri, redis_url, sim, tmp_path, db), "CIVICWATCH_HEALTH_SLOW_S": "1"}
    try:
        _run_once(env)
        shown = subprocess.run([sys.executable, "-m", "crawlers.cli", "sources"], cwd=ROOT,
                               env={**env, "COLUMNS": "200"}, capture_output=True, text=True, timeout=60)
    finally:
        sim.stop()
    health = {d["_id"]: d for d in MongoClient(mongo_uri)[db]["source_health"].find()}
    assert health["weibo"]["state"] == "degraded" and reason in health["weibo"]["reason"]
    assert any(kind in e for e in health["weibo"]["evidence"])
    assert health["tieba"]["state"] == "ok"
    leads = {d["_id"] for d in MongoClient(mongo_uri)[db]["leads"].find()}
    assert "lead:tieba:9100000001" in leads
    if not scope:  # every weibo answer spoiled
        assert not any(x.startswith("lead:weibo") for x in leads)
    assert "weibo" in shown.stdout and "degraded" in shown.stdout and "tieba" in shown.stdout
    MongoClient(mongo_uri).drop_database(db)


def _run_once(env: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "-m", "crawlers.cli", "run", "--once", "--platforms", "weibo,tieba",
                             "--since", "2026-11-20T00:00:00+08:00"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]


def _env(mongo_uri: str, redis_url: str, sim: SimulatorServer, tmp_path: Path, db: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICWATCH_")}
    env.update({"CIVICWATCH_MONGO_URI": mongo_uri, "CIVICWATCH_MONGO_DB": db, "CIVICWATCH_REDIS_URL": redis_url,
                "CIVICWATCH_SIMULATOR": sim.url, "CIVICWATCH_TIME_SCALE": "0", "CIVICWATCH_DATA_DIR": str(tmp_path)})
    return env


def test_empty_answers_from_a_busy_source_degrade(mongo_uri: str, redis_url: str, redis_client: object,
                                                  tmp_path: Path) -> None:
    sim = SimulatorServer(POSTS).start()
    db = f"health_{uuid.uuid4().hex[:8]}"
    try:
        _run_once(_env(mongo_uri, redis_url, sim, tmp_path, db))
        sim.set_fault("weibo", "empty")  # the silent empty list some platforms answer a block with
        _run_once(_env(mongo_uri, redis_url, sim, tmp_path, db))
    finally:
        sim.stop()
    health = {d["_id"]: d for d in MongoClient(mongo_uri)[db]["source_health"].find()}
    MongoClient(mongo_uri).drop_database(db)
    assert health["weibo"]["state"] == "degraded" and "only empty answers" in health["weibo"]["reason"]
    assert health["tieba"]["state"] == "ok"


def test_a_post_served_twice_while_paging_degrades(mongo_uri: str, redis_url: str, redis_client: object,
                                                   tmp_path: Path) -> None:
    import json

    rows = [json.loads(x) for x in POSTS.read_text(encoding="utf-8").splitlines() if x.strip()]
    rows += [{"platform": "weibo", "post_id": str(5_310_000_000_000_000 + i), "url": f"https://m.weibo.cn/detail/{i}",
              "author": "a", "text": f"深圳第{i}条日常", "published_at": f"2026-11-21T{i:02d}:00:00+08:00"}
             for i in range(15)]
    posts = tmp_path / "posts.jsonl"
    posts.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    sim = SimulatorServer(posts).start()
    sim.set_fault("weibo", "duplicate_ids")
    db = f"health_{uuid.uuid4().hex[:8]}"
    try:
        _run_once(_env(mongo_uri, redis_url, sim, tmp_path, db))
    finally:
        sim.stop()
    health = {d["_id"]: d for d in MongoClient(mongo_uri)[db]["source_health"].find()}
    MongoClient(mongo_uri).drop_database(db)
    assert health["weibo"]["state"] == "degraded" and "duplicate_id" in health["weibo"]["reason"]
    assert health["tieba"]["state"] == "ok"


def test_posts_deleted_before_they_are_opened_degrade(mongo_uri: str, redis_url: str, redis_client: object,
                                                      tmp_path: Path) -> None:
    sim = SimulatorServer(POSTS).start()
    sim.set_fault("tieba", "deleted")  # every thread on the board answers 404 "该贴已被删除"
    db = f"health_{uuid.uuid4().hex[:8]}"
    try:
        _run_once(_env(mongo_uri, redis_url, sim, tmp_path, db))
    finally:
        sim.stop()
    client = MongoClient(mongo_uri)
    health = {d["_id"]: d for d in client[db]["source_health"].find()}
    leads = {d["_id"] for d in client[db]["leads"].find()}
    client.drop_database(db)
    assert health["tieba"]["state"] == "degraded" and "not_found" in health["tieba"]["reason"], health["tieba"]
    assert any("not_found" in e for e in health["tieba"]["evidence"])
    assert health["weibo"]["state"] == "ok"
    assert any(x.startswith("lead:weibo") for x in leads)


def test_a_source_gone_away_is_down(mongo_uri: str, redis_url: str, redis_client: object, tmp_path: Path) -> None:
    sim = SimulatorServer(POSTS).start()
    sim.stop()  # every platform now points at a port nobody listens on
    db = f"health_{uuid.uuid4().hex[:8]}"
    _run_once(_env(mongo_uri, redis_url, sim, tmp_path, db))
    client = MongoClient(mongo_uri)
    health = {d["_id"]: d for d in client[db]["source_health"].find()}
    client.drop_database(db)
    assert health["weibo"]["state"] == "down" and health["tieba"]["state"] == "down"
    assert "no response" in health["weibo"]["reason"]
