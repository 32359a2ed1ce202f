"""Search over stored leads and posts, CSV and Excel export of the result, bulk reject and merge,
and the API's `q` (TestClient on the real server)."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from civicwatch.models import LeadState
from tests.review.conftest import login, seed_lead


def seed(store: Any, config: Any) -> dict[str, Any]:
    return {
        "a": seed_lead(store, config, "s1", "科技园路口井盖不见了", item="DL02", urgency="urgent"),
        "b": seed_lead(store, config, "s2", "井盖松动，车一过就响", item="DL02", urgency="general"),
        "c": seed_lead(store, config, "s3", "=HYPERLINK(\"http://x\") 小区停水", item="SD01"),
    }


def test_search_finds_stored_leads_by_words_and_filters(client: TestClient, store: Any,
                                                        console_config: Any) -> None:
    leads = seed(store, console_config)
    login(client, "vic")
    html = client.get("/search?q=井盖").text
    assert 'id="search-total">2<' in html
    assert leads["a"].id in html and leads["b"].id in html and leads["c"].id not in html
    assert 'id="search-total">1<' in client.get("/search?q=井盖&urgency=urgent").text
    assert 'id="search-total">0<' in client.get("/search?q=井盖&state=rejected").text
    assert 'id="search-total">3<' in client.get("/search?state=pending_review").text
    assert 'id="search-total">0<' in client.get("/search?state=pending_review&until=2000-01-01").text
    assert 'id="bulk-form"' in html and 'id="bulk-reject"' not in html  # a viewer gets no bulk actions


def test_export_csv_and_excel_of_the_filtered_list(client: TestClient, store: Any, console_config: Any) -> None:
    leads = seed(store, console_config)
    login(client, "alice")
    r = client.get("/search/export.csv?q=停水")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "线索编号" and len(rows) == 2
    assert rows[1][0] == leads["c"].id and rows[1][12].startswith("'=HYPERLINK")  # never a formula
    x = client.get("/search/export.xlsx?q=井盖")
    sheet = load_workbook(io.BytesIO(x.content)).active
    values = list(sheet.values)
    assert values[0][3] == "发现时间（北京时间）" and {v[0] for v in values[1:]} == {leads["a"].id, leads["b"].id}


def test_bulk_reject_with_a_preset_reason_and_bulk_merge(client: TestClient, store: Any,
                                                         console_config: Any) -> None:
    leads = seed(store, console_config)
    token = login(client, "alice")
    reason = console_config.settings.reject_reasons[0]
    r = client.post("/search/bulk", data={"csrf_token": token, "action": "reject", "reason": reason,
                                          "back": "/search?q=井盖",
                                          f"pick:{leads['a'].id}": leads["a"].version,
                                          f"pick:{leads['c'].id}": leads["c"].version + 1})  # stale: skipped
    assert r.status_code == 303 and r.headers["location"].startswith("/search")
    assert store.db["leads"].find_one({"_id": leads["a"].id})["history"][-1]["reason"] == reason
    assert store.db["leads"].find_one({"_id": leads["c"].id})["state"] == LeadState.PENDING_REVIEW.value
    assert "1 条已被他人处理" in client.get("/search?q=井盖").text
    r = client.post("/search/bulk", data={"csrf_token": token, "action": "merge", "into": leads["b"].id,
                                          f"pick:{leads['c'].id}": leads["c"].version,
                                          f"pick:{leads['b'].id}": leads["b"].version})
    assert store.db["leads"].find_one({"_id": leads["c"].id})["merged_into"] == leads["b"].id
    assert store.db["leads"].find_one({"_id": leads["b"].id})["state"] == LeadState.PENDING_REVIEW.value


def test_api_honours_q(client: TestClient, store: Any, console_config: Any, users: Any) -> None:
    leads = seed(store, console_config)
    token = users.issue_token("vic")
    r = client.get("/api/leads", params={"q": "井盖", "limit": 1}, headers={"Authorization": f"Bearer {token}"})
    body = r.json()
    assert body["total"] == 2 and len(body["leads"]) == 1
    assert body["leads"][0]["_id"] in {leads["a"].id, leads["b"].id}
