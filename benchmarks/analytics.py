"""类案分析 at a year's volume: page, sections, case page, drill-down and weekly-report times (figures only).

    .venv/bin/python benchmarks/analytics.py [--leads 200000] [--runs 3] [--weeks 8]

Seeds a generated year (tests/leadgen.py: ordinary leads plus the planted problems, inserted as
the documents LeadService writes, with their flat facts) into the embedded SecantusDB (or
CIVICWATCH_MONGO_URI), then times the console's /classcases page cold (no week summary built
yet) and warm (summaries current), each section's query (overview, the top cases, recurrences),
one case's page, a drill-down, the report built in-process and the `civicwatch report weekly`
command. Wall time and the database server's own CPU time are printed, since the machine may be
shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402
import pymongo  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from rich.progress import Progress  # noqa: E402

from civicwatch.config import get_settings, load_config  # noqa: E402
from crawlers.embedded import EmbeddedServers  # noqa: E402
from review.app import create_app  # noqa: E402
from review.casebook import Casebook, Period  # noqa: E402
from review.weekly import build, render_html, write_xlsx  # noqa: E402
from sinks.mongo import Store  # noqa: E402
from sinks.summaries import COLLECTION  # noqa: E402
from sinks.users import UserStore  # noqa: E402
from tests.leadgen import LeadGenerator, seed  # noqa: E402

WEEK = "2026-W48"


@contextmanager
def database() -> Iterator[tuple[str, psutil.Process | None]]:
    if os.environ.get("CIVICWATCH_MONGO_URI"):
        yield os.environ["CIVICWATCH_MONGO_URI"], None
        return
    with tempfile.TemporaryDirectory() as tmp, EmbeddedServers(Path(tmp), redis=False) as servers:
        yield servers.mongo_uri or "", psutil.Process(servers.pids[0])


def seed_year(store: Store, generator: LeadGenerator, config: Any) -> float:
    started = time.perf_counter()
    with Progress(transient=True) as progress:
        progress.add_task("generating and seeding leads", total=None)
        seed(store, generator.leads(), batch=5000, catalogue=config.catalogue)
    return time.perf_counter() - started


def forget_summaries(store: Store) -> None:
    """Every week summary out of date, as before the first view (they are rebuilt on reading)."""
    store.db[COLLECTION].update_many({}, {"$unset": {"built_from": ""}})


def timed(name: str, runs: int, server: psutil.Process | None, work: Callable[[], object],
          before: Callable[[], object] | None = None) -> None:
    walls, cpus = [], []
    for _ in range(runs):
        if before:
            before()
        cpu0 = sum(server.cpu_times()[:2]) if server else 0.0
        t0 = time.perf_counter()
        work()
        walls.append(time.perf_counter() - t0)
        cpus.append(sum(server.cpu_times()[:2]) - cpu0 if server else 0.0)
    cpu = f"   db server CPU {statistics.median(cpus):6.2f} s" if server else ""
    print(
        f"{name:44s} median {statistics.median(walls):6.2f} s  (min {min(walls):.2f}, max {max(walls):.2f}){cpu}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=200_000, help="ordinary leads over the year")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--weeks", type=int, default=8, help="the page's and the report's period")
    args = parser.parse_args()
    config = load_config(get_settings())
    generator = LeadGenerator(config, ordinary=args.leads)
    with database() as (uri, server):
        name = f"bench_{uuid.uuid4().hex[:8]}"
        # setup through a client without the store's short time-outs; the console's own below
        setup = Store(db=pymongo.MongoClient(uri, tz_aware=True)[name])
        book = Casebook(config, setup.db, now=lambda: generator.now)
        t0 = time.perf_counter()
        book.analytics.ensure_indexes()  # before seeding: inserts keep them up to date
        print(f"{'indexes (empty collection)':44s} {time.perf_counter() - t0:6.2f} s")
        seconds = seed_year(setup, generator, config)
        total = setup.leads.count_documents({})
        print(f"seeded {total} leads over 52 weeks ending {WEEK} in {seconds:.0f} s "
              f"({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})")
        store = Store(uri, name)
        book = Casebook(config, store.db, now=lambda: generator.now)
        t0 = time.perf_counter()
        book.ensure_indexes()
        print(f"{'start-up (indexes, backfill check)':44s} {time.perf_counter() - t0:6.2f} s")
        period = Period(WEEK, args.weeks)
        in_period = book.analytics.count(period.start, period.end)
        print(f"leads in the {args.weeks}-week period: {in_period}")
        a, now = book.analytics, generator.now

        def cold() -> None:
            forget_summaries(setup)

        timed(f"week summaries, {args.weeks} built (cold)", 1, server,
              lambda: a.summaries.get(period.labels), before=cold)
        timed("week summaries, 52 built (cold)", 1, server,
              lambda: a.summaries.get(Period(WEEK, 52).labels), before=cold)
        timed(f"overview ({args.weeks} weeks, warm)", args.runs, server, lambda: a.overview(period.start, period.end,
                                                                                        now=now))
        cases = book._compute(period, now).cases
        matches = [c.key.match() for c in cases]
        timed(f"top {len(matches)} cases: weeks, newest leads (warm)", args.runs, server,
              lambda: a.cases(matches, period.start, period.end, now=now))
        timed("recurrences (warm)", args.runs, server, lambda: a.recurrences(period.start, period.end))

        users = UserStore(store.db)
        users.add("bench", "viewer", "bench-password-1")
        app = create_app(config, store, users=users, now=lambda: generator.now, secret="bench")
        app.state.casebook = book  # no cache: every request reads the summaries afresh
        with TestClient(app) as client:
            token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
            client.post("/login", data={"username": "bench", "password": "bench-password-1", "csrf_token": token,
                                        "next": "/"})
            query = urlencode({"week": WEEK, "weeks": args.weeks})
            html = client.get(f"/classcases?{query}").text
            top = [row.split('"')[0] for row in html.split('<tr class="case-row" data-case="')[1:4]]
            print(f"top three: {', '.join(top)} — planted: {'yes' if set(top) == set(generator.plan.cases) else 'NO'}")
            flagged = [row.split('"')[0] for row in html.split('<tr class="recur-row" data-resolved="')[1:]]
            rank = (flagged.index(generator.plan.recurrence_resolved) + 1
                    if generator.plan.recurrence_resolved in flagged else None)
            found = [r["_id"] for r in a.recurrences(period.start, period.end, limit=100_000)]
            planted = generator.plan.recurrence_resolved
            print(f"planted recurrence after 办结 flagged: #{found.index(planted) + 1 if planted in found else '—'}"
                  f" of {len(found)} found; page shows {len(flagged)}"
                  f"{', #' + str(rank) if rank else ', not it'}")
            case = urlencode({"key": generator.plan.cases[0], "week": WEEK, "weeks": args.weeks})
            drill = urlencode({"from": period.labels[0], "to": WEEK, "district": "福田区", "metric": "late"})
            timed(f"page /classcases ({args.weeks} weeks, cold)", args.runs, server,
                  lambda: client.get(f"/classcases?{query}"), before=cold)
            timed(f"page /classcases ({args.weeks} weeks, warm)", args.runs, server,
                  lambda: client.get(f"/classcases?{query}"))
            client.get("/classcases?" + urlencode({"week": WEEK, "weeks": 52}))
            timed("page /classcases (52 weeks, warm)", 1, server,
                  lambda: client.get("/classcases?" + urlencode({"week": WEEK, "weeks": 52})))
            book.cache_seconds = 300  # as the console runs: the second view of a period is served from memory
            client.get(f"/classcases?{query}")
            timed(f"page /classcases ({args.weeks} weeks, cached)", args.runs, server,
                  lambda: client.get(f"/classcases?{query}"))
            book.cache_seconds = 0
            timed("case page (warm)", args.runs, server, lambda: client.get(f"/classcases/case?{case}"))
            timed("drill-down (a district's late)", args.runs, server, lambda: client.get(f"/classcases/leads?{drill}"))

        out = Path(tempfile.mkdtemp()) / "weekly.html"

        def report() -> None:
            r = build(book, period, generator.now)
            out.write_text(render_html(r, config), encoding="utf-8")
            write_xlsx(r, config, out.with_suffix(".xlsx"))

        timed(f"report built in-process ({args.weeks} weeks, warm)", args.runs, server, report)
        sheet = out.with_suffix(".xlsx")
        print(f"report: {out.stat().st_size // 1024} KB HTML, {sheet.stat().st_size // 1024} KB xlsx")
        command = [str(Path(sys.executable).with_name("civicwatch")), "report", "weekly", "--week", WEEK,
                   "--weeks", str(args.weeks), "-o", str(out)]
        env = {**os.environ, "CIVICWATCH_MONGO_URI": uri, "CIVICWATCH_MONGO_DB": name}
        root = Path(__file__).resolve().parents[1]

        def command_run() -> None:
            done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"report weekly failed ({done.returncode}): {done.stderr[-2000:]}")

        timed("civicwatch report weekly (warm, process)", args.runs, server, command_run)
        timed("civicwatch report weekly (cold, process)", 1, server, command_run, before=cold)
        setup.db.client.drop_database(name)


if __name__ == "__main__":
    main()
