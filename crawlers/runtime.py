"""Process-wide shared resources for crawls: storage, seen-set and one filter chain.

Every crawl in a process shares one FilterChain so that duplicates are found across platforms
and its automata are built once. With no server URIs configured, the embedded servers
are started on first use and stopped at exit (so `scrapy crawl weibo` works on defaults too).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from dataclasses import dataclass
from datetime import timedelta

import redis

from civicwatch.config import Config, load_config
from civicwatch.settings import Settings, get_settings
from civicwatch.clock import now_shanghai
from civicwatch.models import Post
from filters.chain import FilterChain
from sinks.mongo import Store
from sinks.seen import SeenSet

logger = logging.getLogger(__name__)

# How far back stored leads seed the duplicate index when a process starts.
DEDUP_SEED_DAYS = 7


@dataclass
class Runtime:
    config: Config
    store: Store
    redis: redis.Redis
    seen: SeenSet
    chain: FilterChain


_lock = threading.Lock()
_runtime: Runtime | None = None


def _ensure_servers(settings: Settings) -> Settings:
    """Start embedded servers for whatever URI is unset; export the URIs for child code."""
    if settings.mongo_uri and settings.redis_url:
        return settings
    from crawlers.embedded import EmbeddedServers

    servers = EmbeddedServers(settings.data_dir, mongo=not settings.mongo_uri,
                              redis=not settings.redis_url)
    servers.start()
    atexit.register(servers.stop)
    if not settings.mongo_uri:
        os.environ["CIVICWATCH_MONGO_URI"] = servers.mongo_uri
    if not settings.redis_url:
        os.environ["CIVICWATCH_REDIS_URL"] = servers.redis_url
    logger.info("embedded servers started: mongo %s redis %s", servers.mongo_uri, servers.redis_url)
    return get_settings()


def seed_duplicates(chain: FilterChain, store: Store, days: int = DEDUP_SEED_DAYS) -> int:
    """Teach the chain's duplicate index the leads stored recently (so restarts keep dup_of)."""
    since = now_shanghai() - timedelta(days=days)
    count = 0
    for post, decision in store.recent_lead_posts(since):
        chain.remember(post, decision)
        count += 1
    return count


def get_runtime(settings: Settings | None = None) -> Runtime:
    global _runtime
    with _lock:
        if _runtime is None:
            settings = _ensure_servers(settings or get_settings())
            config = load_config(settings)
            store = Store(settings.mongo_uri, settings.mongo_db)
            store.ensure_indexes()
            from sinks.health import HealthStore

            HealthStore(store.db).ensure_indexes()
            client = redis.Redis.from_url(settings.redis_url)
            chain = FilterChain.from_config(config)
            seeded = seed_duplicates(chain, store)
            logger.info("filter chain ready; duplicate index seeded with %d stored leads", seeded)
            _runtime = Runtime(config=config, store=store, redis=client,
                               seen=SeenSet(client, ttl_days=settings.seen_ttl_days), chain=chain)
        return _runtime


def reset_runtime() -> None:
    """Forget the shared runtime (tests, or after the servers changed)."""
    global _runtime
    with _lock:
        _runtime = None


__all__ = ["Post", "Runtime", "get_runtime", "reset_runtime", "seed_duplicates"]
