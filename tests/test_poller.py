"""Polling: intervals, jitter, backoff, what a round's stats mean, what stops polling; --since parsing."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta

import pytest

from civicwatch.clock import SHANGHAI
from civicwatch.config.platforms import PlatformConfig
from civicwatch.exceptions import ConfigError
from crawlers.commands.run import parse_since
from crawlers.poller import Poller, RoundResult, next_delay


def test_healthy_rounds_wait_the_interval_plus_bounded_jitter() -> None:
    p = PlatformConfig(interval_seconds=600, jitter_seconds=30)
    rng = random.Random(1)
    delays = [next_delay(p, 0, rng) for _ in range(200)]
    assert all(600 <= d <= 630 for d in delays)
    assert len({round(d, 3) for d in delays}) > 100, "jitter spreads platforms apart"


def test_failures_back_off_exponentially_up_to_the_cap() -> None:
    p = PlatformConfig(interval_seconds=600, jitter_seconds=0, backoff_base_seconds=60,
                       backoff_max_seconds=900)
    rng = random.Random(1)
    assert [next_delay(p, n, rng) for n in (1, 2, 3, 4, 5, 9)] == [60, 120, 240, 480, 900, 900]


def test_since_accepts_durations_and_datetimes() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)
    assert parse_since("72h", now) == now - timedelta(hours=72)
    assert parse_since("30m", now) == now - timedelta(minutes=30)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("2026-11-20T08:00:00+08:00", now) == datetime(2026, 11, 20, 8, tzinfo=SHANGHAI)
    naive = parse_since("2026-11-20 08:00", now)
    assert naive.tzinfo is not None and naive.utcoffset() == timedelta(hours=8)
    with pytest.raises(ValueError, match="neither a duration"):
        parse_since("yesterday", now)


def test_a_round_is_unhealthy_when_any_answer_was_a_block_or_a_parse_failure() -> None:
    ok = RoundResult.from_stats("weibo", {"source/outcome/ok": 3, "source/outcome/end": 1})
    assert ok.ok and ok.outcomes == {"ok": 3, "end": 1}
    bad = RoundResult.from_stats("weibo", {"source/outcome/ok": 3, "source/outcome/captcha": 1,
                                           "source/outcome/malformed": 2})
    assert not bad.ok and bad.error == "captcha×1, malformed×2"


PLATFORMS = {"weibo": PlatformConfig(interval_seconds=600, backoff_base_seconds=60, jitter_seconds=0),
             "tieba": PlatformConfig(interval_seconds=900, jitter_seconds=0)}


def test_once_runs_one_round_of_each_platform_and_a_failure_stays_with_its_platform(
        caplog: pytest.LogCaptureFixture) -> None:
    async def crawl_round(name: str, platform: PlatformConfig) -> RoundResult:
        if name == "weibo":
            raise RuntimeError("connection refused")
        return RoundResult(name, ok=True)

    results = asyncio.run(Poller(PLATFORMS, crawl_round, once=True).run())
    assert sorted((r.platform, r.ok, r.error) for r in results) == [
        ("tieba", True, None), ("weibo", False, "RuntimeError: connection refused")]
    assert "weibo: round failed" in caplog.text


def test_failures_are_noted_as_backoff_and_a_config_error_ends_polling() -> None:
    calls: list[str] = []
    backoffs: list[tuple[str, float]] = []

    async def crawl_round(name: str, platform: PlatformConfig) -> RoundResult:
        calls.append(name)
        if len(calls) == 1:
            return RoundResult(name, ok=False, error="rate_limited×1")
        raise ConfigError("broken", path="rules.yaml")

    poller = Poller({"weibo": PLATFORMS["weibo"]}, crawl_round, time_scale=0,
                    note_backoff=lambda name, s: backoffs.append((name, s)))
    with pytest.raises(ConfigError, match="rules.yaml"):
        asyncio.run(poller.run())
    assert calls == ["weibo", "weibo"], "a configuration error is not retried"
    assert backoffs == [("weibo", 0.0)]  # 60 s of backoff × time scale 0


def test_a_storage_hiccup_while_noting_backoff_does_not_stop_polling(caplog: pytest.LogCaptureFixture) -> None:
    rounds = iter([RoundResult("weibo", ok=True)])

    async def crawl_round(name: str, platform: PlatformConfig) -> RoundResult:
        result = next(rounds, None)
        if result is None:
            raise ConfigError("stop here")
        return result

    def note(name: str, seconds: float) -> None:
        raise OSError("mongo went away")

    with pytest.raises(ConfigError):
        asyncio.run(Poller({"weibo": PLATFORMS["weibo"]}, crawl_round, time_scale=0, note_backoff=note).run())
    assert "weibo: could not store the backoff" in caplog.text


def test_rounds_runs_n_rounds_of_each_platform_back_to_back_then_ends() -> None:
    calls: list[str] = []

    async def crawl_round(name: str, platform: PlatformConfig) -> RoundResult:
        calls.append(name)
        return RoundResult(name, ok=name == "tieba", error=None if name == "tieba" else "rate_limited×1")

    # Time scale 0: the intervals (and weibo's backoff) take no time; a failed round still counts.
    results = asyncio.run(Poller(PLATFORMS, crawl_round, rounds=3, time_scale=0).run())
    assert sorted(calls) == ["tieba"] * 3 + ["weibo"] * 3
    assert [r.platform for r in results if r.platform == "weibo"] == ["weibo"] * 3
