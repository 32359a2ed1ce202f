"""Pages/s and posts/s of the weibo spider against the simulator, next to a bare Scrapy spider.

    .venv/bin/python benchmarks/spider_pages.py [--posts 3000]

Both crawls fetch the same search pages from the same simulator in this run, with no delay
and no item pipelines, so the difference is what the civicwatch spider itself costs (JSON
shape checks, outcome classification, time parsing, HTML stripping, Post models).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from civicwatch.clock import SHANGHAI
from simulator.server import SimulatorServer

ROOT = Path(__file__).resolve().parents[1]

BARE = '''
import sys, scrapy
from scrapy.crawler import CrawlerProcess
pages = int(sys.argv[2])
class Bare(scrapy.Spider):
    name = "bare"
    async def start(self):
        for n in range(1, pages + 1):
            yield scrapy.Request(sys.argv[1] + "/api/container/getIndex?containerid=100103type%3D61%26q%3D深圳"
                                 "&page=" + str(n), headers={"X-Civicwatch-Host": "m.weibo.cn"}, dont_filter=True)
    def parse(self, response):
        self.crawler.stats.inc_value("bare/bytes", len(response.body))
p = CrawlerProcess({"LOG_LEVEL": "ERROR", "CONCURRENT_REQUESTS": 1, "DOWNLOAD_DELAY": 0,
                    "TELNETCONSOLE_ENABLED": False})
p.crawl(Bare); p.start()
'''


def write_posts(path: Path, n: int) -> None:
    t0 = datetime(2026, 11, 20, tzinfo=SHANGHAI)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            text = (f"深圳南山区第{i}条：<a href='/n/x'>@x</a> 小区门口井盖又松了 "
                    "<span class='url-icon'><img alt=[怒]></span>")
            f.write(json.dumps({"platform": "weibo", "post_id": str(5_400_000_000_000_000 + i),
                                "url": f"https://m.weibo.cn/detail/{i}", "author": f"u{i}", "text": text,
                                "published_at": (t0 + timedelta(minutes=i)).isoformat(), "ip_region": "广东"},
                               ensure_ascii=False) + "\n")


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    import os

    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=3000)
    args = parser.parse_args()
    pages = (args.posts + 9) // 10
    with tempfile.TemporaryDirectory() as tmp:
        posts = Path(tmp) / "posts.jsonl"
        write_posts(posts, args.posts)
        sim = SimulatorServer(posts).start()
        env = {**os.environ, "CIVICWATCH_SIMULATOR": sim.url}
        out = Path(tmp) / "out.jsonl"
        try:
            bare = timed([sys.executable, "-c", BARE, sim.url, str(pages)], env)
            ours = timed([sys.executable, "-m", "scrapy", "crawl", "weibo", "-a", "keywords=深圳",
                          "-a", f"max_pages={pages + 1}", "-O", str(out), "-s", "ITEM_PIPELINES={}",
                          "-s", "EXTENSIONS={}", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=ERROR",
                          "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"], env)
        finally:
            sim.stop()
        got = len(out.read_text(encoding="utf-8").splitlines())
    print(f"{pages} pages, {args.posts} posts (process start-up included in both)")
    print(f"bare Scrapy spider:  {pages / bare:7.1f} pages/s  ({bare:.2f} s)")
    print(f"weibo spider:        {pages / ours:7.1f} pages/s, {got / ours:7.1f} posts/s  ({ours:.2f} s, {got} posts)")
    print(f"ratio weibo/bare:    {bare / ours:.0%}")


if __name__ == "__main__":
    main()
