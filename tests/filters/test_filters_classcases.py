"""filters/classcases.py and civicwatch/weeks.py: class cases, ranking, trends, recurrence (tables)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from civicwatch.clock import SHANGHAI
from civicwatch.weeks import last_complete_week, parse_week, shift_week, week_end, week_of, week_start, weeks_ending
from filters.classcases import (
    CaseKey,
    CaseParams,
    Cell,
    Effect,
    LeadFacts,
    build_cases,
    count_spots,
    find_recurrences,
    rising,
    trend,
)


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("moment", "week"), [
    (at("2026-11-23", 0), "2026-W48"),           # Monday 00:00 Beijing time
    (at("2026-11-29", 23), "2026-W48"),          # Sunday night
    (datetime(2026, 11, 22, 16, 30, tzinfo=UTC), "2026-W48"),  # Sunday 16:30 UTC = Monday 00:30
    (at("2027-01-01"), "2026-W53"),              # ISO year 2026 has 53 weeks
    (at("2021-01-03"), "2020-W53"),
    (date(2026, 12, 28), "2026-W53"),
])
def test_week_of_is_the_iso_week_in_beijing_time(moment: datetime | date, week: str) -> None:
    assert week_of(moment) == week


def test_week_bounds_and_ranges() -> None:
    assert week_start("2026-W48") == at("2026-11-23", 0)
    assert week_end("2026-W48") - week_start("2026-W48") == timedelta(days=7)
    assert shift_week("2026-W01", -1) == "2025-W52"
    assert weeks_ending("2027-W01", 3) == ["2026-W52", "2026-W53", "2027-W01"]
    assert last_complete_week(at("2026-11-30", 9)) == "2026-W48"


@pytest.mark.parametrize("bad", ["2026-48", "2026-W54", "2025-W53", "W48", ""])
def test_parse_week_rejects_what_is_not_a_week(bad: str) -> None:
    with pytest.raises(ValueError, match="ISO week"):
        parse_week(bad)


@pytest.mark.parametrize(("text", "key"), [
    ("item:AQ02:福田区:沙头街道", CaseKey("item", "AQ02", "福田区", "沙头街道")),
    ("item:XF01:龙岗区:*", CaseKey("item", "XF01", "龙岗区", None)),
    ("category:HJ:南山区:粤海街道", CaseKey("category", "HJ", "南山区", "粤海街道")),
])
def test_case_keys_round_trip(text: str, key: CaseKey) -> None:
    assert CaseKey.parse(text) == key
    assert str(key) == text


@pytest.mark.parametrize("bad", ["street:AQ02:福田区:*", "item::福田区:*", "item:AQ02:福田区"])
def test_case_key_parse_rejects_malformed_keys(bad: str) -> None:
    with pytest.raises(ValueError):
        CaseKey.parse(bad)


def background(n_streets: int = 20, items: tuple[str, ...] = ("A1", "B1", "C1")) -> list[Cell]:
    """An even background: every item in every street of district D, a few leads each."""
    return [Cell(item, item[0], "D", f"S{i}", "X", leads=2) for item in items for i in range(n_streets)]


def days_for(cells: list[Cell], days: int) -> dict:
    out: dict = {}
    for c in cells:
        out[("item", c.item, c.district, c.street)] = days
        out[("item", c.item, c.district, None)] = days
        out[("category", c.category, c.district, c.street)] = days
    return out


def test_a_hot_street_becomes_a_street_case_not_a_district_one() -> None:
    cells = background() + [Cell("A1", "A", "D", "S3", "X", leads=30)]
    cases = build_cases(cells, days_for(cells, 10))
    assert str(cases[0].key) == "item:A1:D:S3"
    assert cases[0].leads == 32
    # the district-wide A1 case would be mostly S3: it does not stand on its own
    assert all(str(c.key) != "item:A1:D:*" for c in cases)


def test_a_spread_wave_becomes_a_district_case() -> None:
    wave = [Cell("B1", "B", "E", f"T{i}", "X", leads=5) for i in range(6)]
    cells = background() + wave
    cases = build_cases(cells, days_for(cells, 12))
    assert str(cases[0].key) == "item:B1:E:*"
    assert cases[0].streets == {f"T{i}": 5 for i in range(6)}


def test_a_category_case_needs_several_items() -> None:
    mixed = [Cell("H1", "H", "F", "U1", "X", leads=12), Cell("H2", "H", "F", "U1", "X", leads=12)]
    cells = background() + mixed
    cases = build_cases(cells, days_for(cells, 10))
    assert str(cases[0].key) == "category:H:F:U1"
    assert set(cases[0].items) == {"H1", "H2"}


@pytest.mark.parametrize(("leads", "days", "found"), [
    (4, 10, False),   # fewer than min_leads
    (20, 2, False),   # one incident reported many times
    (20, 3, True),
])
def test_cases_need_enough_leads_on_enough_days(leads: int, days: int, found: bool) -> None:
    cells = background() + [Cell("A1", "A", "G", "V1", "X", leads=leads)]
    d = days_for(background(), 10)
    d[("item", "A1", "G", "V1")] = days
    d[("item", "A1", "G", None)] = days
    d[("category", "A", "G", "V1")] = days
    assert any(str(c.key) == "item:A1:G:V1" for c in build_cases(cells, d)) is found


def test_score_is_excess_times_spread_over_days() -> None:
    cells = [Cell("A1", "A", "D", "S1", "X", leads=10), Cell("B1", "B", "D", "S2", "X", leads=10)]
    d = {("item", "A1", "D", "S1"): 7, ("item", "B1", "D", "S2"): 3}
    by_key = {str(c.key): c for c in build_cases(cells, d, CaseParams(min_leads=1, min_days=1))}
    a, b = by_key["item:A1:D:S1"], by_key["item:B1:D:S2"]
    # expected = item 10 × street 10 / all 20 = 5 for both; excess 5
    assert (a.expected, a.excess, a.score) == (5.0, 5.0, 5.0)
    assert b.score == pytest.approx(5.0 * 3 / 7, abs=0.01)
    assert list(by_key) == ["item:A1:D:S1", "item:B1:D:S2"]  # best first


def test_cases_sum_work_order_facts_and_name_the_main_department() -> None:
    cells = background() + [Cell("A1", "A", "D", "S3", "ZJ", leads=20, work_orders=10, on_time=6, late=2,
                                 returned=3, resolved=5),
                            Cell("A1", "A", "D", "S3", "CG", leads=2, work_orders=2, on_time=2)]
    case = build_cases(cells, days_for(cells, 9))[0]
    assert (case.work_orders, case.on_time, case.late, case.returned) == (12, 8, 2, 3)
    assert case.sla_compliance == pytest.approx(0.8)
    assert case.return_rate == pytest.approx(0.25)
    assert case.department == "ZJ"


def test_no_leads_no_cases() -> None:
    assert build_cases([], {}) == []


@pytest.mark.parametrize(("series", "direction", "last", "baseline"), [
    ([2, 2, 2, 2, 8], "rising", 8, 2.0),
    ([0, 0, 0, 0, 3], "rising", 3, 0.0),
    ([1, 0, 1, 0, 2], "steady", 2, 0.5),     # +1.5: not two more
    ([8, 9, 8, 7, 2], "falling", 2, 8.0),
    ([5, 5, 5, 5, 5, 5], "steady", 5, 5.0),  # only the last four weeks count
    ([3], "rising", 3, 0.0),
    ([], "steady", 0, 0.0),
])
def test_trend_of_a_weekly_series(series: list[int], direction: str, last: int, baseline: float) -> None:
    t = trend(series)
    assert (t.direction, t.last, t.baseline) == (direction, last, baseline)


def test_rising_lists_the_biggest_rises_first() -> None:
    series = {"A": [1, 1, 1, 1, 4], "B": [0, 0, 0, 0, 9], "C": [5, 5, 5, 5, 5], "D": [9, 9, 9, 9, 1]}
    assert [k for k, _ in rising(series)] == ["B", "A"]


def facts(lid: str, day: str, *, item: str = "PS02", street: str | None = "东门街道",
          resolved: str | None = None) -> LeadFacts:
    return LeadFacts(lid, item, "罗湖区", street, at(day), at(resolved) if resolved else None)


def test_recurrence_after_resolution_within_thirty_days() -> None:
    leads = [
        facts("fixed", "2026-10-01", resolved="2026-10-03"),
        facts("back1", "2026-10-10"),
        facts("back2", "2026-11-01"),                 # 29 days after
        facts("late", "2026-11-03"),                  # 31 days after: not a recurrence
        facts("elsewhere", "2026-10-12", street="桂园街道"),
        facts("other-item", "2026-10-12", item="PS01"),
    ]
    found = find_recurrences(leads, at("2026-10-05", 0), at("2026-12-01", 0))
    assert len(found) == 1
    assert found[0].resolved_lead_id == "fixed"
    assert [lid for lid, _ in found[0].leads] == ["back1", "back2"]
    assert found[0].first_after_days == pytest.approx(7.0)


def test_recurrence_counts_only_leads_of_the_period_and_each_fix_on_its_own() -> None:
    leads = [facts("f1", "2026-09-01", resolved="2026-09-20"), facts("a", "2026-09-25"),
             facts("f2", "2026-10-01", resolved="2026-10-02"), facts("b", "2026-10-06")]
    found = find_recurrences(leads, at("2026-10-05", 0), at("2026-10-12", 0))
    # "a" falls before the period; "b" is within 30 days of both fixes
    assert {r.resolved_lead_id: [lid for lid, _ in r.leads] for r in found} == {"f1": ["b"], "f2": ["b"]}


def test_recurrence_needs_a_place() -> None:
    leads = [LeadFacts("f", "PS02", None, None, at("2026-10-01"), at("2026-10-02")),
             LeadFacts("b", "PS02", None, None, at("2026-10-03"))]
    assert find_recurrences(leads, at("2026-10-01", 0), at("2026-11-01", 0)) == []


def test_count_spots_prefers_the_longest_name() -> None:
    texts = ["上沙村楼道里充电", "上沙村又起火", "沙尾村飞线", "没有地名"]
    assert count_spots(texts, ["上沙村", "沙尾村", "上沙", "新洲村"]) == [("上沙村", 2), ("沙尾村", 1)]


@pytest.mark.parametrize(("before", "after", "days_after", "fell", "change"), [
    (12, 3, 28, True, -0.75),
    (4, 4, 28, False, 0.0),
    (4, 1, 7, False, 0.0),    # one in one week = four in four weeks: the rate has not fallen
    (8, 0, 0, None, None),    # nothing after yet
])
def test_effect_compares_weekly_rates(before: int, after: int, days_after: float, fell: bool | None,
                                      change: float | None) -> None:
    effect = Effect(before, after, 28, days_after)
    assert effect.fell is fell
    assert effect.change == (pytest.approx(change) if change is not None else None)
