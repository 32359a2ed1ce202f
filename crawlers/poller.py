"""7×24 polling: every enabled platform on its own interval with jitter, backing off on trouble.

One asyncio task per platform inside one Scrapy process; a platform's failure (an exception
or an unhealthy outcome) delays only that platform. Outcomes come from the spiders' stats
(`source/outcome/<outcome>`, platforms.md §2.3).
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scrapy.crawler import AsyncCrawlerRunner

from civicwatch.config import PlatformConfig
from crawlers.crawl import create_platform_crawler, spider_arguments

logger = logging.getLogger(__name__)

UNHEALTHY_OUTCOMES = frozenset({
    "login_required", "rate_limited", "blocked", "captcha", "signature_rejected", "malformed",
})


@dataclass
class RoundResult:
    platform: str
    ok: bool
    stats: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def outcomes(self) -> dict[str, int]:
        prefix = "source/outcome/"
        return {k[len(prefix):]: v for k, v in self.stats.items() if k.startswith(prefix)}


def next_delay(platform: PlatformConfig, failures: int, rng: random.Random,
               time_scale: float = 1.0) -> float:
    """Seconds until the next round: the interval plus jitter, or exponential backoff."""
    if failures == 0:
        delay = platform.interval_seconds + rng.uniform(0, platform.jitter_seconds)
    else:
        backoff = platform.backoff_base_seconds * 2 ** (failures - 1)
        delay = min(backoff, platform.backoff_max_seconds) + rng.uniform(0, platform.jitter_seconds)
    return delay * time_scale


class Poller:
    def __init__(self, runner: AsyncCrawlerRunner, platforms: dict[str, PlatformConfig],
                 since: datetime, *, once: bool = False, rng: random.Random | None = None,
                 time_scale: float = 1.0) -> None:
        self.runner = runner
        self.platforms = platforms
        self.since = since
        self.once = once
        self.rng = rng or random.Random()
        self.time_scale = time_scale
        self.results: list[RoundResult] = []

    async def run(self) -> list[RoundResult]:
        await asyncio.gather(*(self._poll(name, p) for name, p in self.platforms.items()))
        return self.results

    async def _poll(self, name: str, platform: PlatformConfig) -> None:
        failures = 0
        while True:
            result = await self.crawl_round(name, platform)
            self.results.append(result)
            failures = 0 if result.ok else failures + 1
            if self.once:
                return
            delay = next_delay(platform, failures, self.rng, self.time_scale)
            self._note_backoff(name, delay if failures else 0.0)
            logger.info("%s: next round in %.0f s%s", name, delay,
                        f" (backoff after {failures} failed rounds)" if failures else "")
            await asyncio.sleep(delay)

    @staticmethod
    def _note_backoff(name: str, seconds: float) -> None:
        """Shown by `civicwatch sources`; a storage hiccup must not stop polling."""
        try:
            from crawlers.runtime import get_runtime
            from sinks.health import HealthStore

            HealthStore(get_runtime().store.db).set_backoff(name, seconds)
        except Exception:
            logger.exception("%s: could not store the backoff", name)

    async def crawl_round(self, name: str, platform: PlatformConfig) -> RoundResult:
        try:
            crawler = create_platform_crawler(self.runner, name, platform, self.time_scale)
            await self.runner.crawl(crawler, **spider_arguments(platform, self.since))
        except Exception as exc:  # one platform's failure must not stop the others
            logger.exception("%s: round failed", name)
            return RoundResult(name, ok=False, error=f"{type(exc).__name__}: {exc}")
        stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
        result = RoundResult(name, ok=True, stats=stats)
        bad = {o: n for o, n in result.outcomes.items() if o in UNHEALTHY_OUTCOMES and n}
        if bad:
            result.ok = False
            result.error = ", ".join(f"{o}×{n}" for o, n in sorted(bad.items()))
        return result
