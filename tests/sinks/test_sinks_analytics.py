"""sinks/analytics.py: the aggregation pipelines on the real embedded server (SecantusDB)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pymongo.database import Database

from civicwatch.config import Config, get_settings, load_config
from civicwatch.models import LeadState
from civicwatch.weeks import week_end, week_start
from filters.classcases import LeadFacts, find_recurrences
from sinks.analytics import Analytics
from sinks.mongo import Store, lead_from_doc
from tests.leadgen import LeadGenerator, seed, seeded_year

D, P = LeadState.DISPATCHED, LeadState.PENDING_REVIEW


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(get_settings())


def steps(at: datetime, *rest: tuple[int, str, LeadState]) -> list:
    """(minutes after `at`, action, state) → the generator's history steps."""
    return [(at, "system", "discovered", P, None), *[(at + timedelta(minutes=m), "x", a, s, None) for m, a, s in rest]]


def test_overview_counts_weeks_places_and_work_orders(mongo_db: Database, config: Config) -> None:
    gen = LeadGenerator(config, ordinary=0)
    monday = week_start("2026-W48")
    A, R, X = LeadState.ACCEPTED, LeadState.RETURNED, LeadState.RESOLVED
    leads = [
        # urgent (30 min SLA): accepted after 20 min (on time), and after 45 min (late)
        gen.lead("SD01", "南山区", "粤海街道", monday + timedelta(minutes=30), "停水",
                 steps=steps(monday + timedelta(minutes=30), (5, "verify_and_dispatch", D), (25, "签收", A))),
        gen.lead("SD01", "南山区", "粤海街道", monday + timedelta(days=1), "停水",
                 steps=steps(monday + timedelta(days=1), (5, "verify_and_dispatch", D), (50, "签收", A),
                             (3000, "办结", X))),
        # general (2 h): returned, re-dispatched, accepted in time; one still dispatched past its SLA
        gen.lead("SD02", "南山区", "粤海街道", monday + timedelta(days=2), "水压低",
                 steps=steps(monday + timedelta(days=2), (5, "verify_and_dispatch", D), (60, "退单", R),
                             (90, "verify_and_dispatch", D), (100, "签收", A))),
        gen.lead("SD02", "南山区", None, monday + timedelta(days=3), "水压低",
                 steps=steps(monday + timedelta(days=3), (5, "verify_and_dispatch", D))),
        # the week before (Sunday 23:50 Beijing time), a merged and a rejected lead: left out or elsewhere
        gen.lead("SD01", "南山区", "粤海街道", monday - timedelta(minutes=10), "停水", fate="pending"),
        gen.lead("SD01", "南山区", "粤海街道", monday + timedelta(hours=5), "停水", fate="merge"),
        gen.lead("SD01", "南山区", "粤海街道", monday + timedelta(hours=6), "停水", fate="reject"),
    ]
    store = Store(db=mongo_db)
    seed(store, leads)
    analytics = Analytics(mongo_db, sla_minutes=config.catalogue.sla_minutes)
    out = analytics.overview(week_start("2026-W47"), week_end("2026-W48"), now=gen.now)
    cells = {(r["item"], r["street"]): r for r in out["cells"]}
    sd01 = cells[("SD01", "粤海街道")]
    assert (sd01["leads"], sd01["work_orders"], sd01["on_time"], sd01["late"], sd01["resolved"]) == (3, 2, 1, 1, 1)
    sd02 = cells[("SD02", "粤海街道")]
    assert (sd02["work_orders"], sd02["on_time"], sd02["late"], sd02["returned"]) == (1, 1, 0, 1)
    assert cells[("SD02", None)]["late"] == 1  # dispatched, never accepted, long past 2 h
    weeks = {(r["category"], r["week"]): r["leads"] for r in out["category_week"]}
    assert weeks == {("SD", "2026-W47"): 1, ("SD", "2026-W48"): 4}
    days = {(r["item"], r["street"]): r["days"] for r in out["days_street"]}
    assert days[("SD01", "粤海街道")] == 3  # Sunday, Monday, Tuesday
    assert {(r["department"], r["work_orders"]) for r in out["departments"]} == {("SW", 4)}
    # the drill-down finds the leads behind each number
    assert analytics.drill(week_start("2026-W47"), week_end("2026-W48"), now=gen.now, metric="late",
                           item="SD01")[0] == 1
    total, rows = analytics.drill(week_start("2026-W48"), week_end("2026-W48"), now=gen.now, district="南山区")
    assert total == 4 and rows[0]["discovered_at"].tzinfo is not None
    assert rows[0]["discovered_at"].utcoffset() == timedelta(hours=8)


