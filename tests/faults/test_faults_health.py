"""Item 3 of issue 16: /api/health reports each server; a Redis that does not answer is an error."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from review.app import create_app
from sinks.servers import redis_client

pytestmark = pytest.mark.faults


def health(console_config: Any, store: Any, users: Any, client: redis.Redis) -> tuple[int, dict[str, Any]]:
    app = create_app(console_config, store, users=users, secret=uuid.uuid4().hex, redis=client)
    with TestClient(app) as web:
        answer = web.get("/api/health")
    return answer.status_code, answer.json()


def test_health_names_mongo_and_redis(console_config: Any, store: Any, users: Any, redis_url: str) -> None:
    status, body = health(console_config, store, users, redis_client(redis_url))
    assert status == 200 and body["mongo"] == "ok" and body["redis"] == "ok"
    status, body = health(console_config, store, users, redis_client("redis://127.0.0.1:1/0"))
    assert status == 503 and body["status"] == "error" and body["mongo"] == "ok"
    assert body["redis"].startswith("error: ")
