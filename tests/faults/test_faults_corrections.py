"""Item 6 of issue 16: the JSON API validates corrections exactly as the console does (one function,
civicwatch.corrections, against the gazetteer and catalogue): 422 naming the field; the console
shows the same Chinese message on the form it keeps. Nothing is dispatched."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from review.app import create_app
from tests.review.conftest import login, seed_lead

pytestmark = pytest.mark.faults

# (corrections, the field named, words the message must hold)
BAD = [
    ({"district": "火星区"}, "district", "火星区」不在地名库中"),
    ({"street": "不存在街道"}, "street", "不存在街道」不在地名库中"),
    ({"district": "福田区", "street": "粤海街道"}, "street", "不属于福田区"),  # 粤海 is in 南山区
    ({"street": "沙头街道"}, "street", "不属于南山区"),  # a 福田区 street on a 南山区 lead
    ({"district": "<script>alert(1)</script>"}, "district", "不在地名库中"),
    ({"street": "<script>alert(1)</script>"}, "street", "不在地名库中"),
    ({"description": "井盖丢了<script>alert(1)</script>"}, "description", "HTML 标签"),
    ({"item": "XX99"}, "item", "XX99」不在事项目录中"),
    ({"department": "NOPE"}, "department", "NOPE」不在部门清单中"),
    ({"co_departments": "JTYS,NOPE"}, "co_departments", "NOPE」不在部门清单中"),
    ({"urgency": "soon"}, "urgency", "紧急程度只能是"),
    ({"colour": "red"}, "colour", "不能更正的字段"),
    ({"district": 42}, "district", "必须是文字"),
]
IDS = [next(iter(c)) + str(i) for i, (c, _, _) in enumerate(BAD)]


@pytest.fixture
def web(console_config: Any, store: Any, users: Any) -> Any:
    app = create_app(console_config, store, users=users, secret=uuid.uuid4().hex)
    with TestClient(app, follow_redirects=False) as client:
        yield client


def _unchanged(store: Any, lead: Any) -> None:
    stored = store.leads.find_one({"_id": lead.id})
    assert stored["state"] == "pending_review" and stored["version"] == lead.version
    assert stored.get("outbox") is None


@pytest.mark.parametrize(("corrections", "field", "words"), BAD, ids=IDS)
def test_the_api_refuses_a_bad_correction_naming_its_field(web: Any, store: Any, users: Any, console_config: Any,
                                                           corrections: dict[str, Any], field: str,
                                                           words: str) -> None:
    lead = seed_lead(store, console_config, f"c-{uuid.uuid4().hex[:6]}", "南山区粤海街道井盖丢了", item="DL02")
    answer = web.post(f"/api/leads/{lead.id}/verify", headers={"Authorization": f"Bearer {users.issue_token('alice')}"},
                      json={"expected_version": lead.version, "corrections": corrections})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field and words in answer.json()["detail"]
    _unchanged(store, lead)


@pytest.mark.parametrize(("corrections", "field", "words"),
                         [b for b in BAD if b[1] not in ("colour",) and not isinstance(b[0].get("district"), int)],
                         ids=[i for i, b in zip(IDS, BAD, strict=True)
                              if b[1] not in ("colour",) and not isinstance(b[0].get("district"), int)])
def test_the_console_shows_the_apis_message_and_keeps_the_form(web: Any, store: Any, users: Any,
                                                               console_config: Any, corrections: dict[str, Any],
                                                               field: str, words: str) -> None:
    lead = seed_lead(store, console_config, f"f-{uuid.uuid4().hex[:6]}", "南山区粤海街道井盖丢了", item="DL02")
    api = web.post(f"/api/leads/{lead.id}/verify", headers={"Authorization": f"Bearer {users.issue_token('bob')}"},
                   json={"expected_version": lead.version, "corrections": corrections})
    token = login(web, "alice")
    typed = "南山区粤海街道井盖丢了，已有两天，晚上很危险"
    form = {"csrf_token": token, "expected_version": str(lead.version), "district": "南山区", "street": "粤海街道",
            "item": "DL02", "urgency": "urgent", "description": typed, **corrections}
    page = web.post(f"/leads/{lead.id}/verify", data=form)
    assert page.status_code == 400
    shown = re.search(r'id="action-error">(.*?)</p>', page.text, re.S)
    assert shown, page.text[:2000]
    assert html.unescape(shown.group(1)) == api.json()["detail"] and words in html.unescape(shown.group(1))
    assert "<script>alert" not in page.text  # escaped wherever it is shown
    if field != "description":
        assert html.escape(typed, quote=False) in page.text  # the form keeps what was typed
    _unchanged(store, lead)


def test_a_good_correction_still_goes_through_the_api(web: Any, store: Any, users: Any, console_config: Any) -> None:
    lead = seed_lead(store, console_config, "ok1", "福田区沙头街道井盖丢了", item="DL02", district="福田区",
                     street="沙头街道")
    answer = web.post(f"/api/leads/{lead.id}/verify", headers={"Authorization": f"Bearer {users.issue_token('alice')}"},
                      json={"expected_version": lead.version,
                            "corrections": {"district": "南山区", "street": "粤海街道", "co_departments": ["GA"]}})
    assert answer.status_code == 200, answer.text
    order = answer.json()["work_order"]
    assert (order["district"], order["street"], order["co_departments"]) == ("南山区", "粤海街道", ["GA"])
