"""The lead page shows every source's evidence; actions return to the queue the reviewer came from;
withdrawing and re-routing after 退单 through the console (TestClient on the real server)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote, unquote

from fastapi.testclient import TestClient

from civicwatch.clock import now_shanghai
from civicwatch.models import Decision, LeadState, Post, StatusEvent
from sinks.leads import LeadService
from tests.review.conftest import login, seed_lead


def record(store: Any, config: Any, pid: str, *, title: str, text: str, ip: str, dup_of: str | None = None,
           minutes_ago: int = 90) -> Any:
    now = now_shanghai()
    post = Post(platform="tieba", post_id=pid, url=f"https://tieba.baidu.com/p/{pid}", author="某网友",
                title=title, text=text, published_at=now - timedelta(minutes=minutes_ago), fetched_at=now,
                ip_region=ip)
    decision = Decision(platform="tieba", post_id=pid, is_lead=True, district="南山区", street="粤海街道",
                        category="DL", item="DL02", department="JTYS", urgency="urgent", text_masked=text,
                        matched=["井盖"], dup_of=dup_of)
    lead, _ = LeadService(store, config.catalogue).record(post, decision, text_masked=text, title_masked=title,
                                                          author_hash="a1b2c3d4e5f6a7b8", now=now)
    return lead


def test_every_source_shows_title_text_age_author_hash_and_ip_region(client: TestClient, store: Any,
                                                                    console_config: Any) -> None:
    lead = record(store, console_config, "t1", title="科技园井盖丢了", text="路口那个没了，晚上很危险", ip="广东")
    record(store, console_config, "t2", title="回复：井盖", text="138****5678 说还没人来修", ip="湖南",
           dup_of="tieba:t1", minutes_ago=30)
    login(client, "alice")
    html = client.get(f"/leads/{lead.id}").text
    assert 'id="post-title">科技园<mark>井盖</mark>丢了' in html  # the hit word is in the title
    assert "138****5678 说还没人来修" in html  # the other source's masked text
    assert "1 小时前" in html and "30 分钟前" in html
    assert "a1b2c3d4e5" in html and "某网友" not in html  # the author only hashed
    assert "IP属地 广东" in html and "IP属地 湖南" in html
    assert "北京时间" in html


def test_an_action_returns_to_the_queue_with_its_filters(client: TestClient, store: Any,
                                                         console_config: Any) -> None:
    lead = seed_lead(store, console_config, "b1", "低价转让二手空调", item="XF02", district="福田区", street=None)
    token = login(client, "alice")
    back = "/?district=福田区&page=1"
    page = client.get(f"/leads/{lead.id}?back={quote(back)}").text
    assert 'href="/?district=福田区&amp;page=1" id="back-link"' in page
    assert 'name="back" value="/?district=福田区&amp;page=1"' in page
    r = client.post(f"/leads/{lead.id}/reject", data={"csrf_token": token, "expected_version": lead.version,
                                                       "reason": "广告", "back": back})
    assert r.status_code == 303 and unquote(r.headers["location"]) == back
    other = seed_lead(store, console_config, "b2", "广告", item="XF02")
    r = client.post(f"/leads/{other.id}/reject", data={"csrf_token": token, "expected_version": other.version,
                                                        "reason": "广告", "back": "https://evil.example/"})
    assert r.headers["location"] == "/"


def test_withdraw_from_the_console_within_the_window(client: TestClient, store: Any, console_config: Any,
                                                     app: Any) -> None:
    lead = seed_lead(store, console_config, "w1", "井盖丢了", item="DL02", urgency="urgent")
    token = login(client, "alice")
    client.post(f"/leads/{lead.id}/verify", data={"csrf_token": token, "expected_version": lead.version})
    dispatched = app.state.leads.get(lead.id)
    page = client.get(f"/leads/{lead.id}").text
    assert 'id="withdraw-form"' in page and "10 分钟内" in page
    r = client.post(f"/leads/{lead.id}/withdraw", data={"csrf_token": token,
                                                         "expected_version": dispatched.version})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/leads/{quote(lead.id, safe='')}")
    back = app.state.leads.get(lead.id)
    assert back.state == LeadState.PENDING_REVIEW and back.outbox.kind == "withdrawn"


def test_after_a_return_the_form_offers_department_and_co_handlers(client: TestClient, store: Any,
                                                                   console_config: Any, app: Any) -> None:
    lead = seed_lead(store, console_config, "rr1", "工地夜间施工噪声", item="HJ01")
    service = app.state.leads
    order = service.verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version)
    service.apply_status(StatusEvent(event_id="ev-rr1", service_request_id=order.service_request_id,
                                     status="returned", at=now_shanghai(), reason="应由住建局处理"))
    token = login(client, "alice")
    returned = service.get(lead.id)
    page = client.get(f"/leads/{lead.id}").text
    assert 'id="reroute"' in page and 'name="co_department_CG"' in page
    r = client.post(f"/leads/{lead.id}/verify", data={"csrf_token": token, "expected_version": returned.version,
                                                       "department": "ZJ", "co_department_CG": "1"})
    assert r.status_code == 303, r.text
    again = service.get(lead.id)
    assert again.outbox.document["department"] == "ZJ" and again.outbox.document["co_departments"] == ["CG"]
