"""Queue-page time with N stored leads of which P pending (prints figures; no thresholds).

    .venv/bin/python benchmarks/console.py [--leads 200000] [--pending 20000] [--runs 20]
        [--storage-path DIR|:memory:]

Uses CIVICWATCH_MONGO_URI when set, else starts a throwaway `secantusd-py` on a free port, with its
data on disk in a temporary directory as the embedded server keeps it (or `--storage-path`).
Leads are written as Lead documents in bulk inserts, then LeadService.rebuild_queue gives them
their queue ranks and counts, as `civicwatch review` does at start-up (seeding speed is not what
is measured). The rest of the leads are closed (resolved, rejected, merged, dispatched).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402

from civicwatch.clock import now_shanghai  # noqa: E402
from civicwatch.config import get_settings, load_config  # noqa: E402
from civicwatch.lifecycle import deadline_for  # noqa: E402
from civicwatch.models import Decision, HistoryEntry, Lead, LeadState, Source  # noqa: E402
from review.app import create_app  # noqa: E402
from review.render import PLATFORM_NAMES  # noqa: E402
from sinks.queue import rank_of  # noqa: E402
from sinks.users import UserStore  # noqa: E402

PHRASES = ["小区停水一整天了", "路口井盖缺失很危险", "楼下烧烤油烟太大", "工地半夜还在施工",
           "公司拖欠工资三个月", "地铁站电梯坏了", "路灯不亮晚上很黑", "暴雨后路面积水严重"]


@contextmanager
def mongo_uri(storage: str) -> Iterator[str]:
    if os.environ.get("CIVICWATCH_MONGO_URI"):
        yield os.environ["CIVICWATCH_MONGO_URI"]
        return
    exe = Path(sys.executable).with_name("secantusd-py")
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen([str(exe), "--host", "127.0.0.1", "--port", "0", "--storage-path", storage],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 20
            while True:
                log.seek(0)
                m = re.search(r"listening on 127\.0\.0\.1:(\d+)", log.read())
                if m:
                    break
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("secantusd-py did not start")
                time.sleep(0.05)
            yield f"mongodb://127.0.0.1:{m.group(1)}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # a large on-disk store can take longer to close
                proc.kill()
                proc.wait(timeout=10)


def make_store(uri: str, db_name: str) -> Any:
    from sinks.mongo import Store

    return Store(uri, db_name)


CLOSED = (LeadState.RESOLVED, LeadState.RESOLVED, LeadState.REJECTED, LeadState.REJECTED, LeadState.REJECTED,
          LeadState.MERGED, LeadState.DISPATCHED)


def lead_docs(n: int, pending: int, config: Any, start: int = 0) -> list[dict[str, Any]]:
    """Leads start..n-1; every (n // pending)-th is pending review, found in the last 5 hours;
    the others are closed, found over the past year."""
    rnd = random.Random(7 + start)
    step = max(1, n // max(1, pending))
    items = list(config.catalogue.items.values())
    districts = [d for d in config.gazetteer.districts if d.streets]
    now = now_shanghai()
    docs = []
    for i in range(start, min(n, start + 10_000)):
        it, dist = rnd.choice(items), rnd.choice(districts)
        is_pending = i % step == 0 and i // step < pending
        found = now - timedelta(minutes=rnd.randint(0, 300) if is_pending else rnd.randint(300, 525_600))
        platform = rnd.choice(list(PLATFORM_NAMES))
        text = f"{rnd.choice(PHRASES)}，{dist.name}{rnd.choice(dist.streets).name}，第{i}条"
        decision = Decision(platform=platform, post_id=str(i), is_lead=True, score=0.7, district=dist.name,
                            street=rnd.choice(dist.streets).name, category=it.category, item=it.code,
                            department=it.department, urgency=it.sla, text_masked=text,
                            matched=[text[:2]], reasons=["bench"])
        sources = [Source(key=f"{platform}:{i}-{k}", platform=platform, url=f"https://example.org/{i}/{k}",
                          published_at=found) for k in range(rnd.choice((1, 1, 1, 2, 3)))]
        lead = Lead(_id=f"lead:{platform}:{i}", decision=decision, sources=sources, discovered_at=found,
                    deadline=deadline_for(found, it.sla, config.catalogue.sla_minutes),
                    state=LeadState.PENDING_REVIEW if is_pending else rnd.choice(CLOSED),
                    history=[HistoryEntry(at=found, actor="crawler", action="created",
                                          to_state=LeadState.PENDING_REVIEW)])
        doc = lead.model_dump(by_alias=True)
        doc["queue_rank"] = rank_of(doc["state"], it.sla, lead.deadline, lead.id)
        docs.append(doc)
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=200_000, help="stored leads")
    parser.add_argument("--pending", type=int, default=20_000, help="of which pending review")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--storage-path", help="the server's storage (default: a temporary directory on disk; "
                                               "':memory:' keeps it in memory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir, \
            mongo_uri(args.storage_path or str(Path(data_dir) / "mongo")) as uri:
        config = load_config(get_settings(data_dir=data_dir))
        db_name = f"bench_{uuid.uuid4().hex[:8]}"
        store = make_store(uri, db_name)
        t0 = time.perf_counter()
        # Seeding and indexing through a client without the store's short time-outs: on the on-disk
        # server a 10,000-lead insert or an index over 200,000 leads takes longer than they allow.
        import pymongo

        from sinks.leads import LeadService
        from sinks.mongo import Store

        setup = Store(db=pymongo.MongoClient(uri, tz_aware=True)[db_name])
        for start in range(0, args.leads, 10_000):
            setup.db["leads"].insert_many(lead_docs(args.leads, args.pending, config, start))
        setup.ensure_indexes()  # after the inserts: building an index once is cheaper than keeping it
        LeadService(setup, config.catalogue).rebuild_queue()
        seed_s = time.perf_counter() - t0
        UserStore.from_store(store).add("bench", "verifier", "bench-password")
        app = create_app(config, store, secret="bench")
        with TestClient(app) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
            client.post("/login", data={"username": "bench", "password": "bench-password", "csrf_token": token})
            client.get("/")  # warm templates and connections
            page_ms, query_ms, deep_ms = [], [], []
            pages = -(-args.pending // 50)
            for i in range(args.runs):
                t = time.perf_counter()
                r = client.get("/")
                page_ms.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200 and r.text.count('class="lead-row') == min(50, args.pending)
                assert f'id="lead-count">{args.pending}<' in r.text, "the queue's total is not the true one"
                t = time.perf_counter()
                app.state.leads.queue(limit=50)
                query_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                client.get("/", params={"page": 1 + (i * 7919) % pages})
                deep_ms.append((time.perf_counter() - t) * 1000)
            filtered_ms = []
            for _ in range(args.runs):
                t = time.perf_counter()
                client.get("/", params={"category": "SD", "district": "南山区"})
                filtered_ms.append((time.perf_counter() - t) * 1000)
            size_kb = len(r.content) / 1024
            lead_ms = []
            for doc in setup.db["leads"].find({}, {"_id": 1}).limit(args.runs):
                t = time.perf_counter()
                page = client.get(f"/leads/{doc['_id']}")
                lead_ms.append((time.perf_counter() - t) * 1000)
                assert page.status_code == 200
        if os.environ.get("CIVICWATCH_MONGO_URI"):  # a throwaway server goes with its data
            store.db.client.drop_database(db_name)

    def fig(xs: list[float]) -> str:
        xs = sorted(xs)
        return f"median {statistics.median(xs):.1f} ms, p95 {xs[int(len(xs) * 0.95) - 1]:.1f} ms, max {xs[-1]:.1f} ms"

    storage = "CIVICWATCH_MONGO_URI" if os.environ.get("CIVICWATCH_MONGO_URI") else (args.storage_path or "on disk")
    print(f"leads stored: {args.leads}, pending: {args.pending} (seeded in {seed_s:.1f} s; server: {storage}); "
          "pages of 50")
    print(f"GET / (whole request, {args.runs} runs): {fig(page_ms)}; page {size_kb:.0f} KiB")
    print(f"  queue query alone (LeadService.queue, limit 50, with totals): {fig(query_ms)}")
    print(f"GET /?page=N (pages spread over all {pages}): {fig(deep_ms)}")
    rendering = statistics.median(page_ms) - statistics.median(query_ms)
    print(f"  so rendering + HTTP ≈ {rendering:.1f} ms (median difference)")
    print(f"GET /?category=SD&district=南山区: {fig(filtered_ms)}")
    print(f"GET /leads/{{id}} (lead page, {args.runs} leads): {fig(lead_ms)}")
    print(f"lead service: {type(app.state.leads).__module__}.{type(app.state.leads).__name__}")


if __name__ == "__main__":
    main()
