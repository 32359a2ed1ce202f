"""7×24 polling: every enabled platform on its own interval with jitter, backing off on trouble.

Scheduling only: one asyncio task per platform calls `crawl_round(name, platform)` (given by
crawlers/crawl.py, which runs the Scrapy crawl) and sleeps until the next round; a platform's
failure (an exception or an unhealthy outcome) delays only that platform. Outcomes come from
the round's stats (`source/outcome/<outcome>`, docs/platforms.md, "Outcomes, health and backoff").
A configuration error is not a failure to retry: it ends the polling at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from civicwatch.config import PlatformConfig
from civicwatch.exceptions import ConfigError
from crawlers.pipelines.servers import SERVER_ERRORS

logger = logging.getLogger(__name__)

UNHEALTHY_OUTCOMES = frozenset({
    "login_required", "rate_limited", "blocked", "captcha", "signature_rejected", "malformed",
})
OUTCOME_PREFIX = "source/outcome/"


@dataclass
class RoundResult:
    platform: str
    ok: bool
    stats: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @classmethod
    def from_stats(cls, platform: str, stats: dict[str, Any]) -> RoundResult:
        """A finished round: ok unless some answer was unhealthy (a block, a parse failure)."""
        result = cls(platform, ok=True, stats=stats)
        bad = {o: n for o, n in result.outcomes.items() if o in UNHEALTHY_OUTCOMES and n}
        # Posts not stored or not marked seen: the round failed whatever the platform answered.
        failed = [f"{server} failed ×{n}" for server, n in sorted(result.server_errors.items())]
        if bad or failed:
            result.ok = False
            result.error = ", ".join([*failed, *(f"{o}×{n}" for o, n in sorted(bad.items()))])
        return result

    @property
    def server_errors(self) -> dict[str, int]:
        """Items whose store (mongodb) or seen-set (redis) call failed, per server."""
        return {k[len(SERVER_ERRORS):]: v for k, v in self.stats.items() if k.startswith(SERVER_ERRORS) and v}

    @property
    def outcomes(self) -> dict[str, int]:
        return {k[len(OUTCOME_PREFIX):]: v for k, v in self.stats.items() if k.startswith(OUTCOME_PREFIX)}


def next_delay(platform: PlatformConfig, failures: int, rng: random.Random,
               time_scale: float = 1.0) -> float:
    """Seconds until the next round: the interval plus jitter, or exponential backoff."""
    if failures == 0:
        delay = platform.interval_seconds + rng.uniform(0, platform.jitter_seconds)
    else:
        backoff = platform.backoff_base_seconds * 2 ** (failures - 1)
        delay = min(backoff, platform.backoff_max_seconds) + rng.uniform(0, platform.jitter_seconds)
    return delay * time_scale


CrawlRound = Callable[[str, PlatformConfig], Awaitable[RoundResult]]
NoteBackoff = Callable[[str, float], None]


class Poller:
    def __init__(self, platforms: dict[str, PlatformConfig], crawl_round: CrawlRound, *,
                 once: bool = False, rounds: int | None = None, rng: random.Random | None = None,
                 time_scale: float = 1.0, note_backoff: NoteBackoff | None = None) -> None:
        self.platforms = platforms
        self.crawl_round = crawl_round
        self.once = once
        # Rounds per platform before its task ends (--once is 1); None polls until stopped.
        self.rounds = 1 if once else rounds
        self.rng = rng or random.Random()
        self.time_scale = time_scale
        self.note_backoff = note_backoff
        self.results: list[RoundResult] = []

    async def run(self) -> list[RoundResult]:
        await asyncio.gather(*(self._poll(name, p) for name, p in self.platforms.items()))
        return self.results

    async def _poll(self, name: str, platform: PlatformConfig) -> None:
        failures = 0
        done = 0
        while True:
            result = await self._round(name, platform)
            self.results.append(result)
            done += 1
            failures = 0 if result.ok else failures + 1
            if self.rounds is not None and done >= self.rounds:
                return
            delay = next_delay(platform, failures, self.rng, self.time_scale)
            self._note_backoff(name, delay if failures else 0.0)
            logger.info("%s: next round in %.0f s%s", name, delay,
                        f" (backoff after {failures} failed rounds)" if failures else "")
            await asyncio.sleep(delay)

    async def _round(self, name: str, platform: PlatformConfig) -> RoundResult:
        try:
            return await self.crawl_round(name, platform)
        except ConfigError:
            raise  # not transient: retrying cannot help, so the whole run stops
        except Exception as exc:  # one platform's failure must not stop the others
            logger.exception("%s: round failed", name)
            return RoundResult(name, ok=False, error=f"{type(exc).__name__}: {exc}")

    def _note_backoff(self, name: str, seconds: float) -> None:
        """Shown by `civicwatch sources`; a storage hiccup must not stop polling."""
        if self.note_backoff is None:
            return
        try:
            self.note_backoff(name, seconds)
        except Exception:
            logger.exception("%s: could not store the backoff", name)
