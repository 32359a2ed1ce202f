"""Admin pages: refused to verifiers and viewers (403); users, the audit log and source health
for admins (TestClient on the real server)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from civicwatch.clock import now_shanghai
from sinks.health import HealthStore
from tests.review.conftest import PASSWORD, login, seed_lead

PAGES = ("/admin/users", "/admin/audit", "/admin/sources")


@pytest.mark.parametrize("name", ["alice", "vic"])
def test_admin_pages_are_refused_to_other_roles(client: TestClient, name: str) -> None:
    token = login(client, name)
    for path in PAGES:
        r = client.get(path)
        assert r.status_code == 403 and "只有管理员" in r.text
    r = client.post("/admin/users", data={"csrf_token": token, "action": "role", "name": name, "role": "admin"})
    assert r.status_code == 403
    assert 'href="/admin/users"' not in client.get("/").text  # no menu entry either


def test_admin_manages_users(client: TestClient, make_client: Any, users: Any) -> None:
    token = login(client, "ada")
    assert client.get("/admin/users").status_code == 200

    def act(**data: str) -> Any:
        return client.post("/admin/users", data={"csrf_token": token, **data})

    assert act(action="add", name="carol", role="viewer", password="carol-pass-1").status_code == 303
    assert users.get("carol").role == "viewer"
    act(action="role", name="carol", role="verifier")
    assert users.get("carol").role == "verifier"
    act(action="password", name="carol", password="carol-pass-2")
    assert users.authenticate("carol", "carol-pass-2") is not None
    assert users.authenticate("carol", "carol-pass-1") is None
    act(action="token", name="carol")
    page = client.get("/admin/users").text
    shown = page.split('id="new-token"')[1].split("<code>")[1].split("</code>")[0]
    assert users.by_token(shown).name == "carol"
    assert 'id="new-token"' not in client.get("/admin/users").text  # shown once
    act(action="disable", name="carol")
    assert users.get("carol").disabled and users.authenticate("carol", "carol-pass-2") is None
    assert act(action="disable", name="ada").status_code == 400  # not oneself
    assert act(action="add", name="dave", role="verifier", password="short").status_code == 400
    other = make_client()
    assert login(other, "alice", PASSWORD)


def test_audit_log_lists_who_did_what_across_leads(client: TestClient, store: Any, console_config: Any,
                                                   app: Any) -> None:
    a = seed_lead(store, console_config, "au1", "井盖丢了", item="DL02", urgency="urgent")
    b = seed_lead(store, console_config, "au2", "二手转让", item="XF02")
    service = app.state.leads
    service.verify_and_dispatch(a.id, actor="alice", expected_version=a.version)
    service.reject(b.id, actor="bob", reason="广告", expected_version=b.version)
    login(client, "ada")
    html = client.get("/admin/audit").text
    assert 'id="audit-total">2<' in html
    assert html.index("广告") < html.index("核实并派单")  # newest first
    assert 'id="audit-total">1<' in client.get("/admin/audit?actor=bob").text
    assert 'id="audit-total">4<' in client.get("/admin/audit?system=1").text
    old = (now_shanghai() - timedelta(days=30)).strftime("%Y-%m-%d")
    assert 'id="audit-total">0<' in client.get(f"/admin/audit?since={old}&until={old}").text


def test_source_health_shows_state_changes_backoff_and_outcomes(client: TestClient, store: Any) -> None:
    health = HealthStore(store.db)
    now = now_shanghai()
    health.record_round("weibo", at=now - timedelta(hours=2), state="ok", reason="", evidence=[], posts=12,
                        new_posts=5, errors=0, outcomes={"ok": 10, "end": 1})
    health.record_round("weibo", at=now - timedelta(minutes=5), state="degraded", reason="rate limited",
                        evidence=["HTTP 432 at /api/container"], posts=0, new_posts=0, errors=3,
                        outcomes={"rate_limited": 3})
    health.set_backoff("weibo", 600)
    login(client, "ada")
    html = client.get("/admin/sources").text
    card = html.split('data-platform="weibo"')[1]
    assert "降级" in card and "rate limited" in card and "10.0 分钟" in card
    assert "正常 → <strong>降级</strong>" in card and "HTTP 432" in card
    assert "<svg" in card and "限流 3" in card and "正常 10" in card
    assert "style=" not in html.split("<main>")[1]  # the CSP forbids inline style


def test_a_platform_that_never_succeeded_still_shows(client: TestClient, store: Any) -> None:
    HealthStore(store.db).record_round("tieba", at=now_shanghai(), state="down", reason="connection refused",
                                       evidence=[], posts=0, new_posts=0, errors=1, outcomes={"error": 1})
    login(client, "ada")
    response = client.get("/admin/sources")
    assert response.status_code == 200
    card = response.text.split('data-platform="tieba"')[1]
    assert "中断" in card and "connection refused" in card and "上次成功</dt><dd>—" in card
