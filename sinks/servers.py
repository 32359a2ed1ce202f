"""Connections with short time-outs, and a down server said in one line.

pymongo waits 30 s to select a server and redis-py forever on a socket by default: a stopped
server hung a round item by item. Here every wait is a few seconds and the failure becomes a
ServerUnavailableError naming the server and its address (without credentials).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import pymongo
import pymongo.errors
import redis

from civicwatch.exceptions import ServerUnavailableError

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 3.0  # finding and connecting to a server
SOCKET_TIMEOUT_S = 10.0  # one operation on an open connection


def mongo_client(uri: str | None) -> pymongo.MongoClient:
    return pymongo.MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=int(CONNECT_TIMEOUT_S * 1000),
                               connectTimeoutMS=int(CONNECT_TIMEOUT_S * 1000),
                               socketTimeoutMS=int(SOCKET_TIMEOUT_S * 1000))


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=SOCKET_TIMEOUT_S)


def address(url: str | None) -> str:
    """host:port of a server URL, credentials left out."""
    netloc = urlsplit(url or "").netloc
    return netloc.rpartition("@")[2] or (url or "?")


def unavailable(server: str, url: str | None, exc: BaseException) -> ServerUnavailableError:
    reason = (str(exc).splitlines() or [type(exc).__name__])[0].split(", Timeout:")[0][:200]
    return ServerUnavailableError(f"{server} at {address(url)} is not answering ({reason}); "
                                  f"is it running? (waited at most {CONNECT_TIMEOUT_S:g} s)")


# What a driver raises when its server cannot be reached (not: refused a command or a document).
SERVER_DOWN_ERRORS: tuple[type[Exception], ...] = (pymongo.errors.ConnectionFailure, redis.ConnectionError,
                                                   redis.TimeoutError)


def server_down(exc: BaseException) -> ServerUnavailableError:
    """One of SERVER_DOWN_ERRORS as the ServerUnavailableError a user is shown (no address known here)."""
    server = "MongoDB" if isinstance(exc, pymongo.errors.PyMongoError) else "Redis"
    reason = (str(exc).splitlines() or [type(exc).__name__])[0].split(" (configured timeouts")[0][:200]
    return ServerUnavailableError(f"{server} is not answering ({reason})")


class OutageLog:
    """For a loop that retries while a server is down: one line when `loop` meets the outage and
    one when it works again, instead of a traceback every round."""

    def __init__(self, loop: str, interval_s: float) -> None:
        self.loop = loop
        self.interval_s = interval_s
        self.down = False

    def failed(self, exc: BaseException) -> None:
        if not self.down:
            said = exc if isinstance(exc, ServerUnavailableError) else server_down(exc)
            logger.warning("%(loop)s: %(down)s; retrying every %(interval)g s, nothing is lost meanwhile",
                           {"loop": self.loop, "down": said, "interval": self.interval_s})
            self.down = True

    def worked(self) -> None:
        if self.down:
            logger.warning("%(loop)s: working again", {"loop": self.loop})
            self.down = False
