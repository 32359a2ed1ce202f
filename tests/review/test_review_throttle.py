"""Log-in throttling per (client, name) and per client: guessing is slowed, a known user cannot
be locked out by someone else, and every refusal is counted in Prometheus (issue 16, item 10)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from review.auth import LoginThrottle
from tests.review.conftest import PASSWORD, csrf_of

pytestmark = pytest.mark.faults

ATTACKER = ("203.0.113.7", 40000)
COLLEAGUE = ("198.51.100.20", 40001)


@pytest.fixture
def browser_at(app: Any) -> Iterator[Any]:
    """A browser (own cookie jar) connecting from a given client address."""
    made: list[TestClient] = []

    def make(client: tuple[str, int]) -> TestClient:
        c = TestClient(app, follow_redirects=False, client=client)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def _try(browser: TestClient, name: str, password: str) -> int:
    token = csrf_of(browser.get("/login").text)
    r = browser.post("/login", data={"username": name, "password": password, "csrf_token": token})
    return r.status_code


def _failures(reason: str) -> float:
    return REGISTRY.get_sample_value("civicwatch_console_login_failures_total", {"reason": reason}) or 0.0


def test_locked_name_still_opens_from_another_client(browser_at: Any) -> None:
    attacker = browser_at(ATTACKER)
    assert [_try(attacker, "bob", "guess-guess") for _ in range(5)] == [401] * 5
    assert _try(attacker, "bob", PASSWORD) == 429
    assert _try(browser_at(COLLEAGUE), "bob", PASSWORD) == 303


def test_spray_over_many_names_is_throttled_per_client(browser_at: Any) -> None:
    attacker = browser_at(ATTACKER)
    names = [f"user{i:02d}" for i in range(50)]
    codes = [_try(attacker, name, f"guess-{round_}") for round_ in range(4) for name in names]
    assert codes.count(401) == 20 and codes[20:] == [429] * 180
    assert _try(attacker, "alice", PASSWORD) == 429  # the spraying client, even with a real password
    assert _try(browser_at(COLLEAGUE), "alice", PASSWORD) == 303


def test_right_password_accepted_once_the_window_passes(app: Any, browser_at: Any) -> None:
    now = [1000.0]
    app.state.login_throttle = LoginThrottle(window_s=300.0, clock=lambda: now[0])
    attacker = browser_at(ATTACKER)
    for _ in range(5):
        _try(attacker, "bob", "guess-guess")
    now[0] += 299.0
    assert _try(attacker, "bob", PASSWORD) == 429
    now[0] += 2.0
    assert _try(attacker, "bob", PASSWORD) == 303


def test_failed_logins_are_counted(browser_at: Any) -> None:
    wrong, throttled = _failures("wrong_password"), _failures("throttled")
    attacker = browser_at(ATTACKER)
    for _ in range(6):
        _try(attacker, "vic", "guess-guess")
    assert _failures("wrong_password") == wrong + 5
    assert _failures("throttled") == throttled + 1


def test_counters_stay_bounded_under_many_addresses() -> None:
    throttle = LoginThrottle(max_keys=100, clock=lambda: 0.0)
    for i in range(1000):
        throttle.failed(f"10.0.{i // 256}.{i % 256}", "bob")
    assert len(throttle._failures) <= 100
    assert throttle.blocked("10.0.3.231", "bob") is False  # one failure each: nobody blocked
