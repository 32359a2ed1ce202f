"""Fixtures shared by the sinks tests: a Store and a LeadService on the real MongoDB-wire server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from pymongo.database import Database

from sinks.leads import LeadService
from sinks.mongo import Store
from tests.sinks.test_sinks_store import CONFIG, T0


@pytest.fixture
def store(mongo_db: Database) -> Store:
    s = Store(db=mongo_db)
    s.ensure_indexes()
    return s


@pytest.fixture
def service_clock() -> Callable[[], datetime]:
    """The service's clock; a module overrides it to review at another time."""
    return lambda: T0 + timedelta(minutes=10)


@pytest.fixture
def service(store: Store, service_clock: Callable[[], datetime]) -> LeadService:
    return LeadService(store, CONFIG.catalogue, now=service_clock)
