"""The 类案分析 page in the real Chromium against a live console on a generated year of leads."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from civicwatch.config import Config
from review.app import create_app
from sinks.mongo import Store
from sinks.users import UserStore
from tests.leadgen import LeadGenerator, seeded_year
from tests.review.conftest import PASSWORD, USERS
from tests.review.test_review_browser import SCREENSHOTS, ConsoleServer, browser, sign_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
WEEK = "2026-W48"


@pytest.fixture
def year_console(
    mongo_uri: str, console_config: Config
) -> Iterator[tuple[ConsoleServer, Store, LeadGenerator]]:
    name, generator = seeded_year(mongo_uri, console_config)
    store = Store(mongo_uri, name)
    own = f"ccb_users_{uuid.uuid4().hex[:8]}"
    users = UserStore(store.db.client[own])
    for user, role in USERS.items():
        users.add(user, role, PASSWORD)
    app = create_app(
        console_config, store, users=users, now=lambda: generator.now, secret="ccb-" + uuid.uuid4().hex
    )
    with ConsoleServer(app) as server:
        yield server, store, generator
    store.db["suggestions"].delete_many({})  # the shared year's leads stay as they were
    store.db.client.drop_database(own)


@pytest.fixture
def cc_page(browser: Any, year_console: tuple[ConsoleServer, Store, LeadGenerator]) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(
        base_url=year_console[0].url,
        viewport={"width": 1366, "height": 768},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    page = context.new_page()
    page.set_default_timeout(60_000)  # the page aggregates a year on the embedded server
    page.csp_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text))
    yield page
    page.close()
    context.close()


def test_viewer_reads_the_class_cases_and_drills_down(
    cc_page: Any, year_console: tuple[ConsoleServer, Store, LeadGenerator]
) -> None:
    page, plan = cc_page, year_console[2].plan
    sign_in(page, "vic")
    page.click("nav >> text=类案分析")
    page.wait_for_url("**/classcases")
    page.goto(f"/classcases?week={WEEK}&weeks=8")
    rows = page.locator("tr.case-row")
    assert {rows.nth(i).get_attribute("data-case") for i in range(3)} == set(plan.cases)
    assert page.locator("svg.chart.stacked rect").count() > 20  # the weekly chart drew its bars
    assert page.locator("svg.chart.rates rect").count() > 5
    assert (
        page.locator("#recurrences tr.recur-row").first.get_attribute("data-resolved")
        == plan.recurrence_resolved
    )
    top = page.locator("#cases tr.case-row").first
    box = top.bounding_box()
    assert box and box["y"] + box["height"] < 768, "the top case is visible without scrolling at 1366×768"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366, "no horizontal scrolling"
    page.screenshot(path=str(SCREENSHOTS / "classcases.png"))
    assert not page.csp_errors, page.csp_errors

    shown = int(top.locator("a.num-link").first.inner_text())
    top.locator("a.num-link").first.click()
    page.wait_for_url("**/classcases/leads?**")
    assert int(page.inner_text("#drill-count")) == shown
    assert page.locator("#drill tr.lead-row").count() == min(shown, 200)

    page.go_back()
    segment = page.locator("svg.chart.stacked a").first  # a bar segment of the weekly chart
    label = segment.locator("title").text_content() or ""
    segment.click()
    page.wait_for_url("**/classcases/leads?**")
    assert page.inner_text("#drill-count") == re.search(r"：(\d+) 条", label).group(1)


def test_admin_raises_a_suggestion_from_a_case(
    cc_page: Any, year_console: tuple[ConsoleServer, Store, LeadGenerator]
) -> None:
    page, store = cc_page, year_console[1]
    sign_in(page, "ada")
    page.goto(f"/classcases?week={WEEK}&weeks=8")
    page.locator('tr.case-row[data-case="item:AQ02:福田区:沙头街道"] td.title a').click()
    page.wait_for_url("**/classcases/case?**")
    assert "电动车" in page.inner_text("#case-title")
    assert page.input_value("#suggest-department") == "YJ"  # the case's department, preselected
    assert "沙头街道" in page.input_value("#suggest-problem")
    page.fill("#suggest-action", "请对沙头街道城中村开展电动车充电专项整治，增设集中充电设施。")
    page.fill("#suggest-deadline", "2026-12-31")
    page.click("#suggest-form button[type=submit]")
    page.wait_for_url("**/classcases/case?**")
    assert "治理建议" in page.inner_text(".flash")
    row = page.locator("#suggestions tr.suggestion-row").first
    assert "应急管理局" in row.inner_text() and "已发出" in row.inner_text()
    saved = store.db["suggestions"].find_one({"document.case_key": "item:AQ02:福田区:沙头街道"})
    assert (
        saved and saved["outbox"]["state"] == "pending" and len(saved["document"]["evidence"]) == 49
    )  # every lead of the case
    assert not page.csp_errors, page.csp_errors
