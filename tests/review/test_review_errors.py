"""review/app.py's one exception handler: each civicwatch exception answers with its own status,
as JSON {"detail": …} under /api/ and as a Chinese error page elsewhere; state labels are complete."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from civicwatch.exceptions import (
    CivicwatchError,
    FormInputError,
    InvalidInputError,
    LeadNotFound,
    LoginRequired,
    ServerUnavailableError,
    StaleLeadError,
    TransitionError,
    UserError,
)
from civicwatch.models import LeadState
from review.render import STATE_NAMES, TEMPLATES_DIR
from tests.review.conftest import login, seed_lead

CASES = [
    (LeadNotFound("lead:weibo:x"), 404, "线索不存在：lead:weibo:x", "lead lead:weibo:x not found"),
    (StaleLeadError("lead:weibo:x", 3), 409, "已被其他审核员处理或修改", "expected version 3"),
    (TransitionError("lead:weibo:x", "resolved", "rejected"), 409, "「已办结」不允许转为「已驳回」",
     "cannot go from resolved to rejected"),
    (InvalidInputError("unknown item 'XX'", field="item"), 422, "输入有误：unknown item", "unknown item 'XX'"),
    (FormInputError("区不在地名库中。"), 400, "输入有误：区不在地名库中。", "区不在地名库中。"),
    (UserError("user name is empty"), 422, "输入有误", "user name is empty"),
    (ServerUnavailableError("mongodb at 127.0.0.1:1 did not answer"), 503, "暂时无法连接", "did not answer"),
    (CivicwatchError("boom"), 500, "服务器出错了", "boom"),
]


@pytest.fixture
def raising_client(app: Any) -> TestClient:
    """The console with two extra routes that raise whatever `app.state.to_raise` holds."""
    def boom() -> None:
        raise app.state.to_raise

    app.add_api_route("/api/boom", boom)
    app.add_api_route("/boom", boom)
    return TestClient(app, follow_redirects=False)


@pytest.mark.parametrize(("exc", "status", "page_text", "json_detail"), CASES,
                         ids=[type(c[0]).__name__ for c in CASES])
def test_each_exception_answers_with_its_status(raising_client: TestClient, app: Any, exc: CivicwatchError,
                                                status: int, page_text: str, json_detail: str) -> None:
    assert exc.status == status
    app.state.to_raise = exc
    api = raising_client.get("/api/boom")
    assert api.status_code == status and json_detail in api.json()["detail"]
    page = raising_client.get("/boom")
    assert page.status_code == status and page.headers["content-type"].startswith("text/html")
    assert page_text in page.text and "返回队列" in page.text


def test_login_required_redirects_pages_and_answers_401_to_the_api(raising_client: TestClient, app: Any) -> None:
    app.state.to_raise = LoginRequired()
    page = raising_client.get("/boom")
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/boom"
    api = raising_client.get("/api/boom")
    assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
    assert api.json() == {"detail": "请先登录。"}
    assert raising_client.get("/api/leads").json() == {"detail": "missing or invalid token"}


def test_the_api_maps_service_errors_without_views_catching_them(client: TestClient, store: Any, users: Any,
                                                                 console_config: Any) -> None:
    lead = seed_lead(store, console_config, "e1", "停水", item="SD01")
    h = {"Authorization": f"Bearer {users.issue_token('alice')}"}
    bad = client.post(f"/api/leads/{lead.id}/verify", headers=h,
                      json={"expected_version": lead.version, "corrections": {"item": "XX99"}})
    assert bad.status_code == 422 and "XX99" in bad.json()["detail"]
    self_merge = client.post(f"/api/leads/{lead.id}/merge", headers=h,
                             json={"expected_version": lead.version, "into": lead.id})
    assert self_merge.status_code == 422
    rej = client.post(f"/api/leads/{lead.id}/reject", headers=h, json={"expected_version": lead.version,
                                                                       "reason": "广告"})
    assert rej.status_code == 200
    again = client.post(f"/api/leads/{lead.id}/reject", headers=h,
                        json={"expected_version": rej.json()["version"], "reason": "广告"})
    assert again.status_code == 409 and "cannot go from rejected to rejected" in again.json()["detail"]
    assert client.get("/api/leads?state=new", headers=h).status_code == 422  # no such state
    merge_unknown = client.post(f"/api/leads/{lead.id}/merge", headers=h,
                                json={"expected_version": rej.json()["version"], "into": "lead:weibo:nope"})
    assert merge_unknown.status_code == 404


def test_unknown_lead_page_and_unknown_path_are_chinese_error_pages(client: TestClient) -> None:
    login(client, "vic")
    missing = client.get("/leads/lead:weibo:nope")
    assert missing.status_code == 404 and "线索不存在：lead:weibo:nope" in missing.text
    nowhere = client.get("/no/such/page")
    assert nowhere.status_code == 404 and "页面不存在" in nowhere.text


def test_every_state_has_a_label_and_templates_name_only_real_states() -> None:
    assert set(STATE_NAMES) == set(LeadState)
    values = {s.value for s in LeadState}
    for template in TEMPLATES_DIR.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        # (a search form's `form.state == "open"` is its "any open state" filter, not a lead state)
        for test in re.findall(r"(?<!form\.)state(?:\.value)?\s*(?:==|!=|in)\s*(\([^)]*\)|\"[^\"]*\"|'[^']*')", text):
            named = set(re.findall(r"[\"']([a-z_]+)[\"']", test))
            assert named <= values, f"{template.name} names states the lifecycle lacks: {named - values}"
