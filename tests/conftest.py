"""Shared fixtures: real servers for the whole session, Services on them, crawls in this process.

By default the embedded SecantusDB and Redis (crawlers/embedded.py) are started once on free
loopback ports; set CIVICWATCH_TEST_MONGO_URI / CIVICWATCH_TEST_REDIS_URL to run the suite
against real MongoDB and Redis instead.
"""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pymongo
import pytest
import redis
from pymongo.database import Database
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.settings import Settings as ScrapySettings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.reactor import is_reactor_installed
from scrapy.utils.test import get_crawler

from civicwatch.config import PlatformConfig
from civicwatch.settings import Settings
from crawlers import settings as project
from crawlers.crawl import platform_settings, spider_arguments
from crawlers.embedded import EmbeddedServers
from crawlers.planning import SETTING as PLAN_SETTING
from crawlers.planning import RoundPlan
from crawlers.services import Services


def pytest_configure(config: pytest.Config) -> None:
    # A suite started in the background (`cmd &` from a script) inherits SIGINT ignored, and
    # every server and CLI it spawns would too: the tests that stop children with SIGINT, as a
    # person's Ctrl-C would, then wait in vain. A handler here resets to the default on exec.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServers]:
    servers = EmbeddedServers(tmp_path_factory.mktemp("embedded"),
                              mongo="CIVICWATCH_TEST_MONGO_URI" not in os.environ,
                              redis="CIVICWATCH_TEST_REDIS_URL" not in os.environ)
    servers.start()
    yield servers
    servers.stop()


@pytest.fixture(scope="session")
def mongo_uri(embedded: EmbeddedServers) -> str:
    return os.environ.get("CIVICWATCH_TEST_MONGO_URI") or embedded.mongo_uri or ""


@pytest.fixture(scope="session")
def redis_url(embedded: EmbeddedServers) -> str:
    return os.environ.get("CIVICWATCH_TEST_REDIS_URL") or embedded.redis_url or ""


@pytest.fixture
def mongo_db(mongo_uri: str) -> Iterator[Database]:
    """A database of its own for one test, dropped afterwards."""
    client: pymongo.MongoClient = pymongo.MongoClient(mongo_uri, tz_aware=True)
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield client[name]
    client.drop_database(name)
    client.close()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()


# --- crawls in this process (Scrapy's own test helper) -----------------------------------------

# The project's Scrapy settings (crawlers/settings.py) as a dict for get_crawler.
PROJECT_SETTINGS = {name: getattr(project, name) for name in dir(project) if name.isupper()}


@dataclass
class CrawlResult:
    crawler: Crawler
    items: list[Any] = field(default_factory=list)

    @property
    def stats(self) -> dict[str, Any]:
        return dict(self.crawler.stats.get_stats()) if self.crawler.stats else {}


def run_crawl(spidercls: type[Spider], settings: dict[str, Any] | None = None,
              **spider_args: Any) -> CrawlResult:
    """One crawl of `spidercls` in this process, built by scrapy.utils.test.get_crawler.

    The project's settings, without pipelines or extensions unless `settings` names them.
    get_crawler runs Scrapy reactorless here (asyncio, the aiohttp download handler), so a
    crawl takes milliseconds; tests/e2e runs real `scrapy crawl` / `civicwatch run` processes
    with the Twisted downloader production uses.
    """
    if is_reactor_installed():
        raise RuntimeError("a Twisted reactor is installed in the test process; in-process crawls "
                           "run without one (start crawls that need it in a subprocess)")
    result: list[CrawlResult] = []

    async def crawl() -> None:
        crawler = get_crawler(spidercls, {**PROJECT_SETTINGS, "ITEM_PIPELINES": {}, "EXTENSIONS": {},
                                          "DOWNLOAD_DELAY": 0, "LOG_LEVEL": "DEBUG", **(settings or {})})
        outcome = CrawlResult(crawler)
        crawler.signals.connect(lambda item, **_: outcome.items.append(item), signal=signals.item_scraped,
                                weak=False)
        result.append(outcome)
        await crawler.crawl_async(**spider_args)

    asyncio.run(crawl())
    return result[0]


@pytest.fixture
def services(mongo_uri: str, redis_url: str, mongo_db: Database, redis_client: redis.Redis,
             tmp_path: Path) -> Iterator[Services]:
    """Open Services on the test servers: a database of its own, a flushed Redis."""
    settings = Settings(mongo_uri=mongo_uri, redis_url=redis_url, mongo_db=mongo_db.name,
                        data_dir=tmp_path / "data")
    with Services(settings) as opened:
        yield opened


def crawl_platform(services: Services, name: str, simulator: str, since: datetime,
                   settings: dict[str, Any] | None = None, plan: RoundPlan | None = None,
                   platform: PlatformConfig | None = None, **spider_args: Any) -> CrawlResult:
    """One polling round of platform `name` as `civicwatch run` makes it (its spider arguments and
    politeness, the project's pipelines and extensions, shared Services), in this process; with
    `plan` (crawlers/planning.py open_round), a planned round; `spider_args` over the round's own."""
    platform = platform or services.config.platforms.platforms[name]
    if plan is not None:
        settings = {PLAN_SETTING: plan, **(settings or {})}
    spidercls = SpiderLoader.from_settings(ScrapySettings({"SPIDER_MODULES": PROJECT_SETTINGS["SPIDER_MODULES"]}))
    politeness = platform_settings(ScrapySettings(), platform, time_scale=0)
    return run_crawl(spidercls.load(platform.spider or name), {
        "ITEM_PIPELINES": PROJECT_SETTINGS["ITEM_PIPELINES"], "EXTENSIONS": PROJECT_SETTINGS["EXTENSIONS"],
        **{key: politeness[key] for key in ("DOWNLOAD_DELAY", "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN",
                                            "ROBOTSTXT_OBEY")},
        **services.scrapy_settings(), "CIVICWATCH_SIMULATOR": simulator, **(settings or {}),
    }, **{**spider_arguments(platform, since, plan), **spider_args})


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes() -> Iterator[None]:
    """Console users in tests hash with argon2's cheapest parameters: the same code path, a few
    milliseconds instead of a few hundred per user (production keeps argon2-cffi's defaults)."""
    from argon2 import PasswordHasher

    from sinks import users

    production = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    users._hasher = production
