"""Crawl stats become per-platform Prometheus counters."""

from __future__ import annotations

from prometheus_client import REGISTRY

from crawlers.extensions.metrics import record_round


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_round_stats_are_added_per_platform_and_outcome() -> None:
    before = _value("civicwatch_posts_total", platform="metrics-test")
    record_round("metrics-test", {"civicwatch/posts_count": 7, "civicwatch/leads_count": 2,
                                  "source/outcome/ok": 3, "source/outcome/rate_limited": 1}, 1000.0)
    record_round("metrics-test", {"civicwatch/posts_count": 5}, 2000.0)
    assert _value("civicwatch_posts_total", platform="metrics-test") - before == 12
    assert _value("civicwatch_source_outcomes_total", platform="metrics-test", outcome="rate_limited") == 1
    assert _value("civicwatch_last_round_finished_timestamp_seconds", platform="metrics-test") == 2000.0
