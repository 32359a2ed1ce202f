"""The JSON API and the dashboard on real servers."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from civicwatch.clock import now_shanghai
from civicwatch.models import LeadState, work_order_json_schema
from review.app import create_app
from tests.review.conftest import login, seed_lead


def bearer(users: Any, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {users.issue_token(name)}"}


def test_token_required_and_roles_enforced(client: TestClient, store: Any, users: Any, console_config: Any) -> None:
    lead = seed_lead(store, console_config, "a1", "福田区梅林街道井盖丢了", item="DL02", urgency="urgent")
    assert client.get("/api/leads").status_code == 401
    assert client.get("/api/leads", headers={"Authorization": "Bearer nope"}).status_code == 401
    viewer = bearer(users, "vic")
    listed = client.get("/api/leads?state=pending_review", headers=viewer).json()["leads"]
    assert [x["_id"] for x in listed] == [lead.id]
    r = client.post(f"/api/leads/{lead.id}/verify", headers=viewer, json={"expected_version": lead.version})
    assert r.status_code == 403


def test_verify_reject_merge_follow_the_console_rules(client: TestClient, store: Any, users: Any,
                                                      console_config: Any, app: Any) -> None:
    a = seed_lead(store, console_config, "b1", "路灯坏了一个星期", item="CS04")
    b = seed_lead(store, console_config, "b2", "同一条路路灯还是不亮", item="CS04")
    c = seed_lead(store, console_config, "b3", "广告", item="CS04")
    h = bearer(users, "alice")
    r = client.post(f"/api/leads/{a.id}/verify", headers=h,
                    json={"expected_version": a.version, "corrections": {"item": "DL04"}})
    assert r.status_code == 200 and r.json()["work_order"]["department"] == "JTYS"
    assert store.db["leads"].find_one({"_id": a.id})["outbox"]["state"] == "pending"
    again = client.post(f"/api/leads/{a.id}/verify", headers=h, json={"expected_version": a.version})
    assert again.status_code == 409  # stale version
    assert client.post(f"/api/leads/{c.id}/reject", headers=h, json={"expected_version": c.version,
                                                                      "reason": ""}).status_code == 422
    rej = client.post(f"/api/leads/{c.id}/reject", headers=h, json={"expected_version": c.version, "reason": "广告"})
    assert rej.status_code == 200 and rej.json()["state"] == LeadState.REJECTED
    m = client.post(f"/api/leads/{b.id}/merge", headers=h, json={"expected_version": b.version, "into": a.id})
    assert m.status_code == 200 and m.json()["merged_into"] == a.id
    assert client.get("/api/leads/lead:weibo:nope", headers=h).status_code == 404


def test_health_and_schema_need_no_token(client: TestClient) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["mongo"] == "ok" and health["outbox_pending"] == 0
    assert json.loads(client.get("/schema/workorder.json").text) == work_order_json_schema()


def test_dashboard_counts_todays_leads(store: Any, users: Any, console_config: Any) -> None:
    # A fixed clock at noon in Shanghai: "today" must not depend on when the suite runs (just
    # after midnight, a lead found 40 minutes ago belongs to yesterday).
    noon = now_shanghai().replace(hour=12, minute=0, second=0, microsecond=0)
    app = create_app(console_config, store, users=users, secret="test-secret-dashboard", now=lambda: noon)
    seed_lead(store, console_config, "c1", "停水", item="SD01", urgency="urgent", district="南山区", now=noon)
    seed_lead(store, console_config, "c2", "停水了", item="SD01", urgency="urgent", district="南山区", now=noon)
    seed_lead(store, console_config, "c3", "井盖", item="DL02", urgency="urgent", district="福田区",
              found_ago_minutes=40, now=noon)  # past its 30-minute deadline
    seed_lead(store, console_config, "c0", "停水", item="SD01", urgency="urgent", district="罗湖区",
              now=noon - timedelta(hours=13))  # yesterday evening: not today's
    with TestClient(app, follow_redirects=False) as client:
        login(client, "vic")
        page = client.get("/dashboard").text
    assert "今日态势" in page
    by_district = page.split('id="by-district"')[1].split("</table>")[0]
    assert re.search(r">南山区</a></th>.*?>2</a></td>", by_district, re.S)
    assert re.search(r">福田区</a></th>.*?>1</a></td>", by_district, re.S)
    assert "罗湖区" not in by_district
    overdue = page.split('id="overdue-leads"')[1].split("</table>")[0]
    assert re.search(r">交通运输局</a></th>.*?>1</a></td>", overdue, re.S)


def test_console_serves_the_status_event_schema(client: Any) -> None:
    r = client.get("/schema/status-event.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/schema+json")
    assert "accepted" in r.json()["properties"]["status"]["enum"]
