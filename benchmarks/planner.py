"""Coverage of the query planner over coverage periods, against what `civicwatch classify` finds.

    .venv/bin/python benchmarks/planner.py [--posts 10000] [--seed 13] [--rounds 24] [--periods 2]
                                           [--platforms weibo,tieba,...]

Serves the dev set (../shared/data/dev_posts.jsonl, if present) plus a generated file of posts
(simulator/corpus.py, our own writing, mostly noise) from one simulator that refuses past each
platform's default budget per round (so an over-asking crawl shows up as rate-limit answers),
runs `civicwatch run --rounds 1` round after round (CIVICWATCH_TIME_SCALE=0, embedded servers,
--since before the oldest post), and after every round prints: requests spent, leads stored,
coverage (stored posts among the leads `civicwatch classify` finds in the served file, on the
crawled platforms), requests per lead found and the simulator's rate-limit answers. After the
first period, what a second one adds: new posts stored (leads found late) and posts stored
twice (none: the seen-set and the per-post upsert); last, `civicwatch queries` for the first
platform.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from civicwatch.config import get_settings, load_config, load_gazetteer  # noqa: E402
from crawlers.embedded import EmbeddedServers  # noqa: E402
from simulator.corpus import generate, write  # noqa: E402
from simulator.server import SimulatorServer  # noqa: E402
from sinks.mongo import Store  # noqa: E402
from sinks.planner import PlannerStore  # noqa: E402

ROOT = _HERE.parent
DEV = ROOT.parent / "shared" / "data" / "dev_posts.jsonl"
CLI = [sys.executable, "-m", "crawlers.cli"]


def classify(served: Path, out: Path) -> dict[str, str]:
    """platform:post_id → platform of every post the filter chain calls a lead."""
    subprocess.run([*CLI, "classify", str(served), "-o", str(out)], cwd=ROOT, check=True, capture_output=True)
    leads = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if d["is_lead"]:
            leads[f"{d['platform']}:{d['post_id']}"] = d["platform"]
    return leads


def stored_keys(store: Store, by_url: dict[tuple[str, str], str]) -> set[str]:
    """The served keys of the stored posts (a spider that keys posts by their URL's hash, as the
    Toutiao and WeChat ones do, is matched by platform and URL)."""
    out = set()
    for d in store.posts.find({}, {"_id": 1, "platform": 1, "url": 1}):
        out.add(by_url.get((d["platform"], d["url"]), d["_id"]))
    return out


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so the crawl in progress is killed and the servers stop


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--rounds", type=int, default=24, help="rounds in a coverage period")
    parser.add_argument("--periods", type=int, default=2)
    parser.add_argument("--platforms", default=None, help="comma-separated (default: every enabled one)")
    args = parser.parse_args()

    settings = get_settings()
    config = load_config(settings)
    enabled = config.platforms.enabled(args.platforms.split(",") if args.platforms else None)
    budget = max(p.request_budget_per_round for p in enabled.values())
    work = Path(tempfile.mkdtemp(prefix="civicwatch-planner-"))
    generated = work / "generated.jsonl"
    write(generated, generate(load_gazetteer(settings.config_dir / "gazetteer.yaml"), args.posts, args.seed))
    served = work / "served.jsonl"
    with served.open("w", encoding="utf-8") as f:
        for source in ([DEV] if DEV.exists() else []) + [generated]:
            f.write(source.read_text(encoding="utf-8"))
    rows = [json.loads(x) for x in served.read_text(encoding="utf-8").splitlines() if x.strip()]
    by_url = {(r["platform"], r["url"]): f"{r['platform']}:{r['post_id']}" for r in rows}
    oldest = min(datetime.fromisoformat(r["published_at"]) for r in rows)
    leads = classify(served, work / "decisions.jsonl")
    target = {k for k, platform in leads.items() if platform in enabled}
    print(f"served {len(rows)} posts ({'dev set + ' if DEV.exists() else ''}{args.posts} generated, seed "
          f"{args.seed}); classify: {len(leads)} leads, {len(target)} on the crawled platforms "
          f"({', '.join(enabled)})")
    print(f"simulator refuses past {budget} requests per platform and round; "
          f"budgets: {', '.join(f'{n}={p.request_budget_per_round}' for n, p in enabled.items())}")

    with EmbeddedServers(work / "data") as servers:
        sim = SimulatorServer(served, requests_per_round=budget).start()
        env = {**os.environ, "CIVICWATCH_MONGO_URI": servers.mongo_uri, "CIVICWATCH_REDIS_URL": servers.redis_url,
               "CIVICWATCH_MONGO_DB": "planner_bench", "CIVICWATCH_SIMULATOR": sim.url,
               "CIVICWATCH_TIME_SCALE": "0", "CIVICWATCH_DATA_DIR": str(work / "data"),
               "CIVICWATCH_LOG_LEVEL": "WARNING"}
        store = Store(servers.mongo_uri, "planner_bench")
        planner = PlannerStore(store.db)
        since = (oldest - timedelta(hours=1)).isoformat()
        print(f"{'period':>6} {'round':>5} {'requests':>9} {'stored':>7} {'coverage':>9} {'req/lead':>9} "
              f"{'429s':>5} {'s':>5}")
        after_first: set[str] = set()
        try:
            for n in range(1, args.rounds * args.periods + 1):
                started = time.monotonic()
                subprocess.run([*CLI, "run", "--rounds", "1", "--platforms", ",".join(enabled), "--since", since],
                               cwd=ROOT, env=env, check=False, capture_output=True)
                stored = stored_keys(store, by_url)
                requests = sum(log.requests for name in enabled for log in planner.round_logs(name))
                found = stored & target
                refused = sum(sim.rate_limited.values())
                period = (n - 1) // args.rounds + 1
                print(f"{period:>6} {n:>5} {requests:>9} {len(stored):>7} {100 * len(found) / len(target):>8.1f}% "
                      f"{requests / max(1, len(found)):>9.1f} {refused:>5} {time.monotonic() - started:>5.0f}",
                      flush=True)
                if n == args.rounds:
                    after_first = set(stored)
            sources = [s["key"] for d in store.leads.find({}, {"sources.key": 1}) for s in d.get("sources", [])]
            print(f"after period 1: {len(after_first & target)} of {len(target)} leads stored; the later periods "
                  f"added {len(stored - after_first)} posts; posts in more than one lead: "
                  f"{len(sources) - len(set(sources))}; leads the crawl kept that classify does not: "
                  f"{len(stored - set(leads))}")
            last = {name: logs[-1] for name in enabled for logs in [planner.round_logs(name)] if logs}
            print("last round's requests per platform: "
                  + ", ".join(f"{name} {log.requests}/{log.budget}" for name, log in last.items()))
            shown = subprocess.run([*CLI, "queries", "--platform", next(iter(last)), "--limit", "12"], cwd=ROOT,
                                   env={**env, "COLUMNS": "160"}, capture_output=True, text=True)
            print(shown.stdout, end="")
        finally:
            sim.stop()
            store.db.client.close()


if __name__ == "__main__":
    main()
