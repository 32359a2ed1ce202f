"""Every console page in the real Chromium at a reviewer's 1366×768: it renders, needs no sideways
scrolling, shows its times labelled in one zone, and leaves a screenshot (docs/screenshots/ with
CIVICWATCH_UPDATE_SCREENSHOTS=1, shown in the README)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from civicwatch.clock import now_shanghai
from sinks.health import HealthStore
from tests.review.conftest import seed_lead
from tests.review.test_review_browser import SCREENSHOTS, ConsoleServer, browser, sign_in  # noqa: F401 (fixture)
from tests.review.test_review_browser_console import live_app, tab  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

# page name → (user, path, a selector the page must show)
PAGES = {
    "queue": ("alice", "/", "tr.lead-row"),
    "lead": ("alice", None, "#verify-form, form[action$='/verify']"),
    "search": ("alice", "/search?q=井盖", "table"),
    "dashboard": ("vic", "/dashboard", "main"),
    "admin-users": ("ada", "/admin/users", "table"),
    "admin-audit": ("ada", "/admin/audit", "table"),
    "admin-sources": ("ada", "/admin/sources", "section.source-card"),
}


@pytest.fixture
def seeded(store: Any, console_config: Any) -> str:
    seed_lead(store, console_config, "pg1", "福田区华强北燕南路口井盖不见了，晚上很危险", item="DL02",
              urgency="urgent", district="福田区", street="华强北街道", matched=["井盖", "危险"])
    seed_lead(store, console_config, "pg2", "小区垃圾三天没人清运，臭气熏天", item="CS01", found_ago_minutes=200,
              district="宝安区", street="新安街道")
    lead = seed_lead(store, console_config, "pg3", "楼下烧烤店油烟直冲窗户，每晚到十二点", item="HJ07",
                     found_ago_minutes=40)
    health, now = HealthStore(store.db), now_shanghai()
    for minutes in (50, 35, 20, 5):
        health.record_round("weibo", at=now - timedelta(minutes=minutes), state="ok", reason="ok", evidence=[],
                            posts=120, new_posts=30, errors=0, outcomes={"ok": 12})
        health.record_round("tieba", at=now - timedelta(minutes=minutes), state="degraded",
                            reason="rate_limited×2", evidence=["HTTP 429 on /f/search/res"], posts=8, new_posts=2,
                            errors=2, outcomes={"ok": 3, "rate_limited": 2})
    return lead.id


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_fits_a_1366_screen(tab: Any, seeded: str, name: str) -> None:  # noqa: F811
    user, path, selector = PAGES[name]
    sign_in(tab, user)
    tab.goto(path or f"/leads/{seeded}")
    tab.wait_for_selector(selector)
    assert tab.title().strip()  # the tab says where the reviewer is
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} needs {overflow}px of sideways scrolling at 1366×768"
    assert "Internal Server Error" not in tab.content()
    assert tab.inner_text("header .tz") == "北京时间"  # one time zone, labelled on every page
    tab.screenshot(path=str(SCREENSHOTS / f"page-{name}.png"))


def test_the_login_page_fits_too(tab: Any) -> None:  # noqa: F811
    tab.goto("/login")
    assert tab.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    tab.screenshot(path=str(SCREENSHOTS / "page-login.png"))
