"""How a round's outcomes become a platform state: the pure rule, then whole rounds."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from civicwatch.clock import SHANGHAI
from crawlers.extensions.health import judge
from crawlers.services import Services
from simulator.server import SimulatorServer
from tests.conftest import crawl_platform

QUIET = timedelta(hours=2)


def state(outcomes: dict[str, int], quiet_for: timedelta | None = None) -> tuple[str, str]:
    return judge(Counter(outcomes), max_malformed_ratio=0.2, quiet_for=quiet_for, expected_quiet=QUIET)


def test_healthy_round_is_ok() -> None:
    assert state({"ok": 5, "end": 2, "empty": 1})[0] == "ok"


def test_any_block_signal_degrades_with_its_name() -> None:
    assert state({"ok": 5, "captcha": 1}) == ("degraded", "captcha ×1")


def test_parse_failures_above_the_threshold_degrade() -> None:
    assert state({"ok": 9, "malformed": 1})[0] == "ok"
    assert state({"ok": 3, "malformed": 1})[0] == "degraded"


def test_a_source_that_answers_only_with_blocks_is_degraded_and_a_silent_one_down() -> None:
    assert state({"rate_limited": 3}) == ("degraded", "rate_limited ×3")
    assert state({"malformed": 4})[0] == "degraded"
    assert state({}) == ("down", "no response at all")


def test_quiet_for_longer_than_expected_degrades() -> None:
    assert state({"empty": 4}, quiet_for=timedelta(hours=3))[0] == "degraded"
    assert state({"empty": 4}, quiet_for=timedelta(hours=1))[0] == "ok"


def test_slow_responses_and_repeated_ids_degrade() -> None:
    assert state({"ok": 5, "slow": 1}) == ("degraded", "slow ×1")
    assert state({"ok": 5, "duplicate_id": 2}) == ("degraded", "duplicate_id ×2")


def test_only_empty_answers_from_a_busy_source_degrade() -> None:
    busy = judge(Counter({"empty": 3, "end": 3}), max_malformed_ratio=0.2, quiet_for=None,
                 expected_quiet=QUIET, was_busy=True)
    assert busy[0] == "degraded" and "empty" in busy[1]
    assert state({"empty": 3, "end": 3})[0] == "ok"


def test_a_deleted_post_is_healthy_but_mostly_deleted_degrades() -> None:
    assert state({"ok": 6, "not_found": 1})[0] == "ok"  # skip the item, stay healthy
    mostly = state({"ok": 2, "not_found": 5})
    assert mostly[0] == "degraded" and "not_found 5/7" in mostly[1]
    # board listings are not answers about posts: eleven boards listing five deleted threads
    listed = state({"listed": 11, "not_found": 5, "end": 11})
    assert listed[0] == "degraded" and "not_found 5/5" in listed[1]


def test_listings_count_as_posts_for_a_busy_source() -> None:
    busy = judge(Counter({"listed": 3, "ok": 0, "end": 3}), max_malformed_ratio=0.2, quiet_for=None,
                 expected_quiet=QUIET, was_busy=True)
    assert busy[0] == "ok"


# --- whole rounds through the simulator, in this process --------------------------------------

SINCE = datetime(2026, 11, 20, tzinfo=SHANGHAI)
POSTS = Path(__file__).parent / "e2e" / "data" / "posts.jsonl"


@pytest.fixture
def sim() -> Iterator[SimulatorServer]:
    server = SimulatorServer(POSTS).start()
    yield server
    server.stop()


def health(services: Services) -> dict[str, dict[str, Any]]:
    return {d["_id"]: d for d in services.health.health.find()}


@pytest.mark.parametrize("kind, reason, scope", [
    ("rate_limited", "rate_limited", {}),
    ("login_required", "login_required", {}),
    ("blocked", "blocked", {}),
    ("malformed", "malformed", {}),
    ("rate_limited", "rate_limited", {"remaining": 1}),  # one keyword throttled, others fine
    ("slow", "slow", {"delay_s": 1.5, "remaining": 1}),  # CIVICWATCH_HEALTH_SLOW_S=1 below
])
def test_a_fault_degrades_only_that_platform(services: Services, sim: SimulatorServer,
                                             caplog: pytest.LogCaptureFixture,
                                             kind: str, reason: str, scope: dict[str, float]) -> None:
    sim.set_fault("weibo", kind, **scope)
    weibo = crawl_platform(services, "weibo", sim.url, SINCE, {"CIVICWATCH_HEALTH_SLOW_S": 1})
    crawl_platform(services, "tieba", sim.url, SINCE)
    state = health(services)
    assert state["weibo"]["state"] == "degraded" and reason in state["weibo"]["reason"]
    assert any(kind in e for e in state["weibo"]["evidence"])
    assert state["tieba"]["state"] == "ok"
    assert f"source weibo is now degraded: {reason}" in caplog.text
    leads = {d["_id"] for d in services.store.leads.find()}
    assert "lead:tieba:9100000001" in leads
    if not scope:  # every weibo answer spoiled
        assert not any(x.startswith("lead:weibo") for x in leads)
        assert weibo.stats.get("civicwatch/posts_count") is None


def test_empty_answers_from_a_busy_source_degrade(services: Services, sim: SimulatorServer) -> None:
    crawl_platform(services, "weibo", sim.url, SINCE)
    sim.set_fault("weibo", "empty")  # the silent empty list some platforms answer a block with
    crawl_platform(services, "weibo", sim.url, SINCE)
    state = health(services)["weibo"]
    assert state["state"] == "degraded" and "only empty answers" in state["reason"]


def test_a_post_served_twice_while_paging_degrades(services: Services, tmp_path: Path) -> None:
    rows = [{"platform": "weibo", "post_id": str(5_310_000_000_000_000 + i), "url": f"https://m.weibo.cn/detail/{i}",
             "author": "a", "text": f"深圳第{i}条日常", "published_at": f"2026-11-21T{i:02d}:00:00+08:00"}
            for i in range(15)]
    posts = tmp_path / "posts.jsonl"
    posts.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    server = SimulatorServer(posts).start()
    server.set_fault("weibo", "duplicate_ids")
    try:
        crawl_platform(services, "weibo", server.url, SINCE)
    finally:
        server.stop()
    state = health(services)["weibo"]
    assert state["state"] == "degraded" and "duplicate_id" in state["reason"]


def test_posts_deleted_before_they_are_opened_degrade(services: Services, sim: SimulatorServer) -> None:
    sim.set_fault("tieba", "deleted")  # every thread on the board answers 404 "该贴已被删除"
    crawl_platform(services, "tieba", sim.url, SINCE)
    state = health(services)["tieba"]
    assert state["state"] == "degraded" and "not_found" in state["reason"], state
    assert any("not_found" in e for e in state["evidence"])


def test_a_source_gone_away_is_down(services: Services, sim: SimulatorServer) -> None:
    sim.stop()  # every platform now points at a port nobody listens on
    crawl_platform(services, "weibo", sim.url, SINCE, {"RETRY_ENABLED": False})
    state = health(services)["weibo"]
    assert state["state"] == "down" and "no response" in state["reason"]
