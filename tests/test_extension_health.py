"""How a round's outcomes become a platform state."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from crawlers.extensions.health import judge

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
