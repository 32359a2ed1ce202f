"""Polling schedule: intervals, jitter, backoff, --since parsing."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from civicwatch.clock import SHANGHAI
from civicwatch.config.platforms import PlatformConfig
from crawlers.commands.run import parse_since
from crawlers.poller import next_delay


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
