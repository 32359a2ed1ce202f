"""Item 3 of issue 16 (the console): with MongoDB stopped, a page or an API call answers 503 with
the plain message within the short time-outs (sinks/servers.py), not a bare "Internal Server
Error"."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crawlers.embedded import free_port
from review.app import create_app
from sinks.mongo import Store
from sinks.users import UserStore

pytestmark = [pytest.mark.faults, pytest.mark.slow]


def test_pages_and_the_api_say_mongodb_is_down(console_config: Any) -> None:
    store = Store(f"mongodb://127.0.0.1:{free_port()}/", "down")  # nothing listens there
    app = create_app(console_config, store, users=UserStore.from_store(store), secret=uuid.uuid4().hex)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as web:
        token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/login").text)
        assert token
        page = web.post("/login", data={"username": "alice", "password": "x", "csrf_token": token.group(1),
                                        "next": "/"})
        assert page.status_code == 503 and "数据库或消息服务暂时无法连接" in page.text
        assert "Internal Server Error" not in page.text
        api = web.get("/api/leads", headers={"Authorization": "Bearer some-token"})
        assert api.status_code == 503 and api.json()["detail"].startswith("MongoDB is not answering (")
    store.db.client.close()
