"""The planner's state on the real embedded MongoDB-wire server."""

from __future__ import annotations

from datetime import datetime

from pymongo.database import Database

from civicwatch.clock import SHANGHAI
from civicwatch.queries import PlannedQuery, QueryState, RoundLog
from sinks.planner import KEEP_ROUNDS, PlannerStore

AT = datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI)


def test_rounds_are_counted_per_platform(mongo_db: Database) -> None:
    store = PlannerStore(mongo_db)
    assert store.current_round("weibo") == 0
    assert [store.next_round("weibo") for _ in range(3)] == [1, 2, 3]
    assert store.next_round("tieba") == 1
    assert store.current_round("weibo") == 3
    assert store.platforms() == ["tieba", "weibo"]


def test_query_states_round_trip(mongo_db: Database) -> None:
    store = PlannerStore(mongo_db)
    store.ensure_indexes()
    a = QueryState(platform="weibo", query="西乡街道", kind="street", first_round=1, asks=2, requests=3, leads=1,
                   last_asked_round=5, last_complete_round=5, complete=True, decayed_leads=0.8,
                   decayed_requests=2.5, decayed_round=5, cost_per_ask=1.5, follow_up_round=6)
    b = QueryState(platform="weibo", query="吧:深圳", kind="board", first_round=2)
    other = QueryState(platform="tieba", query="西乡街道", kind="street", first_round=1)
    assert store.save([a, b, other]) == 3
    assert store.load("weibo") == {"西乡街道": a, "吧:深圳": b}
    a.asks, a.follow_up_round = 3, None
    store.save([a])
    assert store.load("weibo")["西乡街道"] == a
    assert store.load("tieba") == {"西乡街道": other}
    assert store.save([]) == 0


def test_round_logs_keep_the_latest(mongo_db: Database) -> None:
    store = PlannerStore(mongo_db)
    for n in range(1, KEEP_ROUNDS + 3):
        store.log_round(RoundLog(platform="weibo", round=n, budget=40, requests=n, leads=1, cut=0,
                                 planned=[PlannedQuery("西乡", "street", "coverage", 1.0, 0.2)]), AT)
    logs = store.round_logs("weibo")
    assert [log.round for log in logs] == list(range(3, KEEP_ROUNDS + 3))
    assert logs[-1].planned == [PlannedQuery("西乡", "street", "coverage", 1.0, 0.2)]
    assert store.round_logs("tieba") == []
