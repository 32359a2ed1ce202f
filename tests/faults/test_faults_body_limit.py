"""Item 6 of issue 16 (part): request bodies are capped; a 20 MB reason is a 413 saying the limit,
not a 500, and the lead does not grow."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from review.app import create_app
from review.limits import MAX_BODY_BYTES
from tests.review.conftest import seed_lead

pytestmark = pytest.mark.faults


def test_a_huge_reason_is_413_and_changes_nothing(console_config: Any, store: Any, users: Any) -> None:
    lead = seed_lead(store, console_config, "big1", "福田区梅林街道井盖丢了", item="DL02")
    headers = {"Authorization": f"Bearer {users.issue_token('alice')}"}
    app = create_app(console_config, store, users=users, secret=uuid.uuid4().hex)
    with TestClient(app, raise_server_exceptions=False) as web:
        answer = web.post(f"/api/leads/{lead.id}/reject", headers=headers,
                          json={"expected_version": lead.version, "reason": "广告" * (10 << 20)})
        assert answer.status_code == 413
        assert f"{MAX_BODY_BYTES // 1024} KB" in answer.json()["error"]
        chunked = web.post(f"/api/leads/{lead.id}/reject", headers={**headers, "content-type": "application/json"},
                           content=iter([b'{"expected_version": 0, "reason": "', b"x" * (MAX_BODY_BYTES + 1), b'"}']))
        assert chunked.status_code == 413
    stored = store.leads.find_one({"_id": lead.id})
    assert stored["state"] == lead.state and stored["version"] == lead.version
