"""Storage failures inside a round are counted, so the round is a failed one (crawlers/poller.py).

A pipeline wraps its MongoDB and Redis calls in `counting_server_errors(stats)`: the error goes
on (Scrapy logs the item by platform and id and the crawl-state extension keeps the watermark),
and `civicwatch/server_errors/<server>` tells RoundResult the store or seen-set failed. Once a
server failed in a round, the round's remaining items fail at once without calling it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pymongo.errors
import redis

from civicwatch.exceptions import ServerUnavailableError

SERVER_ERRORS = "civicwatch/server_errors/"


NAMES = {"mongodb": "MongoDB", "redis": "Redis"}


def failed_server(stats: Any) -> str | None:
    """"mongodb" or "redis" when a store or seen-set call of this round (this crawler) failed."""
    return next((server for server in NAMES if stats.get_value(SERVER_ERRORS + server)), None)


@contextmanager
def counting_server_errors(stats: Any) -> Iterator[None]:
    failed = failed_server(stats)
    if failed:
        # The round has failed already: the items left fail at once (not seen, so the next
        # round reads them again) instead of each waiting out the server's time-out.
        stats.inc_value(SERVER_ERRORS + failed)
        raise ServerUnavailableError(f"{NAMES[failed]} failed earlier in this round; left for the next round")
    try:
        yield
    except pymongo.errors.PyMongoError:
        stats.inc_value(SERVER_ERRORS + "mongodb")
        raise
    except redis.RedisError:
        stats.inc_value(SERVER_ERRORS + "redis")
        raise
