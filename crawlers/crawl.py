"""Running crawls in-process: Scrapy settings per platform, one polling round, the reactor loop.

`run_poller` runs a Poller (crawlers/poller.py) inside one AsyncCrawlerProcess: it starts the
reactor, stops it after `--once`, lets Scrapy's handlers stop it on Ctrl-C/SIGTERM, and
re-raises a configuration error that ended the polling, so the command exits with it.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess, AsyncCrawlerRunner, Crawler
from scrapy.settings import Settings as ScrapySettings
from scrapy.utils.defer import deferred_from_coro

from civicwatch.config import PlatformConfig
from crawlers.planning import SETTING as PLAN_SETTING
from crawlers.planning import RoundPlan, open_round
from crawlers.poller import NoteBackoff, Poller, RoundResult
from crawlers.services import SETTING as SERVICES
from crawlers.services import Services
from sinks.planner import PlannerStore

logger = logging.getLogger(__name__)


def project_settings(overrides: dict[str, Any] | None = None) -> ScrapySettings:
    """crawlers/settings.py (wherever the command runs from: no scrapy.cfg needed) plus `overrides`."""
    settings = ScrapySettings()
    settings.setmodule("crawlers.settings", priority="project")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings


def platform_settings(base: ScrapySettings, platform: PlatformConfig,
                      time_scale: float = 1.0) -> ScrapySettings:
    """Per-platform politeness on top of the project settings (delays × CIVICWATCH_TIME_SCALE)."""
    settings = base.copy()
    settings.setdict({
        "DOWNLOAD_DELAY": platform.download_delay_seconds * time_scale,
        "CONCURRENT_REQUESTS_PER_DOMAIN": platform.concurrency,
        # One crawler is one platform: taking no more requests than it downloads at once also
        # leaves the rest of a shared (scale-out) queue to other processes.
        "CONCURRENT_REQUESTS": platform.concurrency,
        "ROBOTSTXT_OBEY": platform.obey_robots,
    }, priority="spider")
    return settings


def create_platform_crawler(runner: AsyncCrawlerRunner, name: str, platform: PlatformConfig,
                            time_scale: float = 1.0, plan: RoundPlan | None = None) -> Crawler:
    spidercls = runner.spider_loader.load(platform.spider or name)
    settings = platform_settings(runner.settings, platform, time_scale)
    if plan is not None:
        settings.set(PLAN_SETTING, plan, priority="spider")
    return Crawler(spidercls, settings)


def spider_arguments(platform: PlatformConfig, since: datetime | None,
                     plan: RoundPlan | None = None) -> dict[str, Any]:
    args: dict[str, Any] = {
        "keywords": list(platform.keywords or []) if plan is None else plan.searches,
        "since": since.isoformat() if since else None,
        "max_pages": platform.max_pages,
        "watermark_overlap_minutes": platform.watermark_overlap_minutes,
    }
    if plan is None or plan.planner is None:
        args["keywords"] = list(platform.keywords or [])
    elif (platform.spider or plan.platform) == "tieba":
        args["boards"] = plan.boards
    return args


def plan_round(runner: AsyncCrawlerRunner, name: str, platform: PlatformConfig) -> RoundPlan | None:
    """The planner's choice of searches for this round (board-only platforms: the round's number
    and budget only), when the crawl has Services to keep its state."""
    services = runner.settings.get(SERVICES)
    if not isinstance(services, Services):
        return None
    services.open()
    return open_round(PlannerStore(services.store.db), services.config, name, platform)


async def crawl_round(runner: AsyncCrawlerRunner, name: str, platform: PlatformConfig,
                      since: datetime, time_scale: float = 1.0) -> RoundResult:
    """One crawl of one platform; its stats decide whether the round was healthy."""
    plan = plan_round(runner, name, platform)
    crawler = create_platform_crawler(runner, name, platform, time_scale, plan)
    await runner.crawl(crawler, **spider_arguments(platform, since, plan))
    return RoundResult.from_stats(name, dict(crawler.stats.get_stats()) if crawler.stats else {})


def run_poller(settings: ScrapySettings, platforms: dict[str, PlatformConfig], since: datetime, *,
               once: bool, rounds: int | None = None, time_scale: float = 1.0,
               note_backoff: NoteBackoff | None = None) -> list[RoundResult]:
    """Blocks until --once (or --rounds N) finishes or a signal stops the process; returns the rounds run."""
    process = AsyncCrawlerProcess(settings)

    async def round_of(name: str, platform: PlatformConfig) -> RoundResult:
        return await crawl_round(process, name, platform, since, time_scale)

    poller = Poller(platforms, round_of, once=once, rounds=rounds, time_scale=time_scale,
                    note_backoff=note_backoff)
    finite = once or rounds is not None
    fatal: list[BaseException] = []

    async def main() -> None:
        from twisted.internet import error, reactor

        try:
            await poller.run()
        except Exception as exc:  # a ConfigError: stop every crawl, then the reactor
            fatal.append(exc)
            await process.stop()
        if (finite or fatal) and reactor.running:
            with contextlib.suppress(error.ReactorNotRunning):  # a signal already began the shutdown
                reactor.stop()

    from twisted.internet import reactor

    reactor.callWhenRunning(lambda: deferred_from_coro(main()))
    # Scrapy's handlers: first SIGINT/SIGTERM stops crawls gracefully, a second one at once.
    process.start(stop_after_crawl=False, install_signal_handlers=True)
    if fatal:
        raise fatal[0]
    return poller.results
