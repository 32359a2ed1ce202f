"""Shared fixtures: real servers for the whole session.

By default the embedded SecantusDB and Redis (crawlers/embedded.py) are started once on free
loopback ports; set CIVICWATCH_TEST_MONGO_URI / CIVICWATCH_TEST_REDIS_URL to run the suite
against real MongoDB and Redis instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pymongo
import pytest
import redis
from pymongo.database import Database

from crawlers.embedded import EmbeddedServers


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
