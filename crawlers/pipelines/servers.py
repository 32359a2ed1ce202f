"""Storage failures inside a round are counted, so the round is a failed one (crawlers/poller.py).

A pipeline wraps its MongoDB and Redis calls in `counting_server_errors(stats)`: the error goes
on (Scrapy logs the item by platform and id and the crawl-state extension keeps the watermark),
and `civicwatch/server_errors/<server>` tells RoundResult the store or seen-set failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pymongo.errors
import redis

SERVER_ERRORS = "civicwatch/server_errors/"


@contextmanager
def counting_server_errors(stats: Any) -> Iterator[None]:
    try:
        yield
    except pymongo.errors.PyMongoError:
        stats.inc_value(SERVER_ERRORS + "mongodb")
        raise
    except redis.RedisError:
        stats.inc_value(SERVER_ERRORS + "redis")
        raise
