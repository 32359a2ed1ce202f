"""Run a Poller inside one Scrapy process: reactor start, --once stop, Ctrl-C/SIGTERM stop."""

from __future__ import annotations

import logging
from datetime import datetime

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.utils.defer import deferred_from_coro

from civicwatch.config import PlatformConfig
from crawlers.crawl import project_settings
from crawlers.poller import Poller, RoundResult

logger = logging.getLogger(__name__)


def run_poller(platforms: dict[str, PlatformConfig], since: datetime, *, once: bool,
               time_scale: float = 1.0,
               settings_overrides: dict[str, object] | None = None) -> list[RoundResult]:
    """Blocks until --once finishes or a signal stops the process; returns the rounds run."""
    process = AsyncCrawlerProcess(project_settings(settings_overrides))
    poller = Poller(process, platforms, since, once=once, time_scale=time_scale)

    async def main() -> None:
        try:
            await poller.run()
        finally:
            from twisted.internet import error, reactor

            if once and reactor.running:
                try:
                    reactor.stop()
                except error.ReactorNotRunning:  # a signal already began the shutdown
                    pass

    from twisted.internet import reactor

    reactor.callWhenRunning(lambda: deferred_from_coro(main()))
    # Scrapy's handlers: first SIGINT/SIGTERM stops crawls gracefully, a second one at once.
    process.start(stop_after_crawl=False, install_signal_handlers=True)
    return poller.results
