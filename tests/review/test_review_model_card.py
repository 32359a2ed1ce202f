"""The dashboard names the model in use and how often reviewers agreed with it over 7 days,
counted from the examples the console's own verify and reject left (sinks/examples.py) on the
leads that model decided."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from civicwatch.config import Config
from tests.review.conftest import login, seed_lead


def test_dashboard_shows_the_model_and_the_reviewers_agreement(client: TestClient, store: Any, users: Any,
                                                               console_config: Config) -> None:
    auth = {"Authorization": f"Bearer {users.issue_token('alice')}"}
    model = console_config.model
    in_use = model.version if model else "keywords-only"
    leads = [seed_lead(store, console_config, f"m{i}", f"南山区粤海街道第{i}个井盖丢了", model_version=in_use)
             for i in range(4)]
    older = seed_lead(store, console_config, "old", "南山区粤海街道路灯坏了", model_version="ngram-older")
    r = client.post(f"/api/leads/{older.id}/reject", json={"expected_version": older.version, "reason": "不在深圳"},
                    headers=auth)
    assert r.status_code == 200, r.text
    for lead in leads[:1]:
        r = client.post(f"/api/leads/{lead.id}/reject", json={"expected_version": lead.version, "reason": "广告或营销"},
                        headers=auth)
        assert r.status_code == 200, r.text
    for lead in leads[1:3]:
        r = client.post(f"/api/leads/{lead.id}/verify", json={"expected_version": lead.version, "corrections": {}},
                        headers=auth)
        assert r.status_code == 200, r.text
    login(client, "vic")
    page = client.get("/dashboard").text
    version = re.search(r'id="model-version">([^<]+)<', page)
    assert version and version.group(1) == (model.version if model else "仅关键词（无模型）")
    agreement = re.sub(r"\s+", " ", re.search(r'id="model-agreement">(.*?)</p>', page, re.S).group(1))
    assert "近 7 日审核 <strong>3</strong> 条（驳回 1）" in agreement
    assert 'id="agree-lead">67%<' in agreement and 'id="agree-item">100%<' in agreement
    assert "另有 1 条由其他模型版本判定" in agreement  # the older model's lead is not counted
