"""The console's fixtures (tests/review/conftest.py) for the fault tests of its API."""

from tests.review.conftest import console_config, live_mongo_uri, store, users

__all__ = ["console_config", "live_mongo_uri", "store", "users"]
