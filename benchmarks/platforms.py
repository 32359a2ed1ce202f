"""Per-platform spider throughput against the simulator, and peak memory of a compressed
1-hour polling run of every platform (Chromium included).

    .venv/bin/python benchmarks/platforms.py [--posts 200] [--hour-seconds 90]

1. For each platform: pages/s and posts/s of its civicwatch spider, next to a bare Scrapy spider
   replaying the same GET URLs in the same run (ratio; process start-up included in both). POST
   platforms get no baseline; for the browser platforms the bare spider fetches the same pages
   without a browser, so the ratio is the price of rendering.
2. `civicwatch run` (all platforms, embedded servers) with CIVICWATCH_TIME_SCALE so that one
   hour of polling intervals passes in --hour-seconds; the process tree's memory is sampled and
   the peak printed (total, and the shares of Chromium and of the Playwright driver).

Memory is PSS, summed over the whole process tree: Chromium's processes (zygote-forked
renderers, utilities) and the drivers share most of their pages, so summed RSS counts those
pages once per process (RSS is printed too, for comparison). Chromium's share is every process
started by a Chromium, whatever its name (its network service runs as `exe`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import psutil

from civicwatch.clock import SHANGHAI
from simulator.server import SimulatorServer

ROOT = Path(__file__).resolve().parents[1]
SPIDERS = ("weibo", "tieba", "bilibili", "zhihu", "kuaishou", "toutiao", "wechat", "xiaohongshu", "douyin")
PLATFORM = {s: s for s in SPIDERS}
CRAWLED = re.compile(r"Crawled \((\d+)\) <(GET|POST) ([^>]+)>")

BARE = '''
import sys, scrapy
from scrapy.crawler import CrawlerProcess
urls = [l.strip() for l in open(sys.argv[1]) if l.strip()]
class Bare(scrapy.Spider):
    name = "bare"
    async def start(self):
        for u in urls:
            yield scrapy.Request(u, dont_filter=True)
    def parse(self, response):
        pass
p = CrawlerProcess({"LOG_LEVEL": "ERROR", "CONCURRENT_REQUESTS": 1, "TELNETCONSOLE_ENABLED": False,
                    "DOWNLOADER_MIDDLEWARES": {"crawlers.middlewares.simulator.SimulatorHostMiddleware": 50}})
p.crawl(Bare); p.start()
'''


def write_posts(path: Path, n: int) -> None:
    t0 = datetime(2026, 11, 20, tzinfo=SHANGHAI)
    with open(path, "w", encoding="utf-8") as f:
        for platform in SPIDERS:
            for i in range(n):
                f.write(json.dumps({
                    "platform": platform, "post_id": f"{abs(hash(platform)) % 1000}{i:06d}",
                    "url": f"https://example.org/{platform}/{i}", "author": f"u{i}", "title": f"深圳标题{i}",
                    "text": f"深圳南山区第{i}条：小区门口井盖又松了，晚上很危险",
                    "published_at": (t0 + timedelta(minutes=i)).isoformat(), "ip_region": "广东"},
                    ensure_ascii=False) + "\n")


def throughput(sim: SimulatorServer, tmp: Path, spider: str, n: int) -> str:
    env = {**os.environ, "CIVICWATCH_SIMULATOR": sim.url}
    out = tmp / f"{spider}.jsonl"
    t0 = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "scrapy", "crawl", spider, "-a", "keywords=深圳", "-a", "max_pages=100",
                          "-O", str(out), "-s", "ITEM_PIPELINES={}", "-s", "EXTENSIONS={}", "-s", "DOWNLOAD_DELAY=0",
                          "-s", "LOG_LEVEL=DEBUG"] + (["-a", "boards="] if spider == "tieba" else []),
                         cwd=ROOT, env=env, capture_output=True, text=True)
    ours = time.perf_counter() - t0
    fetched = [(m.group(2), m.group(3).split(" ")[0]) for m in CRAWLED.finditer(run.stderr)]
    urls = [u for method, u in fetched if method == "GET"]
    posts = len(out.read_text(encoding="utf-8").splitlines()) if out.exists() else 0
    line = (f"{spider:12s} {len(fetched) / ours:7.1f} pages/s {posts / ours:8.1f} posts/s "
            f"({len(fetched)} pages, {posts} posts)")
    if urls and len(urls) == len(fetched):  # POST platforms: no comparable bare replay
        url_file = tmp / f"{spider}.urls"
        url_file.write_text("\n".join(urls), encoding="utf-8")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", BARE, str(url_file)], cwd=ROOT, env=env, capture_output=True)
        bare = time.perf_counter() - t0
        line += f" | bare {len(urls) / bare:7.1f} pages/s, ratio {bare / ours:.0%}"
    return line


def tree_memory(pid: int) -> dict[str, int]:
    """PSS and RSS of `pid` and all its descendants, with the Chromium and driver shares."""
    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.Error:
        return {}
    chrome: set[int] = set()
    for p in tree:  # a Chromium and everything it started (children list parents first)
        try:
            if "chrom" in p.name() or p.ppid() in chrome:
                chrome.add(p.pid)
        except psutil.Error:
            pass
    out = dict.fromkeys(("pss", "rss", "chrome_pss", "chrome_rss", "driver_pss", "chrome_procs"), 0)
    for p in tree:
        try:
            m = p.memory_full_info()
            name = p.name()
        except psutil.Error:  # exited meanwhile
            continue
        pss = getattr(m, "pss", m.rss)
        out["pss"] += pss
        out["rss"] += m.rss
        if p.pid in chrome:
            out["chrome_pss"] += pss
            out["chrome_rss"] += m.rss
            out["chrome_procs"] += 1
        elif name.startswith("node"):
            out["driver_pss"] += pss
    return out


def peak_rss(posts: Path, hour_seconds: float) -> str:
    with tempfile.TemporaryDirectory() as data:
        sim = SimulatorServer(posts).start()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICWATCH_")}
        env.update({"CIVICWATCH_SIMULATOR": sim.url, "CIVICWATCH_DATA_DIR": data,
                    "CIVICWATCH_TIME_SCALE": str(hour_seconds / 3600)})
        proc = subprocess.Popen([sys.executable, "-m", "crawlers.cli", "run", "--since", "2026-11-19"], cwd=ROOT,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak: dict[str, int] = {}
        end = time.monotonic() + hour_seconds
        try:
            while time.monotonic() < end:
                for key, value in tree_memory(proc.pid).items():
                    peak[key] = max(peak.get(key, 0), value)
                time.sleep(0.5)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(60)
            sim.stop()
    mib = {k: v / 2**20 for k, v in peak.items()}
    return (f"1-hour-equivalent polling run ({hour_seconds:g} s, all platforms): peak PSS of the process tree "
            f"{mib.get('pss', 0):.0f} MiB, of which Chromium {mib.get('chrome_pss', 0):.0f} MiB and Playwright "
            f"driver {mib.get('driver_pss', 0):.0f} MiB (summed RSS: {mib.get('rss', 0):.0f} MiB, Chromium "
            f"{mib.get('chrome_rss', 0):.0f} MiB; peak Chromium processes {peak.get('chrome_procs', 0)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=200, help="posts per platform")
    parser.add_argument("--hour-seconds", type=float, default=90,
                        help="wall seconds for one polling hour (on 2 cores the first round of the HTTP "
                             "platforms takes ~40 s, so Chromium starts only after that)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        posts = tmp / "posts.jsonl"
        write_posts(posts, args.posts)
        sim = SimulatorServer(posts).start()
        try:
            for spider in SPIDERS:
                print(throughput(sim, tmp, spider, args.posts), flush=True)
        finally:
            sim.stop()
        print(peak_rss(posts, args.hour_seconds))


if __name__ == "__main__":
    main()
