"""Redis seen-set of post keys, bounded by age (scrapy-redis's own set grows forever).

A sorted set scored by the time each key was first seen; entries older than the TTL are
trimmed on write, so memory follows the crawl rate, not the crawl's age.
"""

from __future__ import annotations

import time

import redis


class SeenSet:
    def __init__(self, client: redis.Redis, key: str = "civicwatch:seen", ttl_days: int = 30) -> None:
        self.client = client
        self.key = key
        self.ttl_seconds = ttl_days * 86400

    def contains(self, key: str) -> bool:
        return self.client.zscore(self.key, key) is not None

    def add(self, keys: list[str]) -> list[bool]:
        """Record keys as seen; True for each key that was new."""
        if not keys:
            return []
        now = time.time()
        pipe = self.client.pipeline()
        for key in keys:
            pipe.zadd(self.key, {key: now}, nx=True)
        pipe.zremrangebyscore(self.key, "-inf", now - self.ttl_seconds)
        added = pipe.execute()[:-1]
        return [bool(n) for n in added]

    def __len__(self) -> int:
        return int(self.client.zcard(self.key))
