"""The flat per-lead facts LeadService keeps (civicwatch.lifecycle.lead_facts), the backfill, the
week summaries built from them (sinks/summaries.py), and the test seeder writing the same."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from civicwatch.models import StatusEvent
from civicwatch.weeks import week_end, week_start
from sinks.analytics import Analytics
from sinks.leads import LeadService
from sinks.mongo import Store, lead_to_doc
from sinks.summaries import COLLECTION
from tests.leadgen import LeadGenerator, seed
from tests.sinks.test_sinks_store import CONFIG, T0, decision, post

ROOT = Path(__file__).resolve().parents[2]


def record(service: LeadService, pid: str, at: datetime) -> str:
    p = post(pid).model_copy(update={"published_at": at, "fetched_at": at})  # discovered when fetched
    lead, _ = service.record(p, decision(pid), text_masked=p.text, title_masked=None, author_hash="a", now=at)
    return lead.id


def status(service: LeadService, lead_id: str, name: str, at: datetime) -> None:
    order = service.get(lead_id).work_order_id
    assert order and service.apply_status(StatusEvent(event_id=uuid.uuid4().hex, service_request_id=order,
                                                      status=name, at=at, operator="交通运输局"))


def facts(store: Store, lead_id: str) -> dict:
    return store.leads.find_one({"_id": lead_id})["facts"]


def test_lead_service_keeps_the_flat_facts_through_the_lifecycle(store: Store, service: LeadService) -> None:
    first = record(service, "1", T0)  # Saturday 2026-11-21 09:00 Beijing time, DL02 is urgent (30 min)
    f = facts(store, first)
    assert (f["week"], f["day"], f["dow"], f["place"], f["wo"], f["follows"]) == \
        ("2026-W47", "2026-11-21", 6, "梅林街道", 0, [])
    lead = service.get(first)
    service.verify_and_dispatch(first, actor="alice", expected_version=lead.version)  # at T0 + 10 min
    f = facts(store, first)
    assert (f["wo"], f["dispatched_at"], f["due_at"], f["on_time"], f["late"]) == \
        (1, T0 + timedelta(minutes=10), T0 + timedelta(minutes=40), 0, 0)
    status(service, first, "签收", T0 + timedelta(minutes=35))  # 25 minutes after dispatch: on time
    f = facts(store, first)
    assert (f["accepted_at"], f["due_at"], f["on_time"], f["late"], f["resolved"]) == \
        (T0 + timedelta(minutes=35), None, 1, 0, 0)
    fixed = T0 + timedelta(days=2)
    status(service, first, "办结", fixed)
    f = facts(store, first)
    assert (f["resolved"], f["resolved_at"], f["returned"], f["returns"]) == (1, fixed, 0, 0)
    # the same item at the same street 10 days after the 办结 recurs after it; 31 days after, not
    assert facts(store, record(service, "2", fixed + timedelta(days=10)))["follows"] == [{"id": first, "t": fixed}]
    assert facts(store, record(service, "3", fixed + timedelta(days=31)))["follows"] == []
    weeks = {d["_id"]: d["changes"] for d in store.db[COLLECTION].find()}
    assert weeks["2026-W47"] >= 4 and {"2026-W48", "2026-W51"} <= set(weeks)  # its own and the 30 days after 办结


def test_a_late_办结_marks_the_leads_already_stored_after_it(store: Store, service: LeadService) -> None:
    first = record(service, "1", T0)
    service.verify_and_dispatch(first, actor="alice", expected_version=service.get(first).version)
    status(service, first, "签收", T0 + timedelta(minutes=20))
    later = record(service, "2", T0 + timedelta(days=3))
    status(service, first, "办结", T0 + timedelta(days=1))  # the dispatch system reports it now
    assert facts(store, later)["follows"] == [{"id": first, "t": T0 + timedelta(days=1)}]


def test_the_seeder_writes_what_lead_service_writes_and_the_backfill_finds(store: Store, service: LeadService) -> None:
    """Seeded documents (the tests' and the benchmark's) against a backfill of the same leads
    stored without facts, and against a lead LeadService recorded: same fields, same values."""
    gen = LeadGenerator(CONFIG, ordinary=250, seed=3)
    leads = list(gen.leads())
    seeded = Store(db=store.db.client[f"{store.db.name}_seeded"])
    try:
        seed(seeded, leads, catalogue=CONFIG.catalogue)
        store.leads.insert_many([lead_to_doc(lead) for lead in leads])  # as stored before facts existed
        assert service.backfill_facts(batch=100) == len(leads)
        assert service.backfill_facts() == 0  # idempotent
        backfilled = {d["_id"]: d for d in store.leads.find()}
        follows = 0
        for doc in seeded.leads.find():
            assert doc["facts"] == backfilled[doc["_id"]]["facts"], doc["_id"]
            follows += bool(doc["facts"]["follows"])
        assert follows >= 5  # the generated year has recurrences to compare
        recorded = store.leads.find_one({"_id": record(service, "new", gen.now)})
        sample = seeded.leads.find_one()
        assert set(recorded) == set(sample) and set(recorded["facts"]) == set(sample["facts"])
    finally:
        store.db.client.drop_database(seeded.db.name)


def test_an_unchanged_week_is_read_from_its_summary_and_a_change_rebuilds_it(store: Store,
                                                                            service: LeadService) -> None:
    ids = [record(service, str(i), T0 + timedelta(hours=i)) for i in range(3)]
    analytics = Analytics(store.db, sla_minutes=CONFIG.catalogue.sla_minutes)
    start, end, now = week_start("2026-W47"), week_end("2026-W47"), T0 + timedelta(days=3)

    def leads(reader: Analytics = analytics) -> int:
        return sum(c["leads"] for c in reader.overview(start, end, now=now)["cells"])

    assert leads() == 3
    # not aggregated again while nothing changed: what the stored summary says is what another
    # reader shows (this one holds the summary it built and does not read it again)
    store.db[COLLECTION].update_one({"_id": "2026-W47"}, {"$set": {"cells": []}})
    assert leads(Analytics(store.db, sla_minutes={})) == 0
    assert leads() == 3
    service.reject(ids[0], actor="alice", reason="广告", expected_version=service.get(ids[0]).version)
    assert leads() == 2  # the write bumped the week's counter: rebuilt, the rejected lead left out
    doc = store.db[COLLECTION].find_one({"_id": "2026-W47"})
    assert doc["built_from"] == doc["changes"]


def test_a_dispatched_order_becomes_late_as_time_passes_without_a_write(store: Store,
                                                                       service: LeadService) -> None:
    lead = record(service, "1", T0)
    service.verify_and_dispatch(lead, actor="alice", expected_version=service.get(lead).version)
    analytics = Analytics(store.db, sla_minutes=CONFIG.catalogue.sla_minutes)
    start, end = week_start("2026-W47"), week_end("2026-W47")

    def late(now: datetime) -> int:
        return sum(c["late"] for c in analytics.overview(start, end, now=now)["departments"])

    assert late(T0 + timedelta(minutes=30)) == 0  # dispatched at +10 min, urgent: due at +40 min
    assert late(T0 + timedelta(minutes=41)) == 1
    assert analytics.drill(start, end, now=T0 + timedelta(minutes=41), metric="late")[0] == 1


def test_the_class_case_queries_use_no_history_expressions() -> None:
    for module in ("sinks/analytics.py", "sinks/summaries.py"):
        source = (ROOT / module).read_text(encoding="utf-8")
        for expression in ("$history", "$map", "$let", "$indexOfArray"):
            assert expression not in source, (module, expression)


def test_week_labels_follow_beijing_time() -> None:
    from civicwatch.lifecycle import lead_facts

    gen = LeadGenerator(CONFIG, ordinary=0)
    monday = gen.lead("CS01", "福田区", "福田街道", datetime(2026, 11, 22, 16, 30, tzinfo=UTC), "垃圾", fate="pending")
    f = lead_facts(monday, CONFIG.catalogue.sla_minutes)
    assert (f["week"], f["day"], f["dow"]) == ("2026-W48", "2026-11-23", 1)
