"""The scale-out duplicate catch-up (crawlers/dedupsync.py): its cost per catch-up (figures only).

    .venv/bin/python benchmarks/dedup_sync.py [--leads 20000] [--runs 100]

Fills the embedded SecantusDB's leads collection with `--leads` stored leads (stored_at spread
over the last 90 days; bare documents: the catch-up reads only stored_at and source keys), then
times, for one process: a catch-up that finds nothing new (the usual one: a single query on the
stored_at index), and a catch-up that learns one lead another process just stored through
LeadService.record (the query, the lead's decision, its post, FilterChain.remember). For scale,
it also times FilterChain.decide on the same lead post.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civicwatch.clock import now_shanghai  # noqa: E402
from civicwatch.config import load_config  # noqa: E402
from civicwatch.models import Post  # noqa: E402
from civicwatch.settings import Settings  # noqa: E402
from crawlers.dedupsync import DuplicateSync  # noqa: E402
from crawlers.embedded import EmbeddedServers  # noqa: E402
from filters.chain import FilterChain  # noqa: E402
from sinks.leads import LeadService  # noqa: E402
from sinks.mongo import Store  # noqa: E402

TEXT = "南山区粤海街道科技园北区那个工地，每天晚上十一点以后还在打桩施工，噪音吵得整栋楼都睡不着，编号{}"


def ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    return (f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {ordered[int(len(ordered) * 0.95)] * 1000:.2f} ms"
            f" ({len(ordered)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, EmbeddedServers(Path(tmp), redis=False) as servers:
        config = load_config(Settings(data_dir=Path(tmp) / "data"))
        store = Store(servers.mongo_uri, "bench")
        store.ensure_indexes()
        now = now_shanghai()
        step = timedelta(days=90) / max(args.leads, 1)
        for start in range(0, args.leads, 5000):
            store.leads.insert_many([{"_id": f"lead:bench:{i}", "stored_at": now - (args.leads - i) * step,
                                      "sources": [{"key": f"bench:{i}"}]}
                                     for i in range(start, min(start + 5000, args.leads))])
        chain, other = FilterChain.from_config(config), FilterChain.from_config(config)
        sync = DuplicateSync(chain, store, every_s=0, since=now_shanghai())
        writer = LeadService(store, config.catalogue)
        idle, learning, deciding = [], [], []
        for run in range(args.runs):
            started = time.perf_counter()
            sync.catch_up()
            idle.append(time.perf_counter() - started)
            post = Post(platform="weibo", post_id=str(run), url=f"https://m.weibo.cn/detail/{run}",
                        text=TEXT.format(run), published_at=now_shanghai())
            started = time.perf_counter()
            decision = other.decide(post)  # the other process's chain
            deciding.append(time.perf_counter() - started)
            writer.record(post, decision, text_masked=decision.text_masked, title_masked=decision.title_masked,
                          author_hash=decision.author_hash, now=now_shanghai())
            started = time.perf_counter()
            learnt = sync.catch_up()
            learning.append(time.perf_counter() - started)
            assert learnt == 1, learnt
        print(f"{args.leads} stored leads; catch-up with nothing new: {ms(idle)}")
        print(f"catch-up learning one lead stored by another process: {ms(learning)}")
        print(f"for scale, FilterChain.decide of that lead post: {ms(deciding)}")
        print(f"catch-up queries: {sync.queries}")


if __name__ == "__main__":
    main()
