"""Source health: each crawl round leaves its platform `ok`, `degraded` or `down`, with evidence.

- down: no answer at all this round (the source unreachable: refused connections, timeouts);
- degraded, with the reason, even when every answer was unhealthy: any login wall, rate limit,
  block, captcha or rejected signature; parse failures above
  CIVICWATCH_HEALTH_MAX_MALFORMED_RATIO of responses; deleted or hidden posts above
  CIVICWATCH_HEALTH_MAX_NOT_FOUND_RATIO of the answers about posts (one deleted post is
  skipped and healthy, as docs/platforms.md says; most of a round's posts gone means the source
  hides content from us or serves stale listings); responses slower than
  CIVICWATCH_HEALTH_SLOW_S seconds; the same post id served twice in one round (a list shifting under
  the pager); only empty answers from a source whose last round had posts (the silent empty
  list is how some platforms block); or no new post for longer than `expected_quiet_minutes`;
- ok otherwise. State changes are logged at WARNING and stored (sinks/health.py).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from civicwatch import signals as cw_signals
from civicwatch.clock import now_shanghai
from civicwatch.config import PlatformsFile
from civicwatch.settings import from_scrapy_settings
from crawlers.pipelines.servers import failed_server
from crawlers.services import Services
from sinks.health import HealthStore
from sinks.servers import SERVER_DOWN_ERRORS, server_down

logger = logging.getLogger(__name__)

HEALTHY = frozenset({"ok", "listed", "empty", "end", "not_found"})
BLOCKING = ("login_required", "rate_limited", "blocked", "captcha", "signature_rejected")


SIDE_SIGNALS = ("slow", "duplicate_id")  # noted per response/item, not a response outcome


def judge(outcomes: Counter[str], *, max_malformed_ratio: float, quiet_for: timedelta | None,
          expected_quiet: timedelta, was_busy: bool = False, max_not_found_ratio: float = 0.5,
          ) -> tuple[str, str]:
    """(state, reason) for one round's outcome counts."""
    total = sum(n for o, n in outcomes.items() if o not in SIDE_SIGNALS)
    for outcome in BLOCKING:
        if outcomes[outcome]:
            return "degraded", f"{outcome} ×{outcomes[outcome]}"
    if total and outcomes["malformed"] / total > max_malformed_ratio:
        return "degraded", f"malformed {outcomes['malformed']}/{total} responses"
    # answers about posts: a listing whose entries are opened one by one (`listed`) is not one
    opened = outcomes["ok"] + outcomes["not_found"]
    if outcomes["not_found"] >= 2 and outcomes["not_found"] / opened > max_not_found_ratio:
        return "degraded", f"not_found {outcomes['not_found']}/{opened} posts deleted or hidden"
    for signal in SIDE_SIGNALS:
        if outcomes[signal]:
            return "degraded", f"{signal} ×{outcomes[signal]}"
    if was_busy and total and not (outcomes["ok"] or outcomes["listed"]):
        return "degraded", f"only empty answers ({total}) from a source that had posts last round"
    if quiet_for is not None and quiet_for > expected_quiet:
        return "degraded", f"no new posts for {quiet_for.total_seconds() / 60:.0f} min"
    if not total:
        return "down", "no response at all"
    return "ok", "healthy"


class SourceHealthExtension:
    def __init__(self, crawler: Crawler, store: HealthStore, platforms: PlatformsFile) -> None:
        self.crawler = crawler
        self.store = store
        self.platforms = platforms
        self.outcomes: Counter[str] = Counter()
        self.evidence: list[str] = []
        settings = from_scrapy_settings(crawler.settings)
        self.max_malformed_ratio = settings.health_max_malformed_ratio
        self.max_not_found_ratio = settings.health_max_not_found_ratio
        self.slow_s = settings.health_slow_s
        self.keys: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceHealthExtension:
        services = Services.from_crawler(crawler)
        ext = cls(crawler, services.health, services.config.platforms)
        crawler.signals.connect(ext.outcome, signal=cw_signals.source_outcome)
        crawler.signals.connect(ext.response, signal=signals.response_received)
        crawler.signals.connect(ext.item, signal=signals.item_scraped)
        crawler.signals.connect(ext.item, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def outcome(self, platform: str, outcome: str, url: str, evidence: str = "", **_: Any) -> None:
        self.outcomes[outcome] += 1
        if (outcome not in HEALTHY or outcome == "not_found") and len(self.evidence) < 10:
            self.evidence.append(f"{outcome} {url} {evidence}".strip())

    def response(self, response: Any, request: Any, spider: Spider) -> None:
        latency = request.meta.get("download_latency")
        if latency is not None and latency > self.slow_s:
            self.outcomes["slow"] += 1
            if len(self.evidence) < 10:
                self.evidence.append(f"slow {latency:.1f} s {response.url}")

    def item(self, item: Any, spider: Spider, **_: Any) -> None:
        post = getattr(item, "post", item)
        if not hasattr(post, "key"):
            return
        # The same post under one query twice means the list shifted under the pager; found by
        # two different queries (or a query and a board) is normal.
        key = f"{post.keyword}|{post.key}"
        if key in self.keys:
            self.outcomes["duplicate_id"] += 1
            if len(self.evidence) < 10:
                self.evidence.append(f"duplicate_id {key}")
        self.keys.add(key)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        platform = getattr(spider, "platform", None) or spider.name
        if self.crawler.stats and failed_server(self.crawler.stats) == "mongodb":  # where health lives
            logger.warning("health of %s not recorded: MongoDB failed in this round", platform)
            return
        try:
            self._record(spider, platform)
        except SERVER_DOWN_ERRORS as exc:
            logger.warning("health of %s not recorded: %s", platform, server_down(exc))

    def _record(self, spider: Spider, platform: str) -> None:
        store = self.store
        now = now_shanghai()
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        new_posts = int(stats.get("civicwatch/posts_count", 0)) - int(stats.get("civicwatch/dropped/seen", 0))
        previous = store.get(platform) or {}
        last_new = now if new_posts > 0 else previous.get("last_new_post")
        config = self.platforms.platforms.get(platform)
        expected = timedelta(minutes=config.expected_quiet_minutes if config else 360)
        quiet_for = (now - last_new) if last_new else None
        state, why = judge(self.outcomes, max_malformed_ratio=self.max_malformed_ratio,
                           quiet_for=quiet_for, expected_quiet=expected,
                           was_busy=bool(previous.get("last_round_posts")),
                           max_not_found_ratio=self.max_not_found_ratio)
        errors = sum(n for o, n in self.outcomes.items() if o not in HEALTHY)
        changed = store.record_round(platform, at=now, state=state, reason=why, evidence=self.evidence,
                                     posts=int(stats.get("civicwatch/posts_count", 0)),
                                     new_posts=max(new_posts, 0), errors=errors, outcomes=dict(self.outcomes))
        if changed:
            logger.warning("source %s is now %s: %s", platform, state, why)
