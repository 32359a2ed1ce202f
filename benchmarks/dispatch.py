"""Latency from a verifier's dispatch to the work order's entry on the Redis stream.

    .venv/bin/python benchmarks/dispatch.py [--dispatches 1000] [--relay-interval-ms 10]

Runs on the embedded servers: leads are seeded, then dispatched one after another through
LeadService while a Relay loop (as in `civicwatch review` / `workorders relay`) moves the outbox
to the stream and a reader notes when each work order arrives. Prints p50/p90/p99.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import redis

from civicwatch.clock import SHANGHAI
from civicwatch.config import Settings, load_config
from civicwatch.models import Decision, Post
from crawlers.embedded import EmbeddedServers
from sinks.leads import LeadService
from sinks.mongo import Store
from sinks.stream import Relay


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dispatches", type=int, default=1000)
    parser.add_argument("--relay-interval-ms", type=float, default=10)
    args = parser.parse_args()
    config = load_config(Settings())
    with tempfile.TemporaryDirectory() as tmp, EmbeddedServers(Path(tmp)) as servers:
        store = Store(servers.mongo_uri, "bench")
        store.ensure_indexes()
        client = redis.Redis.from_url(servers.redis_url)
        service = LeadService(store, config.catalogue)
        t0 = datetime(2026, 11, 20, tzinfo=SHANGHAI)
        leads = []
        for i in range(args.dispatches):
            post = Post(platform="weibo", post_id=str(i), url=f"https://m.weibo.cn/detail/{i}",
                        text="福田区梅林街道井盖没了", published_at=t0 + timedelta(seconds=i))
            decision = Decision(platform="weibo", post_id=str(i), is_lead=True, district="福田区",
                                street="梅林街道", category="DL", item="DL02", department="JTYS",
                                urgency="urgent", text_masked=post.text)
            leads.append(service.record(post, decision, text_masked=post.text, title_masked=None,
                                        author_hash="h", now=t0)[0])
        sent: dict[str, float] = {}
        arrived: dict[str, float] = {}
        stop = threading.Event()
        relay = Relay(service, client)

        def relay_loop() -> None:
            while not stop.is_set():
                if relay.relay_once() == 0:
                    time.sleep(args.relay_interval_ms / 1000)

        def reader() -> None:
            last = "0-0"
            reader_client = redis.Redis.from_url(servers.redis_url)
            while len(arrived) < args.dispatches and not stop.is_set():
                for _, entries in reader_client.xread({"civicwatch:workorders": last}, block=500) or []:
                    for entry_id, fields in entries:
                        last = entry_id
                        arrived[json.loads(fields[b"document"])["service_request_id"]] = time.perf_counter()

        threads = [threading.Thread(target=relay_loop), threading.Thread(target=reader)]
        for t in threads:
            t.start()
        begin = time.perf_counter()
        for lead in leads:
            order = service.verify_and_dispatch(lead.id, actor="bench", expected_version=lead.version)
            sent[order.service_request_id] = time.perf_counter()
        deadline = time.monotonic() + 60
        while len(arrived) < args.dispatches and time.monotonic() < deadline:
            time.sleep(0.05)
        elapsed = time.perf_counter() - begin
        stop.set()
        for t in threads:
            t.join()
    lat = sorted((arrived[k] - sent[k]) * 1000 for k in sent if k in arrived)
    q = statistics.quantiles(lat, n=100)
    print(f"{len(lat)}/{args.dispatches} work orders on the stream in {elapsed:.1f} s "
          f"({len(lat) / elapsed:.0f} dispatches/s, relay polling every {args.relay_interval_ms:g} ms)")
    print(f"verify → stream latency: p50 {q[49]:.1f} ms, p90 {q[89]:.1f} ms, p99 {q[98]:.1f} ms, max {lat[-1]:.1f} ms")


if __name__ == "__main__":
    main()
