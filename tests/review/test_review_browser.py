"""The console in the real Chromium (Playwright) against uvicorn on a free port and real servers."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from civicwatch.models import LeadState
from review.app import create_app
from tests.review.conftest import PASSWORD, ROOT, seed_lead

pytestmark = pytest.mark.browser

# Screenshots go to tests/screenshots/ (ignored by git); `CIVICWATCH_UPDATE_SCREENSHOTS=1 make test`
# refreshes the ones README shows in docs/screenshots/.
SCREENSHOTS = ROOT / ("docs" if os.environ.get("CIVICWATCH_UPDATE_SCREENSHOTS") else "tests") / "screenshots"
SCREENSHOTS.mkdir(parents=True, exist_ok=True)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class ConsoleServer:
    """uvicorn in a thread on port 0; `.url` once started."""

    def __init__(self, app: Any) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ConsoleServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("console server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console(console_config: Any, store: Any, users: Any) -> Iterator[ConsoleServer]:
    app = create_app(console_config, store, users=users, secret="browser-" + uuid.uuid4().hex)
    with ConsoleServer(app) as server:
        yield server


@pytest.fixture
def page(browser: Any, console: ConsoleServer) -> Iterator[Any]:
    context = browser.new_context(base_url=console.url, viewport={"width": 1400, "height": 900},
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    page.close()  # pages before contexts
    context.close()


def sign_in(page: Any, name: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_verifier_corrects_item_and_dispatches_to_the_stream(
        page: Any, store: Any, console_config: Any, live_redis: Any) -> None:
    from sinks.leads import LeadService
    from sinks.stream import Relay

    seed_lead(store, console_config, "b-gen1", "小区垃圾三天没人清运，臭气熏天", item="CS01",
              urgency="general", found_ago_minutes=100, matched=["垃圾", "没人清运"], platform="douyin",
              district="福田区", street="华强北街道")
    seed_lead(store, console_config, "b-gen2", "网约车司机绕路多收费，投诉无门", item="JT03",
              urgency="general", found_ago_minutes=130, matched=["绕路"], platform="zhihu",
              district="宝安区", street=None)
    seed_lead(store, console_config, "b-gen3", "地铁口共享单车堆成山，轮椅都过不去", item="JT07",
              urgency="general", found_ago_minutes=40, matched=["共享单车"], platform="xiaohongshu",
              district="龙岗区", street=None)
    seed_lead(store, console_config, "b-gen4", "暴雨后小区地下车库进水了，排水泵不工作", item="PS03",
              urgency="general", found_ago_minutes=70, matched=["进水", "排水"], platform="liuyan",
              district="龙华区", street=None)
    urgent = seed_lead(store, console_config, "b-urg", "科技园路口的井盖不见了，电动车差点掉进去，太危险",
                       item="CS04", urgency="urgent", found_ago_minutes=5, matched=["井盖", "危险"])
    seed_lead(store, console_config, "b-urg-dup", "科技园那个井盖还是没人管", item="CS04", urgency="urgent",
              found_ago_minutes=2, platform="tieba", dup_of="weibo:b-urg")
    sign_in(page, "alice")
    first = page.locator("tr.lead-row").first
    assert first.get_attribute("data-lead-id") == urgent.id
    assert "selected" in (first.get_attribute("class") or "")
    assert page.locator("tr.is-overdue").count() == 1  # b-gen2: 130 min > 120 min
    page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: f"/leads/{urgent.id.replace(':', '%3A')}" in url)
    page.select_option("#item", "CS05")
    assert page.input_value("#urgency") == "general"  # urgency follows the item's SLA class
    page.select_option("#item", "DL02")  # 井盖缺失 → 交通运输局, not 城管's 路灯
    assert page.inner_text("#dept-name") == "交通运输局"
    assert page.input_value("#urgency") == "urgent"
    page.keyboard.press("v")  # selects the dispatch button and asks; Enter confirms
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    assert "已核实并派单" in page.inner_text(".flash")
    assert page.locator(f'tr[data-lead-id="{urgent.id}"]').count() == 0

    assert Relay(LeadService(store, console_config.catalogue), live_redis).relay_once() >= 1
    orders = [_document(fields) for _, fields in live_redis.xrange(console_config.settings.workorder_stream)]
    mine = [o for o in orders if o["lead_id"] == urgent.id]
    assert len(mine) == 1
    assert mine[0]["department"] == "JTYS" and mine[0]["service_code"] == "DL02"
    assert mine[0]["verified_by"] == "alice"


def _document(fields: dict[bytes, bytes]) -> dict[str, Any]:
    """The work order of one stream entry: a JSON `document` field, or flat fields."""
    if b"document" in fields:
        return json.loads(fields[b"document"])
    return {k.decode(): v.decode() for k, v in fields.items()}


def test_reviewer_rejects_with_a_reason(page: Any, store: Any, console_config: Any) -> None:
    lead = seed_lead(store, console_config, "b-rej", "低价转让二手空调，需要的私聊", item="XF02")
    sign_in(page, "bob")
    page.goto(f"/leads/{lead.id}")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reject-reason"
    page.keyboard.type("二手交易广告，不是诉求")
    page.click("#reject-button")
    page.wait_for_url("**/")
    doc = store.db["leads"].find_one({"_id": lead.id})
    assert doc["state"] == LeadState.REJECTED.value
    assert doc["history"][-1]["reason"] == "二手交易广告，不是诉求"


def test_viewer_cannot_act(page: Any, store: Any, console_config: Any) -> None:
    lead = seed_lead(store, console_config, "b-view", "楼下餐馆油烟直排", item="HJ07")
    sign_in(page, "vic")
    page.goto(f"/leads/{lead.id}")
    assert page.locator("#verify-form, #reject-form, #merge-form").count() == 0
    assert "只读账号" in page.inner_text("aside")
    page.keyboard.press("v")
    page.keyboard.press("r")
    assert store.db["leads"].find_one({"_id": lead.id})["state"] == LeadState.PENDING_REVIEW.value


def test_hostile_post_text_renders_inert(page: Any, store: Any, console_config: Any) -> None:
    hostile = ('停水了<script>window.__pwned=1;alert("x")</script>'
               '<img src=x onerror="window.__pwned=2;alert(2)"><svg onload=alert(3)>')
    lead = seed_lead(store, console_config, "b-xss", hostile, matched=["停水"], url="javascript:alert(4)")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, "alice")
    for path in ("/", f"/leads/{lead.id}"):
        page.goto(path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") is None
        assert page.locator("main img, main svg, main script").count() == 0
    assert dialogs == []
    assert "<script>" in page.inner_text("#post-text")  # shown as text

