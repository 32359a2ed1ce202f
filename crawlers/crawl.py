"""Build Scrapy settings and crawlers for one platform's polling round."""

from __future__ import annotations

import os
from datetime import datetime

from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.settings import Settings as ScrapySettings
from scrapy.utils.project import get_project_settings

from civicwatch.config import PlatformConfig


def project_settings(overrides: dict[str, object] | None = None) -> ScrapySettings:
    """crawlers/settings.py (wherever the command runs from) plus `overrides`."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    settings = get_project_settings()
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


def spider_arguments(platform: PlatformConfig, since: datetime) -> dict[str, object]:
    return {
        "keywords": list(platform.keywords or []),
        "since": since.isoformat(),
        "max_pages": platform.max_pages,
    }


_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(value: str, now: datetime) -> datetime:
    """`72h`, `30m`, `7d`, `2w` (before `now`) or an ISO 8601 datetime (Shanghai time if naive)."""
    from datetime import timedelta

    from civicwatch.clock import SHANGHAI

    text = value.strip()
    if text[:-1].isdigit() and text[-1:].lower() in _UNITS:
        return now - timedelta(seconds=int(text[:-1]) * _UNITS[text[-1].lower()])
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is neither a duration like 72h/30m/7d nor an ISO datetime") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)
