"""Console over HTTP on a real MongoDB-wire server: log-in, roles, CSRF, escaping, headers, queue."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from civicwatch.models import LeadState
from review.security import CONTENT_SECURITY_POLICY
from tests.review.conftest import PASSWORD, csrf_of, login, seed_lead

HOSTILE = '停水三天了<script>alert("x")</script><img src=x onerror="alert(2)">快来人'


def test_pages_redirect_to_login_when_signed_out(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/leads/lead:weibo:1").status_code == 303


def test_login_with_wrong_password_is_refused(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": "alice", "password": "wrong-password", "csrf_token": token})
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text
    assert client.get("/").status_code == 303


def test_login_with_unknown_user_is_refused(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": "nobody", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 401


def test_login_without_csrf_token_is_rejected(client: TestClient) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "alice", "password": PASSWORD})
    assert r.status_code == 403
    assert "CSRF" in r.text


def test_login_next_cannot_redirect_off_site(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token,
                                    "next": "//evil.example/phish"})
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_disabled_user_loses_access_at_once(client: TestClient, users: Any) -> None:
    login(client, "alice")
    users.set_disabled("alice", True)
    assert client.get("/").status_code == 303


def test_action_without_csrf_token_is_rejected(client: TestClient, store: Any, console_config: Any) -> None:
    lead = seed_lead(store, console_config, "c1", "小区停水")
    login(client, "alice")
    r = client.post(f"/leads/{lead.id}/reject", data={"reason": "广告", "expected_version": lead.version})
    assert r.status_code == 403
    r = client.post(f"/leads/{lead.id}/reject", data={"reason": "广告", "expected_version": lead.version,
                                                       "csrf_token": "forged"})
    assert r.status_code == 403
    assert store.db["leads"].find_one({"_id": lead.id})["state"] == LeadState.PENDING_REVIEW.value


def test_csrf_token_of_another_session_is_rejected(make_client: Any, store: Any, console_config: Any) -> None:
    lead = seed_lead(store, console_config, "c2", "小区停水")
    mallory, alice = make_client(), make_client()
    other_token = login(mallory, "bob")
    login(alice, "alice")
    r = alice.post(f"/leads/{lead.id}/reject", data={"reason": "x", "expected_version": lead.version,
                                                      "csrf_token": other_token})
    assert r.status_code == 403


def test_viewer_sees_leads_but_cannot_act(client: TestClient, store: Any, console_config: Any) -> None:
    lead = seed_lead(store, console_config, "v1", "路灯不亮", item="CS04")
    token = login(client, "vic")
    page = client.get(f"/leads/{lead.id}")
    assert page.status_code == 200
    assert "只读账号" in page.text and 'id="verify-form"' not in page.text
    for action, data in [("verify", {}), ("reject", {"reason": "no"}), ("merge", {"into_id": "lead:x"}),
                         ("reopen", {})]:
        r = client.post(f"/leads/{lead.id}/{action}",
                        data={**data, "expected_version": lead.version, "csrf_token": token})
        assert r.status_code == 403, action
    assert store.db["leads"].find_one({"_id": lead.id})["state"] == LeadState.PENDING_REVIEW.value


def test_hostile_post_text_is_escaped_everywhere(client: TestClient, store: Any, console_config: Any) -> None:
    lead = seed_lead(store, console_config, "x1", HOSTILE, matched=["停水"],
                     url="javascript:alert(document.cookie)")
    login(client, "alice")
    for page in (client.get("/"), client.get(f"/leads/{lead.id}")):
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "<img" not in page.text and "onerror=\"" not in page.text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
        assert "<mark>停水</mark>" in page.text
    lead_page = client.get(f"/leads/{lead.id}").text
    assert 'href="javascript:' not in lead_page and "链接已屏蔽" in lead_page


def test_source_links_open_safely(client: TestClient, store: Any, console_config: Any) -> None:
    lead = seed_lead(store, console_config, "l1", "停电了", item="SD03", url="https://m.weibo.cn/detail/l1")
    login(client, "alice")
    page = client.get(f"/leads/{lead.id}").text
    assert ('<a href="https://m.weibo.cn/detail/l1" rel="noopener noreferrer nofollow" target="_blank">'
            in page)


def test_every_response_carries_secure_headers(client: TestClient) -> None:
    for r in (client.get("/login"), client.get("/static/console.css"), client.get("/nope"), client.get("/")):
        assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
    assert "http" not in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_pages_load_no_remote_resources(client: TestClient, store: Any, console_config: Any) -> None:
    lead = seed_lead(store, console_config, "r1", "停水")
    login(client, "alice")
    for html in (client.get("/").text, client.get(f"/leads/{lead.id}").text, client.get("/login").text):
        assert 'src="http' not in html and 'href="http' not in html.replace(
            'href="https://example.org/', "")
        assert "<script>" not in html  # only <script src=/static/...>, no inline script


def test_queue_puts_urgent_first_then_least_time_left(client: TestClient, store: Any,
                                                       console_config: Any) -> None:
    seed_lead(store, console_config, "g-late", "垃圾堆积", item="CS01", urgency="general", found_ago_minutes=150)
    seed_lead(store, console_config, "g-soon", "占道经营", item="CS02", urgency="general", found_ago_minutes=100)
    seed_lead(store, console_config, "u-new", "井盖丢了", item="DL02", urgency="urgent", found_ago_minutes=1)
    seed_lead(store, console_config, "u-old", "燃气味很重", item="SD05", urgency="urgent", found_ago_minutes=20)
    login(client, "alice")
    html = client.get("/").text
    order = [html.index(f'data-lead-id="lead:weibo:{p}"') for p in ("u-old", "u-new", "g-late", "g-soon")]
    assert order == sorted(order)
    # the general lead found 150 minutes ago is past its 120-minute deadline and flagged
    row = html[html.index('data-lead-id="lead:weibo:g-late"') - 200:html.index('data-lead-id="lead:weibo:g-soon"')]
    assert "is-overdue" in row and "⚠ 超时" in row
    assert "1</strong> 条已超时" in html


def test_queue_shows_names_from_catalogue_and_duplicates(client: TestClient, store: Any,
                                                         console_config: Any) -> None:
    seed_lead(store, console_config, "n1", "停电一整天", item="SD03", platform="douyin")
    login(client, "alice")
    html = client.get("/").text
    assert "停电" in html and "供电局" in html and "抖音" in html and "南山区" in html


def test_duplicates_count_the_other_sources(client: TestClient, store: Any, console_config: Any) -> None:
    lead = seed_lead(store, console_config, "dup0", "东门步行街井盖松动", item="DL02", urgency="urgent")
    seed_lead(store, console_config, "dup1", "东门井盖松了", item="DL02", platform="tieba", dup_of="weibo:dup0")
    seed_lead(store, console_config, "dup2", "东门那个井盖", item="DL02", platform="douyin", dup_of="weibo:dup0")
    login(client, "alice")
    queue = client.get("/").text
    row = queue[queue.index(f'data-lead-id="{lead.id}"'):]
    assert '<span class="dups">+2</span>' in row[:row.index("</tr>")]
    page = client.get(f"/leads/{lead.id}").text
    assert "事件来源（3）" in page and "百度贴吧" in page and "抖音" in page


def test_queue_filters(client: TestClient, store: Any, console_config: Any) -> None:
    seed_lead(store, console_config, "f1", "停水", item="SD01", platform="weibo", district="南山区", street=None)
    seed_lead(store, console_config, "f2", "井盖", item="DL02", platform="tieba", district="福田区", street=None)
    login(client, "alice")
    by_cat = client.get("/", params={"category": "DL"}).text
    assert "lead:tieba:f2" in by_cat and "lead:weibo:f1" not in by_cat
    by_district = client.get("/", params={"district": "南山区"}).text
    assert "lead:weibo:f1" in by_district and "lead:tieba:f2" not in by_district
    by_platform = client.get("/", params={"platform": "tieba"}).text
    assert "lead:tieba:f2" in by_platform and "lead:weibo:f1" not in by_platform
    assert "没有符合条件" in client.get("/", params={"state": "rejected"}).text


def test_unknown_lead_is_a_404_page(client: TestClient) -> None:
    login(client, "alice")
    r = client.get("/leads/lead:weibo:does-not-exist")
    assert r.status_code == 404 and "线索不存在" in r.text


def test_logout_ends_the_session(client: TestClient) -> None:
    token = login(client, "alice")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/").status_code == 303


def test_repeated_wrong_passwords_lock_the_name_for_a_while(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        r = client.post("/login", data={"username": "bob", "password": "guess-guess", "csrf_token": token})
        assert r.status_code == 401
    r = client.post("/login", data={"username": "bob", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and "失败次数过多" in r.text
    login(client, "alice")  # other names are unaffected
