"""The 类案分析 pages on a generated year of leads (tests/leadgen.py) in the real embedded server."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from civicwatch.config import Config
from review.app import create_app
from sinks.mongo import Store
from sinks.users import UserStore
from tests.leadgen import LeadGenerator, seeded_year
from tests.review.conftest import PASSWORD, USERS, csrf_of, login

pytestmark = pytest.mark.slow  # on a generated year of leads

WEEK = "2026-W48"


@pytest.fixture(scope="module")
def year(mongo_uri: str, console_config: Config) -> Iterator[tuple[Store, LeadGenerator]]:
    name, generator = seeded_year(mongo_uri, console_config)
    # the page reads the shared year; users and suggestions live in a database of this module's own
    yield Store(mongo_uri, name), generator


@pytest.fixture
def year_client(year: tuple[Store, LeadGenerator], console_config: Config) -> Iterator[TestClient]:
    store, generator = year
    own = f"cc_users_{uuid.uuid4().hex[:8]}"
    users = UserStore(store.db.client[own])
    for name, role in USERS.items():
        users.add(name, role, PASSWORD)
    app = create_app(console_config, store, users=users, now=lambda: generator.now,
                     secret="cc-" + uuid.uuid4().hex)
    with TestClient(app, follow_redirects=False) as c:
        yield c
    store.db.client.drop_database(own)


def page(client: TestClient, path: str = "/classcases", **params: Any) -> str:
    r = client.get(path + ("?" + urlencode(params) if params else ""))
    assert r.status_code == 200, r.text[:500]
    return r.text


def case_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="case-row" data-case="([^"]+)"', html)


def drill_count(client: TestClient, href: str) -> int:
    html = page(client, href.replace("&amp;", "&"))
    m = re.search(r'id="drill-count">(\d+)<', html)
    assert m, html[:300]
    return int(m.group(1))


def test_the_three_planted_problems_are_on_top(year_client: TestClient, year: tuple[Store, LeadGenerator]) -> None:
    login(year_client, "vic")  # a viewer may read
    html = page(year_client, week=WEEK, weeks=8)
    rows = case_rows(html)
    assert set(rows[:3]) == set(year[1].plan.cases), rows
    assert "类案分析" in html and "<svg" in html


def test_the_recurrence_after_resolution_is_flagged(year_client: TestClient,
                                                    year: tuple[Store, LeadGenerator]) -> None:
    plan = year[1].plan
    login(year_client, "vic")
    html = page(year_client, week=WEEK, weeks=8)
    flagged = re.findall(r'<tr class="recur-row" data-resolved="([^"]+)"', html)
    assert flagged[0] == plan.recurrence_resolved
    case = page(year_client, "/classcases/case", key="item:PS02:罗湖区:东门街道", week=WEEK, weeks=8)
    table = case.split('id="case-recurrence-table"')[1].split("</table>")[0]
    for lead_id in plan.recurrence_leads:
        assert lead_id.replace(":", "%3A") in table
    assert plan.late_return.replace(":", "%3A") not in table  # 41 days after: not a recurrence


def test_every_number_drills_down_to_as_many_leads(year_client: TestClient) -> None:
    login(year_client, "vic")
    html = page(year_client, week=WEEK, weeks=8)
    links = re.findall(r'<a class="num-link" href="([^"]+)"[^>]*>(\d+)</a>', html)
    assert len(links) > 50
    # every case's count, a spread of the heat table's and departments' numbers
    sample = links[:12] + links[12::15]
    for href, shown in sample:
        assert drill_count(year_client, href) == int(shown), href


def test_filters_by_district_and_category(year_client: TestClient) -> None:
    login(year_client, "vic")
    futian = case_rows(page(year_client, week=WEEK, weeks=8, district="福田区"))
    assert futian and all(":福田区:" in key for key in futian)
    assert futian[0] == "item:AQ02:福田区:沙头街道"
    xf = case_rows(page(year_client, week=WEEK, weeks=8, category="XF"))
    assert xf[0] == "item:XF01:龙岗区:*"
    assert all(k.startswith("item:XF") or k.startswith("category:XF") for k in xf)


def test_a_shorter_period_still_finds_the_recent_problems(year_client: TestClient) -> None:
    login(year_client, "vic")
    rows = case_rows(page(year_client, week=WEEK, weeks=4))
    assert {"item:XF01:龙岗区:*", "item:AQ02:福田区:沙头街道", "item:HJ01:南山区:粤海街道"} <= set(rows[:4])


@pytest.mark.parametrize("params", [{"week": "2026-48"}, {"weeks": "7"}])
def test_a_bad_period_is_a_400(year_client: TestClient, params: dict[str, str]) -> None:
    login(year_client, "vic")
    r = year_client.get("/classcases?" + urlencode(params))
    assert r.status_code == 400
    assert "时间段无效" in r.text


def test_the_page_needs_a_login(year_client: TestClient) -> None:
    r = year_client.get("/classcases")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_no_remote_resource_and_no_inline_style(year_client: TestClient) -> None:
    login(year_client, "vic")
    html = page(year_client, week=WEEK, weeks=8)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert " style=" not in html and "<style" not in html  # the CSP allows neither


def test_only_an_admin_raises_a_suggestion(year_client: TestClient) -> None:
    token = login(year_client, "vic")
    form = {"csrf_token": token, "key": "item:AQ02:福田区:沙头街道", "week": WEEK, "weeks": "8",
            "department": "YJ", "problem": "p", "requested_action": "a", "deadline": "2026-12-31"}
    assert year_client.post("/classcases/case/suggest", data=form).status_code == 403
    case = page(year_client, "/classcases/case", key="item:AQ02:福田区:沙头街道", week=WEEK, weeks=8)
    assert 'id="suggest-form"' not in case
    year_client.cookies.clear()
    token = login(year_client, "ada")
    assert year_client.post("/classcases/case/suggest", data={**form, "csrf_token": "forged"}).status_code == 403
    case = page(year_client, "/classcases/case", key="item:AQ02:福田区:沙头街道", week=WEEK, weeks=8)
    assert 'id="suggest-form"' in case and csrf_of(case) == token


def test_drill_down_rejects_bad_filters(year_client: TestClient) -> None:
    login(year_client, "vic")
    for query in ({"from": "2026-W48", "to": "2026-W40"}, {"from": "x", "to": "2026-W48"},
                  {"from": "2026-W40", "to": "2026-W48", "metric": "drop"}):
        assert year_client.get("/classcases/leads?" + urlencode(query)).status_code == 400


def test_an_unknown_case_is_a_404(year_client: TestClient) -> None:
    login(year_client, "vic")
    assert year_client.get("/classcases/case?key=nonsense").status_code == 404
    assert year_client.get("/classcases/case?" + urlencode({"key": "item:XX99:南山区:*"})).status_code == 404