@pytest.fixture(scope="module")
def year(mongo_uri: str, config: Config) -> tuple[Store, LeadGenerator]:
    name, gen = seeded_year(mongo_uri, config)
    return Store(mongo_uri, name), gen


def test_recurrences_in_the_database_equal_the_pure_reference(year: tuple[Store, LeadGenerator],
                                                               config: Config) -> None:
    store, gen = year
    start, end = week_start("2026-W41"), week_end("2026-W48")
    analytics = Analytics(store.db, sla_minutes=config.catalogue.sla_minutes)
    found = analytics.recurrences(start, end, limit=10_000)
    facts = []
    for doc in store.leads.find({"state": {"$nin": ["merged", "rejected"]}}):
        lead = lead_from_doc(doc)
        resolved = next((h.at for h in lead.history if h.to_state == LeadState.RESOLVED), None)
        facts.append(LeadFacts(lead.id, lead.decision.item, lead.decision.district, lead.decision.street,
                               lead.discovered_at, resolved))
    expected = find_recurrences(facts, start, end)
    assert len(found) == len(expected) > 20
    assert {r["_id"]: [x["id"] for x in r["leads"]] for r in found} == \
        {r.resolved_lead_id: [i for i, _ in r.leads] for r in expected}
    top = found[0]
    assert top["_id"] == gen.plan.recurrence_resolved
    assert set(gen.plan.recurrence_leads) <= {x["id"] for x in top["leads"]}
    assert gen.plan.late_return not in {x["id"] for x in top["leads"]}


def test_overview_rows_are_bounded_by_places_and_items_not_by_leads(year: tuple[Store, LeadGenerator],
                                                                    config: Config) -> None:
    store, gen = year
    analytics = Analytics(store.db, sla_minutes=config.catalogue.sla_minutes)
    out = analytics.overview(week_start("2026-W01"), week_end("2026-W48"), now=gen.now)
    streets = sum(len(d.streets) + 1 for d in config.gazetteer.districts)  # + "street unknown"
    departments = len(config.catalogue.departments)
    # at most item × place × department (a corrected lead may carry another department), whatever the volume
    assert len(out["cells"]) <= len(config.catalogue.items) * streets * departments
    assert len({(r["item"], r["district"], r["street"]) for r in out["cells"]}) <= len(config.catalogue.items) * streets
    assert len(out["category_week"]) <= len(config.catalogue.categories) * 48


def test_the_period_scan_uses_the_discovered_at_index(year: tuple[Store, LeadGenerator], config: Config) -> None:
    store, _ = year
    analytics = Analytics(store.db, sla_minutes=config.catalogue.sla_minutes)
    analytics.ensure_indexes()
    names = {tuple(k for k, _ in ix["key"].items()) for ix in store.leads.list_indexes()}
    assert {("discovered_at",), ("decision.item", "discovered_at"), ("decision.district", "discovered_at")} <= names
    first = analytics.match(week_start("2026-W41"), week_end("2026-W48"))[0]["$match"]
    plan = store.leads.find(first).explain()["queryPlanner"]["winningPlan"]
    assert plan["stage"] != "COLLSCAN", plan


def test_a_week_is_monday_to_monday_in_beijing_time(mongo_db: Database, config: Config) -> None:
    gen = LeadGenerator(config, ordinary=0)
    sunday_night_utc = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # Monday 00:30 Beijing time
    seed(Store(db=mongo_db), [gen.lead("CS01", "福田区", "福田街道", sunday_night_utc, "垃圾", fate="pending")])
    out = Analytics(mongo_db, sla_minutes={}).overview(week_start("2026-W47"), week_end("2026-W48"), now=gen.now)
    assert [r["week"] for r in out["category_week"]] == ["2026-W48"]
