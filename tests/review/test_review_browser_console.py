"""A reviewer's working day in the real Chromium against uvicorn and the real servers: urgent leads
first behind a large backlog, the queue updating itself, keyboard focus, filters kept."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from review.app import create_app
from tests.review.conftest import seed_lead
from tests.review.test_review_browser import SCREENSHOTS, ConsoleServer, browser, sign_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
SCREEN = {"width": 1366, "height": 768}  # the reviewers' screens


@pytest.fixture
def live_app(console_config: Any, store: Any, users: Any) -> Any:
    app = create_app(console_config, store, users=users, secret="browser-" + uuid.uuid4().hex)
    app.state.live_poll_ms = 300  # poll fast so the test does not wait 5 s
    return app


@pytest.fixture
def tab(browser: Any, live_app: Any) -> Iterator[Any]:  # noqa: F811
    with ConsoleServer(live_app) as server:
        context = browser.new_context(base_url=server.url, viewport=SCREEN, locale="zh-CN",
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
    tab.screenshot(path=str(SCREENSHOTS / "queue-urgent-first.png"))
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


def test_keyboard_reject_from_the_queue_focuses_the_reason_and_keeps_the_filters(
        tab: Any, store: Any, console_config: Any) -> None:
    seed_lead(store, console_config, "kf1", "福田这边的井盖没了", item="DL02", urgency="urgent", district="福田区",
              street=None)
    ad = seed_lead(store, console_config, "kf2", "低价出售二手空调，福田自提", item="XF02", district="福田区",
                   street=None)
    seed_lead(store, console_config, "kn1", "南山停水", item="SD01", district="南山区")
    sign_in(tab, "bob")
    tab.goto("/?district=福田区&urgency=general")
    assert tab.locator("tr.lead-row").count() == 1
    tab.keyboard.press("r")
    tab.wait_for_url("**/leads/**")
    assert tab.evaluate("document.activeElement.id") == "reject-reason"
    tab.keyboard.type("二手交易广告")
    tab.screenshot(path=str(SCREENSHOTS / "lead-reject.png"))
    tab.keyboard.press("Tab")
    tab.keyboard.press("Enter")  # the reject button, reached by keyboard
    tab.wait_for_url("**/?district=*")
    assert "district=%E7%A6%8F%E7%94%B0%E5%8C%BA" in tab.url and "urgency=general" in tab.url
    assert tab.input_value("select[name=district]") == "福田区"
    assert "已驳回" in tab.inner_text(".flash")
    assert store.db["leads"].find_one({"_id": ad.id})["state"] == "rejected"


def test_keyboard_dispatch_asks_for_confirmation_first(tab: Any, store: Any, console_config: Any) -> None:
    lead = seed_lead(store, console_config, "kv1", "科技园路口井盖不见了", item="DL02", urgency="urgent")
    sign_in(tab, "alice")
    tab.keyboard.press("v")  # from the queue: open the lead with the dispatch button focused
    tab.wait_for_url("**/leads/**")
    assert tab.evaluate("document.activeElement.id") == "verify-button"
    assert tab.is_visible("#verify-confirm")
    tab.keyboard.press("v")  # a second v does not dispatch
    tab.wait_for_timeout(300)
    assert store.db["leads"].find_one({"_id": lead.id})["state"] == "pending_review"
    tab.keyboard.press("Escape")
    assert not tab.is_visible("#verify-confirm")
    tab.keyboard.press("v")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/")
    assert "已核实并派单" in tab.inner_text(".flash")
    assert store.db["leads"].find_one({"_id": lead.id})["state"] == "dispatched"


def test_merge_by_search_and_withdraw(tab: Any, store: Any, console_config: Any) -> None:
    target = seed_lead(store, console_config, "ms1", "宝安西乡那个路灯坏了一个星期", item="CS05", district="宝安区",
                       street="西乡街道")
    dup = seed_lead(store, console_config, "ms2", "西乡路灯还是不亮", item="SD01", district="宝安区", street=None)
    sign_in(tab, "alice")
    tab.goto(f"/leads/{dup.id}")
    tab.keyboard.press("m")
    assert tab.evaluate("document.activeElement.id") == "merge-q"
    tab.keyboard.type("路灯坏了")
    tab.wait_for_selector(f'#suggestions button[data-lead-id="{target.id}"]')
    tab.screenshot(path=str(SCREENSHOTS / "lead-merge.png"))
    tab.keyboard.press("Enter")  # the first suggestion
    tab.wait_for_url("**/")
    assert store.db["leads"].find_one({"_id": dup.id})["merged_into"] == target.id

    tab.goto(f"/leads/{target.id}")
    tab.click("#verify-button")
    tab.wait_for_url("**/")
    tab.goto(f"/leads/{target.id}")
    assert tab.is_visible("#withdraw-form")
    tab.fill("#withdraw-reason", "事项选错")
    tab.click("#withdraw-button")
    tab.wait_for_selector("#verify-form")
    assert "已撤回工单" in tab.inner_text(".flash")
    doc = store.db["leads"].find_one({"_id": target.id})
    assert doc["state"] == "pending_review" and doc["outbox"]["kind"] == "withdrawn"
    tab.screenshot(path=str(SCREENSHOTS / "lead.png"), full_page=True)


def test_search_and_export(tab: Any, store: Any, console_config: Any) -> None:
    seed_lead(store, console_config, "se1", "福田梅林一村停水两天了", item="SD01", district="福田区", street="梅林街道")
    seed_lead(store, console_config, "se2", "梅林这边又停水", item="SD01", district="福田区", street="梅林街道")
    seed_lead(store, console_config, "se3", "南山路灯不亮", item="CS05")
    sign_in(tab, "alice")
    tab.click("text=搜索")
    tab.fill("#search-q", "停水")
    tab.keyboard.press("Enter")
    tab.wait_for_selector("#results")
    assert tab.inner_text("#search-total") == "2"
    assert tab.locator("#results tbody tr").count() == 2
    tab.screenshot(path=str(SCREENSHOTS / "search.png"))
    with tab.expect_download() as caught:
        tab.click("#export-csv")
    text = Path(caught.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("线索编号") and text.count("\n") == 3 and "梅林这边又停水" in text
    with tab.expect_download() as caught:
        tab.click("#export-xlsx")
    assert caught.value.suggested_filename.endswith(".xlsx")


def test_admin_pages_are_refused_to_verifiers_and_open_for_admins(tab: Any, store: Any,
                                                                  console_config: Any, live_app: Any) -> None:
    from datetime import timedelta

    from civicwatch.clock import now_shanghai
    from sinks.health import HealthStore

    now = now_shanghai()
    health = HealthStore(store.db)
    for hours_ago, state, outcomes in ((20, "ok", {"ok": 14, "end": 2}), (9, "ok", {"ok": 11, "empty": 3}),
                                       (3, "degraded", {"rate_limited": 6, "ok": 2}),
                                       (1, "degraded", {"login_required": 4})):
        for platform in ("weibo", "tieba"):
            health.record_round(platform, at=now - timedelta(hours=hours_ago), state=state if platform == "weibo"
                                else "ok", reason="限流：HTTP 432" if state != "ok" and platform == "weibo" else "",
                                evidence=["m.weibo.cn/api/container/getIndex 432"], posts=sum(outcomes.values()),
                                new_posts=3, errors=0, outcomes=outcomes if platform == "weibo" else {"ok": 9})
    health.set_backoff("weibo", 1200)
    lead = seed_lead(store, console_config, "ad1", "路灯不亮", item="CS05")
    live_app.state.leads.reject(lead.id, actor="bob", reason="重复线索", expected_version=lead.version)
    sign_in(tab, "alice")
    assert tab.locator("text=管理").count() == 0
    for path in ("/admin/users", "/admin/audit", "/admin/sources"):
        response = tab.goto(path)
        assert response.status == 403 and "只有管理员" in tab.inner_text("main")
    tab.click("button.link")  # sign out
    sign_in(tab, "ada")
    tab.click("text=管理")
    tab.wait_for_selector("#users")
    tab.screenshot(path=str(SCREENSHOTS / "admin-users.png"))
    tab.click("#admin-nav >> text=操作日志")
    assert tab.inner_text("#audit-total") == "1"
    tab.screenshot(path=str(SCREENSHOTS / "admin-audit.png"))
    tab.click("#admin-nav >> text=数据源健康")
    tab.wait_for_selector('[data-platform="weibo"] svg.chart')
    tab.screenshot(path=str(SCREENSHOTS / "admin-sources.png"), full_page=True)


def test_dashboard_cards_link_to_their_leads(tab: Any, store: Any, console_config: Any) -> None:
    tab.goto("/login")
    tab.screenshot(path=str(SCREENSHOTS / "login.png"))
    places = [("南山区", "粤海街道"), ("福田区", "华强北街道"), ("宝安区", None), ("龙岗区", None), ("龙华区", None)]
    items = [("SD01", "general"), ("DL02", "urgent"), ("CS01", "general"), ("HJ07", "general"), ("SD05", "urgent")]
    platforms = ["weibo", "douyin", "tieba", "xiaohongshu", "zhihu"]
    for i in range(40):
        district, street = places[i % 5]
        item, urgency = items[(i * 3) % 5]
        seed_lead(store, console_config, f"db{i}", f"市民反映的问题 {i}", item=item, urgency=urgency,
                  district=district, street=street, platform=platforms[(i * 7) % 5], found_ago_minutes=(i * 17) % 200)
    sign_in(tab, "vic")
    tab.click("text=今日态势")
    tab.wait_for_selector("#card-open")
    tab.screenshot(path=str(SCREENSHOTS / "dashboard.png"))
    shown = tab.inner_text("#card-urgent .value")
    tab.click("#card-urgent")
    tab.wait_for_url("**/?urgency=urgent")
    assert tab.inner_text("#lead-count") == shown
