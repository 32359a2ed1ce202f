"""A reviewer's working day in the real Chromium against uvicorn and the real servers: urgent leads
first behind a large backlog, the queue updating itself, keyboard focus, filters kept."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from review.app import create_app
from tests.review.conftest import seed_lead
from tests.review.test_review_browser import CHROMIUM_ARGS, SCREENSHOTS, ConsoleServer, sign_in

pytestmark = pytest.mark.browser
SCREEN = {"width": 1366, "height": 768}  # the reviewers' screens


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(console_config: Any, store: Any, users: Any) -> Any:
    app = create_app(console_config, store, users=users, secret="browser-" + uuid.uuid4().hex)
    app.state.live_poll_ms = 300  # poll fast so the test does not wait 5 s
    return app


@pytest.fixture
def tab(chromium: Any, live_app: Any) -> Iterator[Any]:
    with ConsoleServer(live_app) as server:
        context = chromium.new_context(base_url=server.url, viewport=SCREEN, locale="zh-CN",
                                       timezone_id="Asia/Shanghai")
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        page.close()  # pages before contexts
        context.close()


def test_urgent_leads_first_behind_a_large_overdue_backlog(tab: Any, store: Any, console_config: Any) -> None:
    for i in range(210):
        seed_lead(store, console_config, f"bg{i}", f"小区垃圾堆了好几天没人清运 {i}", item="CS01",
                  urgency="general", found_ago_minutes=500 - i, district="宝安区", street=None)
    for i in range(27):
        seed_lead(store, console_config, f"bu{i}", f"路口井盖不见了，很危险 {i}", item="DL02", urgency="urgent",
                  found_ago_minutes=i, matched=["井盖", "危险"])
    sign_in(tab, "alice")
    rows = tab.locator("tr.lead-row")
    assert rows.count() == 50
    assert [rows.nth(i).get_attribute("data-urgent") for i in range(27)] == ["1"] * 27
    assert rows.nth(27).get_attribute("data-urgent") == "0"
    assert tab.inner_text("#lead-count") == "237" and tab.inner_text("#urgent-count") == "27"
    assert tab.inner_text("#overdue-count") == "210"
    assert tab.title().startswith("(27) 待核实队列")
    tab.screenshot(path=str(SCREENSHOTS / "queue.png"))
    tab.keyboard.press("n")
    tab.wait_for_url("**/?page=2")
    assert tab.locator("tr.lead-row").first.get_attribute("data-urgent") == "0"


def test_the_queue_updates_itself_when_a_crawl_adds_an_urgent_lead(tab: Any, store: Any,
                                                                    console_config: Any) -> None:
    seed_lead(store, console_config, "lg1", "楼下烧烤油烟太大", item="HJ07", urgency="general", found_ago_minutes=3)
    sign_in(tab, "alice")
    assert tab.locator("tr.lead-row").count() == 1
    tab.evaluate("window.__notReloaded = true")
    assert not tab.is_checked("#sound-toggle")  # the sound is off unless chosen
    # what the crawl's store pipeline does: LeadService.record
    urgent = seed_lead(store, console_config, "lu1", "燃气泄漏味道很重，整栋楼都闻到了", item="SD05", urgency="urgent")
    tab.wait_for_selector(f'tr.lead-row[data-lead-id="{urgent.id}"]')
    assert tab.evaluate("window.__notReloaded") is True
    assert tab.locator("tr.lead-row").first.get_attribute("data-lead-id") == urgent.id
    assert tab.inner_text("#lead-count") == "2"
    tab.wait_for_function("document.title.startsWith('(1) ')")
