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
from crawlers.poller import NoteBackoff, Poller, RoundResult

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
                            time_scale: float = 1.0) -> Crawler:
    spidercls = runner.spider_loader.load(platform.spider or name)
    return Crawler(spidercls, platform_settings(runner.settings, platform, time_scale))


def spider_arguments(platform: PlatformConfig, since: datetime | None) -> dict[str, Any]:
    return {
        "keywords": list(platform.keywords or []),
        "since": since.isoformat() if since else None,
        "max_pages": platform.max_pages,
        "watermark_overlap_minutes": platform.watermark_overlap_minutes,
    }


async def crawl_round(runner: AsyncCrawlerRunner, name: str, platform: PlatformConfig,
                      since: datetime, time_scale: float = 1.0) -> RoundResult:
    """One crawl of one platform; its stats decide whether the round was healthy."""
    crawler = create_platform_crawler(runner, name, platform, time_scale)
    await runner.crawl(crawler, **spider_arguments(platform, since))
    return RoundResult.from_stats(name, dict(crawler.stats.get_stats()) if crawler.stats else {})


def run_poller(settings: ScrapySettings, platforms: dict[str, PlatformConfig], since: datetime, *,
               once: bool, time_scale: float = 1.0,
               note_backoff: NoteBackoff | None = None) -> list[RoundResult]:
    """Blocks until --once finishes or a signal stops the process; returns the rounds run."""
    process = AsyncCrawlerProcess(settings)

    async def round_of(name: str, platform: PlatformConfig) -> RoundResult:
        return await crawl_round(process, name, platform, since, time_scale)

    poller = Poller(platforms, round_of, once=once, time_scale=time_scale, note_backoff=note_backoff)
    fatal: list[BaseException] = []

    async def main() -> None:
        from twisted.internet import error, reactor

        try:
            await poller.run()
        except Exception as exc:  # a ConfigError: stop every crawl, then the reactor
            fatal.append(exc)
            await process.stop()
        if (once or fatal) and reactor.running:
            with contextlib.suppress(error.ReactorNotRunning):  # a signal already began the shutdown
                reactor.stop()

    from twisted.internet import reactor

    reactor.callWhenRunning(lambda: deferred_from_coro(main()))
    # Scrapy's handlers: first SIGINT/SIGTERM stops crawls gracefully, a second one at once.
    process.start(stop_after_crawl=False, install_signal_handlers=True)
    if fatal:
        raise fatal[0]
    return poller.results
