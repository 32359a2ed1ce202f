"""`civicwatch run`: poll every enabled platform around the clock (or one round with --once, N
rounds with --rounds N)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicwatch.clock import SHANGHAI, now_shanghai
from civicwatch.config import Config, PlatformConfig, get_settings, load_config
from civicwatch.config.forums import load_forums
from civicwatch.exceptions import ConfigError, ServerUnavailableError
from crawlers.poller import RoundResult

_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(value: str, now: datetime) -> datetime:
    """`72h`, `30m`, `7d`, `2w` (before `now`) or an ISO 8601 datetime (Shanghai time if naive)."""
    text = value.strip()
    if text[:-1].isdigit() and text[-1:].lower() in _UNITS:
        return now - timedelta(seconds=int(text[:-1]) * _UNITS[text[-1].lower()])
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is neither a duration like 72h/30m/7d nor an ISO datetime") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


def select_platforms(config: Config, names: str | None) -> dict[str, PlatformConfig]:
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


def stale_watermark_hints(results: list[RoundResult], watermarks: dict[str, list[datetime]]) -> list[str]:
    """For each platform whose round went well but read nothing new while it has watermarks: a
    line saying so and how to read back again (a watermark from another time scale or a clock
    moved back makes a crawl look dead)."""
    hints = []
    for r in results:
        fresh = int(r.stats.get("civicwatch/posts_count", 0)) - int(r.stats.get("civicwatch/dropped/seen", 0))
        marks = watermarks.get(r.platform) or []
        if r.ok and fresh <= 0 and marks:
            newest = max(marks).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
            hints.append(f"{r.platform}: nothing new past its {len(marks)} watermark(s) (newest {newest} 北京时间); "
                         f"`civicwatch watermarks list --platform {r.platform}` shows them, "
                         f"`civicwatch watermarks reset {r.platform}` reads back to --since")
    return hints


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        once: Annotated[bool, typer.Option("--once", help="one round of every platform, then exit")] = False,
        rounds: Annotated[int | None, typer.Option(
            "--rounds", min=1, help="N rounds of every platform back to back, then exit "
                                    "(with CIVICWATCH_TIME_SCALE=0 a coverage period takes minutes)")] = None,
        platforms: Annotated[str | None, typer.Option(help="comma-separated platforms, e.g. weibo,tieba")] = None,
        since: Annotated[str | None, typer.Option(
            help="how far back to read where no watermark exists yet: 72h, 7d or an ISO datetime "
                 "(never overrides an existing watermark); default CIVICWATCH_SINCE")] = None,
        metrics_port: Annotated[int | None, typer.Option(
            help="serve Prometheus metrics on this port (0 = off)")] = None,
    ) -> None:
        """Poll the platforms: incremental, polite, each on its own interval."""
        from pymongo.errors import PyMongoError

        from crawlers.crawl import project_settings, run_poller
        from crawlers.embedded import exit_on_sigterm
        from crawlers.scaleout import scale_out_settings
        from crawlers.services import Services

        settings = get_settings()
        config = load_config(settings)  # a bad file fails here, before anything starts
        load_forums(settings.config_dir / "forums")  # and so does a bad forum definition
        selected = select_platforms(config, platforms)
        try:
            since_dt = parse_since(since or settings.since, now_shanghai())
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--since") from None
        if metrics_port:
            from prometheus_client import start_http_server

            start_http_server(metrics_port, addr="127.0.0.1")
        # The filter chain is built before any server starts; embedded servers stop on the way out.
        with exit_on_sigterm(), Services(settings, config) as services:
            overrides = services.scrapy_settings()
            if settings.scale_out:
                overrides.update(scale_out_settings(services.settings.redis_url or ""))
            results = run_poller(project_settings(overrides), selected, since_dt, once=once, rounds=rounds,
                                 time_scale=settings.time_scale, note_backoff=services.health.set_backoff)
            try:
                marks = {name: list(services.store.get_watermarks(name).values()) for name in selected}
            except PyMongoError:  # the database went away: the round's own errors say so
                marks = {}
        console = Console()
        console.print(results_table(results))
        for hint in stale_watermark_hints(results, marks):
            console.print(f"[yellow]{hint}[/]", highlight=False, soft_wrap=True)
        storage = [f"{r.platform}: {r.error}" for r in results if r.server_errors]
        finite = once or rounds is not None
        if finite and storage:  # posts read but not stored or not marked seen: say so, exit 69
            raise ServerUnavailableError("round failed, posts not stored: " + "; ".join(storage))
        if finite and results and not any(r.ok for r in results):
            raise typer.Exit(1)
