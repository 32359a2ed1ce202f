"""`civicwatch run`: poll every enabled platform around the clock (or one round with --once)."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicwatch.config import get_settings, load_config
from crawlers.crawl import parse_since
from civicwatch.exceptions import ConfigError
from civicwatch.clock import now_shanghai
from crawlers.poller import RoundResult


def select_platforms(config, names: str | None):  # type: ignore[no-untyped-def]
    wanted = [n.strip() for n in names.split(",") if n.strip()] if names else None
    if wanted:
        unknown = sorted(set(wanted) - set(config.platforms.platforms))
        if unknown:
            raise ConfigError(f"unknown platform(s) {', '.join(unknown)}; known: "
                              f"{', '.join(sorted(config.platforms.platforms))}",
                              path=str(config.config_dir / "platforms.yaml"))
    selected = config.platforms.enabled(wanted)
    if not selected:
        raise ConfigError("no enabled platform to poll", path=str(config.config_dir / "platforms.yaml"))
    check_spiders(config, selected)
    return selected


def check_spiders(config, selected) -> None:  # type: ignore[no-untyped-def]
    """Every selected platform has a spider, and forum definitions compile, before anything starts."""
    from scrapy.spiderloader import get_spider_loader

    from civicwatch.config.forums import load_forums
    from crawlers.crawl import project_settings

    known = set(get_spider_loader(project_settings()).list())
    spiders = {name: p.spider or name for name, p in selected.items()}
    missing = sorted(f"{name} (spider {spider!r})" for name, spider in spiders.items() if spider not in known)
    if missing:
        raise ConfigError(f"no spider for platform(s) {', '.join(missing)}; spiders: {', '.join(sorted(known))}",
                          path=str(config.config_dir / "platforms.yaml"))
    if "forum" in spiders.values():
        load_forums(config.config_dir / "forums")


def results_table(results: list[RoundResult]) -> Table:
    table = Table(title="本轮抓取 / crawl rounds")
    for col in ("platform", "ok", "posts", "leads", "new leads", "outcomes / error"):
        table.add_column(col)
    for r in results:
        s = r.stats
        outcomes = ", ".join(f"{k}={v}" for k, v in sorted(r.outcomes.items()))
        table.add_row(r.platform, "✓" if r.ok else "✗", str(s.get("civicwatch/posts_count", 0)),
                      str(s.get("civicwatch/leads_count", 0)), str(s.get("civicwatch/leads_created", 0)),
                      r.error or outcomes)
    return table


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        once: Annotated[bool, typer.Option("--once", help="one round of every platform, then exit")] = False,
        platforms: Annotated[str | None, typer.Option(help="comma-separated platforms, e.g. weibo,tieba")] = None,
        since: Annotated[str | None, typer.Option(
            help="how far back to read where no watermark exists yet: 72h, 7d or an ISO datetime "
                 "(never overrides an existing watermark); default CIVICWATCH_SINCE")] = None,
        metrics_port: Annotated[int | None, typer.Option(
            help="serve Prometheus metrics on this port (0 = off)")] = None,
    ) -> None:
        """Poll the platforms: incremental, polite, each on its own interval."""
        from crawlers.embedded import servers_for
        from crawlers.runloop import run_poller

        settings = get_settings()
        config = load_config(settings)  # fail on bad config before starting anything
        selected = select_platforms(config, platforms)
        try:
            since_dt = parse_since(since or settings.since, now_shanghai())
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--since") from None
        if metrics_port:
            from prometheus_client import start_http_server

            start_http_server(metrics_port, addr="127.0.0.1")
        with servers_for(settings) as (mongo_uri, redis_url):
            os.environ["CIVICWATCH_MONGO_URI"] = mongo_uri
            os.environ["CIVICWATCH_REDIS_URL"] = redis_url
            overrides = None
            if settings.scale_out:
                from crawlers.scaleout import scale_out_settings

                overrides = scale_out_settings(redis_url)
            results = run_poller(selected, since_dt, once=once, time_scale=settings.time_scale,
                                 settings_overrides=overrides)
        Console().print(results_table(results))
        if once and results and not any(r.ok for r in results):
            raise typer.Exit(1)
