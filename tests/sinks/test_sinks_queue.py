"""The review queue (sinks/queue.py through LeadService.queue): urgent first whatever the backlog,
true totals, pages that agree with a plain sort, counts that follow every step, on the real server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from civicwatch.models import Decision, LeadState, Post
from sinks.leads import LeadService, _rank
from sinks.mongo import Store
from sinks.queue import CHANGES_ID
from tests.sinks.test_sinks_store import CONFIG, T0

NOW = T0 + timedelta(hours=8)


@pytest.fixture
def service_clock() -> Callable[[], datetime]:
    return lambda: NOW


def add(service: LeadService, pid: str, *, urgent: bool, minutes: int, item: str | None = None,
        platform: str = "weibo", district: str = "福田区") -> None:
    item = item or ("DL02" if urgent else "SD01")
    it = CONFIG.catalogue.items[item]
    found = T0 + timedelta(minutes=minutes)
    post = Post(platform=platform, post_id=pid, url=f"https://example.org/{pid}", text="井盖",
                published_at=found, fetched_at=found)
    decision = Decision(platform=platform, post_id=pid, is_lead=True, district=district, category=it.category,
                        item=item, department=it.department, urgency="urgent" if urgent else "general",
                        text_masked="井盖")
    service.record(post, decision, text_masked="井盖", title_masked=None, author_hash="h", now=found)


def plain_order(store: Store, states: tuple[str, ...] = ("pending_review", "returned")) -> list[str]:
    docs = [d for d in store.leads.find({}) if d["state"] in states]
    return [d["_id"] for d in sorted(docs, key=lambda d: _rank(d).split("|", 1)[1])]


def test_urgent_leads_come_first_behind_a_large_overdue_general_backlog(service: LeadService,
                                                                         store: Store) -> None:
    for i in range(210):  # overdue general leads, found hours before the urgent ones
        add(service, f"g{i}", urgent=False, minutes=i)
    for i in range(27):
        add(service, f"u{i}", urgent=True, minutes=300 + i)
    page = service.queue(limit=50)
    assert [lead.decision.urgency for lead in page.leads[:27]] == ["urgent"] * 27
    assert page.leads[27].decision.urgency == "general"
    assert (page.total, page.urgent, page.overdue, page.pages) == (237, 27, 237, 5)
    # every lead exactly once over the pages, in the order a plain sort gives
    seen = [lead.id for p in range(5) for lead in service.queue(offset=p * 50, limit=50).leads]
    assert seen == plain_order(store)


def test_counts_follow_every_step_and_a_rebuild_agrees(service: LeadService, store: Store) -> None:
    for i in range(12):
        add(service, f"g{i}", urgent=i % 3 == 0, minutes=i * 37)
    first = service.get("lead:weibo:g0")
    service.reject(first.id, actor="alice", reason="广告", expected_version=first.version)
    second = service.get("lead:weibo:g1")
    service.verify_and_dispatch(second.id, actor="alice", expected_version=second.version,
                                corrections={"item": "DL02"})  # general → urgent, then dispatched
    third = service.get("lead:weibo:g2")
    service.merge(third.id, "lead:weibo:g4", actor="bob", expected_version=third.version)
    rejected = service.get(first.id)
    service.reopen(first.id, actor="bob", expected_version=rejected.version)
    page = service.queue(limit=100)
    assert [lead.id for lead in page.leads] == plain_order(store)
    assert page.total == 10
    assert service.queue(states=["dispatched"]).total == 1
    assert service.queue(states=["merged"]).total == 1
    def tree() -> list[tuple[str, int, dict[str, int]]]:
        return sorted((d["_id"], d["n"], d.get("kids", {})) for d in store.db["lead_counts"].find()
                      if d["_id"] != CHANGES_ID)

    counts = tree()
    service.queue_index.rebuild(d["queue_rank"] for d in store.leads.find())
    assert tree() == counts


def test_overdue_counts_the_deadlines_before_now(store: Store) -> None:
    at = T0 + timedelta(minutes=95)
    service = LeadService(store, CONFIG.catalogue, now=lambda: at)
    for i, minutes in enumerate((0, 10, 64, 65, 66, 200)):  # urgent: deadline = found + 30 min
        add(service, f"u{i}", urgent=True, minutes=minutes)
    add(service, "g", urgent=False, minutes=0)  # general: deadline T0 + 120 min, not yet due
    page = service.queue()
    # deadlines at 30, 40, 94, 95, 96, 230 min: the three before 95 min are overdue
    assert (page.overdue, page.urgent, page.total) == (3, 6, 7)
    assert service.queue(urgency="general").total == 1


def test_filters_give_true_totals_and_keep_the_order(service: LeadService, store: Store) -> None:
    for i in range(30):
        add(service, f"p{i}", urgent=i % 5 == 0, minutes=i, platform="douyin" if i % 2 else "weibo",
            district="南山区" if i % 3 else "福田区")
    page = service.queue(platform="douyin", district="南山区", limit=5)
    expected = [i for i in range(30) if i % 2 and i % 3]
    assert page.total == len(expected) and not page.counted
    ids = [lead.id for lead in service.queue(platform="douyin", district="南山区", limit=50).leads]
    assert ids == [x for x in plain_order(store) if int(x.rsplit("p", 1)[1]) in expected]
    assert [lead.id for lead in page.leads] == ids[:5]


def test_rebuild_gives_ranks_to_leads_stored_before_ranks(service: LeadService, store: Store) -> None:
    for i in range(4):
        add(service, f"old{i}", urgent=i == 3, minutes=i)
    store.db["leads"].update_many({}, {"$unset": {"queue_rank": ""}})
    store.db["lead_counts"].delete_many({})
    assert service.queue().total == 0
    assert service.rebuild_queue() == 4
    page = service.queue()
    assert page.total == 4 and page.leads[0].id == "lead:weibo:old3"
    assert service.rebuild_queue() == 0


def test_a_state_filter_reads_only_that_state(service: LeadService) -> None:
    add(service, "a", urgent=False, minutes=0)
    add(service, "b", urgent=True, minutes=1)
    lead = service.get("lead:weibo:a")
    service.reject(lead.id, actor="alice", reason="重复", expected_version=lead.version)
    assert [x.id for x in service.queue(states=[LeadState.REJECTED.value]).leads] == ["lead:weibo:a"]
    assert [x.id for x in service.queue().leads] == ["lead:weibo:b"]
