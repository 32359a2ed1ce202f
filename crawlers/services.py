"""The connections and the filter chain that every crawl of a process shares.

One `Services` object holds the config, the MongoDB store, the Redis client and seen-set, the
source-health store and one FilterChain (so duplicates are found across platforms and its
automata are built once), with the catch-up that teaches the chain the leads other crawl
processes store (`dedup_sync`, crawlers/dedupsync.py). Components get it with
`Services.from_crawler(crawler)`, which reads the `CIVICWATCH_SERVICES` setting; nothing is
module-global.

Who builds it:

- a command that starts crawls (`civicwatch run`, `worker`, `demo`) opens one, with the config it
  loaded at start-up, and passes `services.scrapy_settings()` to its crawler process: the server
  URIs it resolved as `CIVICWATCH_…` settings and the object itself as `CIVICWATCH_SERVICES`;
- a bare `scrapy crawl NAME` has none, so `ServicesAddon` (ADDONS in crawlers/settings.py) puts
  an unopened one, built from the crawler's settings, in its place. It opens on the first
  component's `from_crawler` (a crawl without pipelines or extensions starts nothing), starting
  embedded servers for whatever URI is unset, says so in the log, and closes with the crawl.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pymongo.errors
import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from civicwatch.clock import now_shanghai
from civicwatch.config import Config, load_config
from civicwatch.exceptions import ConfigError
from civicwatch.settings import Settings, as_scrapy_settings, from_scrapy_settings
from crawlers.dedupsync import DuplicateSync
from crawlers.embedded import EmbeddedServers
from filters.chain import FilterChain
from sinks.health import HealthStore
from sinks.mongo import Store
from sinks.seen import SeenSet
from sinks.servers import redis_client, unavailable

logger = logging.getLogger(__name__)

SETTING = "CIVICWATCH_SERVICES"  # an object, not configuration: never an environment variable


def seed_duplicates(chain: FilterChain, store: Store, days: int, known: set[str] | None = None) -> int:
    """Teach the chain's duplicate index the leads stored in the last `days` (the matching window,
    CIVICWATCH_DEDUP_WINDOW_DAYS), so a restart keeps dup_of for follow-ups of older incidents.
    The keys of the posts remembered go into `known`, when given."""
    since = now_shanghai() - timedelta(days=days)
    count = 0
    for post, decision in store.recent_lead_posts(since):
        chain.remember(post, decision)
        if known is not None:
            known.add(post.key)
        count += 1
    return count


class Services:
    """Opened once (`open()` is idempotent), closed once; a context manager."""

    def __init__(self, settings: Settings, config: Config | None = None, *,
                 chain: FilterChain | None = None) -> None:
        self.settings = settings
        self._config = config
        self._chain = chain  # tests may hand a prebuilt chain; otherwise built from the config
        self.servers: EmbeddedServers | None = None
        self.store: Store
        self.redis: redis.Redis
        self.seen: SeenSet
        self.health: HealthStore
        self.dedup_sync: DuplicateSync
        self.opened = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Services:
        services = crawler.settings.get(SETTING)
        if not isinstance(services, Services):
            raise ConfigError(f"{SETTING} is not set: start crawls with `civicwatch run`, or keep "
                              "crawlers.services.ServicesAddon in ADDONS", field=SETTING)
        return services.open()

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.settings)
        return self._config

    @property
    def chain(self) -> FilterChain:
        if self._chain is None:
            self._chain = FilterChain.from_config(self.config)
        return self._chain

    def open(self) -> Services:
        if self.opened:
            return self
        self.chain  # noqa: B018 - a broken rules or classifier file fails here, before any server starts
        settings = self.settings
        if not (settings.mongo_uri and settings.redis_url):
            self.servers = EmbeddedServers(settings.data_dir, mongo=not settings.mongo_uri,
                                           redis=not settings.redis_url).start()
            self.settings = settings = settings.model_copy(update={
                "mongo_uri": settings.mongo_uri or self.servers.mongo_uri,
                "redis_url": settings.redis_url or self.servers.redis_url,
            })
            logger.info("started embedded servers under %s (pids %s): mongo %s, redis %s; they stop "
                        "when the crawl closes", self.servers.data_dir, self.servers.pids,
                        settings.mongo_uri, settings.redis_url)
        try:
            try:
                self.store = Store(settings.mongo_uri, settings.mongo_db)
                self.store.ensure_indexes()
                self.health = HealthStore(self.store.db)
                self.health.ensure_indexes()
                started, known = now_shanghai(), set[str]()
                seeded = seed_duplicates(self.chain, self.store, settings.dedup_window_days, known)
                # Then, while crawling, what the other processes store (scale-out).
                self.dedup_sync = DuplicateSync(self.chain, self.store, every_s=settings.dedup_sync_s,
                                                since=started, known=known)
            except pymongo.errors.PyMongoError as exc:  # one line, not a traceback per item
                raise unavailable("MongoDB", settings.mongo_uri, exc) from None
            try:
                self.redis = redis_client(settings.redis_url or "")
                self.redis.ping()
                self.seen = SeenSet(self.redis, ttl_days=settings.seen_ttl_days)
            except redis.RedisError as exc:
                self.store.db.client.close()
                raise unavailable("Redis", settings.redis_url, exc) from None
        except BaseException:
            self._stop_servers()
            raise
        logger.info("filter chain ready; duplicate index seeded with %d stored leads", seeded)
        self.opened = True
        return self

    def close(self) -> None:
        if self.opened:
            self.opened = False
            self.store.db.client.close()
            self.redis.close()
        self._stop_servers()

    def _stop_servers(self) -> None:
        if self.servers is not None:
            self.servers.stop()
            logger.info("stopped the embedded servers under %s", self.servers.data_dir)
            self.servers = None

    def scrapy_settings(self) -> dict[str, Any]:
        """Scrapy settings for crawls that share these services: every CIVICWATCH_… value (with
        the URIs actually in use) and the object itself."""
        return {**as_scrapy_settings(self.settings), SETTING: self}

    def __enter__(self) -> Services:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __deepcopy__(self, memo: dict[int, Any]) -> Services:
        # Scrapy deep-copies settings for every crawler; every copy must share these connections.
        return self

    def __repr__(self) -> str:
        state = "open" if self.opened else "not open"
        return f"<Services {state} mongo={self.settings.mongo_uri} db={self.settings.mongo_db}>"


class ServicesAddon:
    """Scrapy add-on: gives a crawl started without CIVICWATCH_SERVICES its own (opened on first
    use, closed when the engine stops)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ServicesAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        if settings.get(SETTING) is not None:
            return  # handed over by the command that started the crawl
        services = Services(from_scrapy_settings(settings))
        settings.set(SETTING, services, priority="addon")
        self.crawler.signals.connect(services.close, signal=signals.engine_stopped, weak=False)


__all__ = ["SETTING", "Services", "ServicesAddon", "seed_duplicates"]
