"""The live queue's poll: 304 while nothing changed, the fresh rows and title once a lead arrives."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.review.conftest import login, seed_lead


def test_poll_answers_304_until_a_lead_arrives(client: TestClient, store: Any, console_config: Any) -> None:
    seed_lead(store, console_config, "g1", "垃圾堆积", item="CS01", urgency="general", found_ago_minutes=5)
    login(client, "alice")
    page = client.get("/?district=南山区").text
    etag = re.search(r'data-etag="([^"]+)"', page).group(1).replace("&#34;", '"')
    assert 'data-live-url="/queue/live?district=%E5%8D%97%E5%B1%B1%E5%8C%BA"' in page
    url = "/queue/live?district=南山区"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    urgent = seed_lead(store, console_config, "u1", "井盖丢了", item="DL02", urgency="urgent")
    fresh = client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag
    body = fresh.json()
    assert body["title"] == "(1) 待核实队列" and body["urgent_ids"] == [urgent.id]
    assert body["html"].index(urgent.id) < body["html"].index("lead:weibo:g1")
    assert 'id="lead-count">2<' in body["html"]


def test_poll_sees_a_change_of_state(client: TestClient, store: Any, console_config: Any, app: Any) -> None:
    lead = seed_lead(store, console_config, "g2", "噪音扰民", item="CS01")
    login(client, "alice")
    etag = client.get("/queue/live").headers["etag"]
    app.state.leads.reject(lead.id, actor="bob", reason="重复", expected_version=lead.version)
    fresh = client.get("/queue/live", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and lead.id not in fresh.json()["html"]


def test_poll_needs_a_session(client: TestClient) -> None:
    assert client.get("/queue/live").status_code == 303
