"""Verifier actions through the console on real servers: correct + dispatch, reject, merge,
reopen, the optimistic-locking conflict, and returned leads."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from civicwatch.clock import now_shanghai
from civicwatch.models import LeadState, StatusEvent
from review.views.lead import STALE_MESSAGE
from tests.review.conftest import csrf_of, login, seed_lead


def state_of(store: Any, lead_id: str) -> str:
    return store.db["leads"].find_one({"_id": lead_id})["state"]


def test_verify_with_corrected_item_dispatches_to_the_catalogue_department(
        client: TestClient, store: Any, console_config: Any, app: Any) -> None:
    lead = seed_lead(store, console_config, "d1", "小区门口路灯坏了好几天，晚上很黑", item="CS04",
                     urgency="general")
    token = login(client, "alice")
    assert 'id="verify-form"' in client.get(f"/leads/{lead.id}").text
    r = client.post(f"/leads/{lead.id}/verify", data={
        "csrf_token": token, "expected_version": lead.version, "district": "南山区", "street": "粤海街道",
        "item": "DL04", "urgency": "general", "description": "小区门口天桥护栏损坏"})
    assert r.status_code == 303, r.text
    follow = client.get(r.headers["location"]).text
    assert "已核实并派单" in follow and "交通运输局" in follow  # DL04 → JTYS
    after = app.state.leads.get(lead.id)
    assert after.state == LeadState.DISPATCHED
    assert after.work_order_id
    assert after.version > lead.version
    steps = [h for h in after.history if h.actor == "alice"]
    assert steps and steps[-1].to_state == LeadState.DISPATCHED


def test_verify_rejects_a_street_outside_the_district(client: TestClient, store: Any,
                                                      console_config: Any) -> None:
    lead = seed_lead(store, console_config, "d2", "停水", item="SD01")
    token = login(client, "alice")
    r = client.post(f"/leads/{lead.id}/verify", data={
        "csrf_token": token, "expected_version": lead.version, "district": "福田区", "street": "粤海街道",
        "item": "SD01", "urgency": "urgent", "description": "停水"})
    assert r.status_code == 400 and "不属于福田区" in r.text
    assert state_of(store, lead.id) == LeadState.PENDING_REVIEW.value


def test_reject_needs_a_reason_and_records_it(client: TestClient, store: Any, console_config: Any,
                                              app: Any) -> None:
    lead = seed_lead(store, console_config, "j1", "健身卡退费难", item="XF01")
    token = login(client, "bob")
    r = client.post(f"/leads/{lead.id}/reject", data={"csrf_token": token, "expected_version": lead.version,
                                                       "reason": "   "})
    assert r.status_code == 400 and "驳回必须填写理由" in r.text
    r = client.post(f"/leads/{lead.id}/reject", data={"csrf_token": token, "expected_version": lead.version,
                                                       "reason": "商家广告，非诉求"})
    assert r.status_code == 303
    after = app.state.leads.get(lead.id)
    assert after.state == LeadState.REJECTED
    assert after.history[-1].actor == "bob" and after.history[-1].reason == "商家广告，非诉求"
    page = client.get(f"/leads/{lead.id}").text
    assert "商家广告，非诉求" in page and "bob" in page and 'id="reopen-form"' in page


def test_a_preset_reason_rejects_and_a_typed_one_wins_over_it(client: TestClient, store: Any,
                                                              console_config: Any, app: Any) -> None:
    presets = console_config.settings.reject_reasons
    first, second = (seed_lead(store, console_config, pid, "深圳湾公园晚霞很好看", item="WT01") for pid in ("p1", "p2"))
    token = login(client, "bob")
    page = client.get(f"/leads/{first.id}").text
    assert all(f'<option value="{reason}"' in page for reason in presets)
    r = client.post(f"/leads/{first.id}/reject", data={"csrf_token": token, "expected_version": first.version,
                                                        "preset": presets[4], "reason": ""})
    assert r.status_code == 303
    assert app.state.leads.get(first.id).history[-1].reason == presets[4]
    client.post(f"/leads/{second.id}/reject", data={"csrf_token": token, "expected_version": second.version,
                                                     "preset": presets[0], "reason": "只是风景照"})
    assert app.state.leads.get(second.id).history[-1].reason == "只是风景照"


def test_two_reviewers_on_one_lead_only_the_first_succeeds(make_client: Any, store: Any,
                                                           console_config: Any, app: Any) -> None:
    lead = seed_lead(store, console_config, "s1", "井盖丢了", item="DL02", urgency="urgent")
    alice, bob = make_client(), make_client()
    login(alice, "alice")
    login(bob, "bob")
    alice_page, bob_page = alice.get(f"/leads/{lead.id}").text, bob.get(f"/leads/{lead.id}").text
    seen_version = str(lead.version)
    assert f'name="expected_version" value="{seen_version}"' in alice_page
    r1 = bob.post(f"/leads/{lead.id}/reject", data={"csrf_token": csrf_of(bob_page),
                                                     "expected_version": seen_version, "reason": "重复"})
    assert r1.status_code == 303
    r2 = alice.post(f"/leads/{lead.id}/verify", data={
        "csrf_token": csrf_of(alice_page), "expected_version": seen_version, "district": "南山区",
        "street": "粤海街道", "item": "DL02", "urgency": "urgent", "description": "井盖丢了"})
    assert r2.status_code == 409
    assert STALE_MESSAGE in r2.text
    after = app.state.leads.get(lead.id)
    assert after.state == LeadState.REJECTED and after.work_order_id is None


def test_merge_into_another_lead_and_reopen(client: TestClient, store: Any, console_config: Any,
                                            app: Any) -> None:
    main = seed_lead(store, console_config, "m1", "桃园路积水", item="PS01", urgency="urgent")
    dup = seed_lead(store, console_config, "m2", "桃园路又淹了", item="PS01", urgency="urgent")
    token = login(client, "alice")
    r = client.post(f"/leads/{dup.id}/merge", data={"csrf_token": token, "expected_version": dup.version,
                                                     "into_id": main.id})
    assert r.status_code == 303
    merged = app.state.leads.get(dup.id)
    assert merged.state == LeadState.MERGED and merged.merged_into == main.id
    page = client.get(f"/leads/{dup.id}").text
    assert "已合并到" in page
    r = client.post(f"/leads/{dup.id}/reopen", data={"csrf_token": token, "expected_version": merged.version,
                                                      "reason": "不是同一处"})
    assert r.status_code == 303
    assert app.state.leads.get(dup.id).state == LeadState.PENDING_REVIEW


def test_merge_into_unknown_lead_is_refused_on_the_page_with_the_form(client: TestClient, store: Any,
                                                                        console_config: Any) -> None:
    lead = seed_lead(store, console_config, "m3", "停电")
    token = login(client, "alice")
    r = client.post(f"/leads/{lead.id}/merge", data={"csrf_token": token, "expected_version": lead.version,
                                                      "into_id": "lead:weibo:nope", "merge_q": "停电 小区"})
    assert r.status_code == 400
    assert "目标线索 lead:weibo:nope 不存在" in r.text
    assert 'value="lead:weibo:nope"' in r.text and 'value="停电 小区"' in r.text  # the form is kept
    assert state_of(store, lead.id) == LeadState.PENDING_REVIEW.value


def test_returned_lead_shows_the_dispatch_reason(client: TestClient, store: Any, console_config: Any,
                                                 app: Any) -> None:
    lead = seed_lead(store, console_config, "ret1", "工地夜间施工噪声", item="HJ01")
    service = app.state.leads
    order = service.verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version)
    # What the status back-channel does when the dispatch system answers 退单.
    assert service.apply_status(StatusEvent(event_id="ev-ret1", service_request_id=order.service_request_id,
                                            status="退单", at=now_shanghai(), reason="非本部门职责，应由城管处理"))
    assert state_of(store, lead.id) == LeadState.RETURNED.value
    login(client, "alice")
    page = client.get(f"/leads/{lead.id}").text
    assert 'id="return-reason"' in page and "派单系统退单" in page and "非本部门职责，应由城管处理" in page
    assert "lead:weibo:ret1" in client.get("/").text  # returned leads are back in the queue
