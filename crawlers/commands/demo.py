"""`civicwatch demo`: the whole loop on embedded defaults and the bundled sample posts."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicwatch.config import get_settings, load_config
from civicwatch.models import Post
from crawlers.commands.run import results_table

SAMPLE_POSTS = Path(__file__).resolve().parents[2] / "simulator" / "data" / "sample_posts.jsonl"


def earliest_post(path: Path) -> Post:
    posts = [Post.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    return min(posts, key=lambda p: p.published_at)


def counts_table(title: str, counts: Counter[str], names: dict[str, str]) -> Table:
    table = Table(title=title)
    table.add_column("code")
    table.add_column("名称")
    table.add_column("leads", justify="right")
    for code, n in counts.most_common():
        table.add_row(code or "—", names.get(code or "", code or "未定位"), str(n))
    return table


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        posts: Annotated[Path, typer.Option(help="labelled-post JSONL the simulator serves")] = SAMPLE_POSTS,
    ) -> None:
        """Start everything locally and run one round of the whole loop through the simulator."""
        from crawlers.crawl import project_settings, run_poller
        from crawlers.embedded import servers_for
        from crawlers.services import Services
        from simulator.server import SimulatorServer
        from sinks.leads import LeadService
        from sinks.mongo import Store

        console = Console()
        settings = get_settings()
        config = load_config(settings)
        since = earliest_post(posts).published_at - timedelta(days=1)
        with servers_for(settings) as (mongo_uri, redis_url):
            simulator = SimulatorServer(posts, port=0)
            simulator.start()
            console.print(f"simulator: {simulator.url} serving {posts}")
            crawl_settings = settings.model_copy(update={
                "mongo_uri": mongo_uri, "redis_url": redis_url, "simulator": simulator.url})
            try:
                with Services(crawl_settings, config) as services:
                    # The simulator answers at once; politeness delays would only slow the demo.
                    results = run_poller(project_settings({**services.scrapy_settings(), "LOG_LEVEL": "WARNING"}),
                                         config.platforms.enabled(), since, once=True, time_scale=0)
            finally:
                simulator.stop()
            decisions = LeadService(Store(mongo_uri, settings.mongo_db), config.catalogue).decisions()
        console.print(results_table(results))
        console.print(counts_table("线索 / leads by category", Counter(d.category for d in decisions),
                                   config.catalogue.categories))
        districts = {d.name: d.name for d in config.gazetteer.districts}
        console.print(counts_table("线索 / leads by district", Counter(d.district for d in decisions),
                                   districts))
        # A post found by several keywords counts once per keyword; the seen-set drops repeats.
        fetched = sum(r.stats.get("civicwatch/posts_count", 0) for r in results)
        new = sum(r.stats.get("civicwatch/leads_created", 0) for r in results)
        console.print(json.dumps({
            "posts_fetched": fetched, "leads_total": len(decisions), "leads_new_this_run": new,
            "mongo": f"{mongo_uri} (database {settings.mongo_db}: posts, leads with their work-order "
                     "outbox, crawl_state)",
            "redis": f"{redis_url} (seen-set, {settings.workorder_stream})",
            "data_dir": str(settings.data_dir.resolve()),
        }, ensure_ascii=False, indent=2))
