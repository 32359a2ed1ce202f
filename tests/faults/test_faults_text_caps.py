"""Item 6 of issue 16 (stored sizes): every reason and description a reviewer stores on a lead is
capped (CIVICWATCH_REVIEW_TEXT_MAX_CHARS, 2,000 by default): a clear 422 naming the field at the
API, a clear message on the console's form, and a lead that does not grow from repeated
large reasons that pass the 256 KB body cap."""

from __future__ import annotations

import re
import uuid
from typing import Any

import bson
import pytest
from fastapi.testclient import TestClient

from civicwatch.exceptions import InvalidInputError
from review.app import create_app
from sinks.leads import LeadService
from tests.review.conftest import login, seed_lead

pytestmark = pytest.mark.faults

JUST_OVER = "楼" * 2001


@pytest.fixture
def web(console_config: Any, store: Any, users: Any) -> Any:
    app = create_app(console_config, store, users=users, secret=uuid.uuid4().hex)
    with TestClient(app, follow_redirects=False) as client:
        yield client


def _size(store: Any, lead_id: str) -> int:
    return len(bson.encode(store.leads.find_one({"_id": lead_id})))


def test_the_cap_is_the_setting(console_config: Any) -> None:
    assert console_config.settings.review_text_max_chars == 2000


def test_api_reject_and_verify_refuse_overlong_text_naming_the_field(web: Any, store: Any, users: Any,
                                                                     console_config: Any) -> None:
    lead = seed_lead(store, console_config, "cap1", "南山区粤海街道井盖丢了", item="DL02")
    headers = {"Authorization": f"Bearer {users.issue_token('alice')}"}
    before = _size(store, lead.id)
    rejected = web.post(f"/api/leads/{lead.id}/reject", headers=headers,
                        json={"expected_version": lead.version, "reason": JUST_OVER})
    assert rejected.status_code == 422 and rejected.json()["field"] == "reason"
    assert "2001 字，最多 2000 字" in rejected.json()["detail"]
    verified = web.post(f"/api/leads/{lead.id}/verify", headers=headers,
                        json={"expected_version": lead.version, "corrections": {"description": JUST_OVER}})
    assert verified.status_code == 422 and verified.json()["field"] == "description"
    assert "工单描述过长" in verified.json()["detail"]
    assert _size(store, lead.id) == before
    fits = web.post(f"/api/leads/{lead.id}/reject", headers=headers,
                    json={"expected_version": lead.version, "reason": "楼" * 2000})
    assert fits.status_code == 200 and fits.json()["history"][-1]["reason"] == "楼" * 2000


def test_repeated_large_reasons_do_not_grow_the_lead(web: Any, store: Any, users: Any, console_config: Any) -> None:
    """A reason under the body cap but far over the text cap, again and again: each is refused."""
    lead = seed_lead(store, console_config, "cap2", "南山区粤海街道路灯不亮", item="CS04")
    headers = {"Authorization": f"Bearer {users.issue_token('alice')}", "content-type": "application/json"}
    before = _size(store, lead.id)
    body = f'{{"expected_version": {lead.version}, "reason": "{"投" * 80_000}"}}'.encode()
    assert len(body) < 256 * 1024
    for _ in range(20):
        answer = web.post(f"/api/leads/{lead.id}/reject", headers=headers, content=body)
        assert answer.status_code == 422 and answer.json()["field"] == "reason"
    assert _size(store, lead.id) == before


def test_the_console_says_the_reason_is_too_long_and_keeps_the_form(web: Any, store: Any,
                                                                    console_config: Any) -> None:
    lead = seed_lead(store, console_config, "cap3", "南山区粤海街道噪音扰民", item="CS04")
    token = login(web, "alice")
    page = web.post(f"/leads/{lead.id}/reject", data={"csrf_token": token, "expected_version": str(lead.version),
                                                      "reason": JUST_OVER})
    assert page.status_code == 400
    shown = re.search(r'id="action-error">(.*?)</p>', page.text, re.S)
    assert shown and "理由过长：2001 字，最多 2000 字" in shown.group(1)
    verify = web.post(f"/leads/{lead.id}/verify", data={
        "csrf_token": token, "expected_version": str(lead.version), "district": "南山区", "street": "粤海街道",
        "item": "CS04", "urgency": "general", "description": JUST_OVER})
    assert verify.status_code == 400 and "工单描述过长" in verify.text
    assert JUST_OVER in verify.text  # the form keeps what was typed
    bulk = web.post("/search/bulk", data={"csrf_token": token, "action": "reject", "reason_text": JUST_OVER,
                                          f"pick:{lead.id}": str(lead.version)})
    assert bulk.status_code == 400 and "理由过长" in bulk.text
    assert store.leads.find_one({"_id": lead.id})["state"] == "pending_review"


def test_the_service_caps_every_reason_it_stores(store: Any, console_config: Any) -> None:
    service = LeadService(store, console_config.catalogue, text_max_chars=50)
    lead = seed_lead(store, console_config, "cap4", "南山区粤海街道垃圾没人清", item="CS04")
    with pytest.raises(InvalidInputError) as refused:
        service.reject(lead.id, actor="alice", reason="x" * 51, expected_version=lead.version)
    assert refused.value.field == "reason"
    rejected = service.reject(lead.id, actor="alice", reason="广告", expected_version=lead.version)
    with pytest.raises(InvalidInputError):
        service.reopen(lead.id, actor="alice", reason="y" * 51, expected_version=rejected.version)
    with pytest.raises(InvalidInputError) as described:
        service.verify_and_dispatch(lead.id, actor="alice", expected_version=rejected.version,
                                    corrections={"description": "z" * 51})
    assert described.value.field == "description"
    assert service.get(lead.id).version == rejected.version
