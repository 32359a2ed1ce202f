"""sinks/streams.py: one entry's JSON as a model or a reason, and the consumer-group reader every
stream consumer uses (own pending entries first, then new ones), on the real Redis."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import redis
from pymongo.database import Database

from civicwatch.models import StatusEvent, SuggestionReply
from sinks.leads import LeadService
from sinks.mongo import Store
from sinks.status import StatusApplier, publish_status
from sinks.streams import GroupReader, parse_entry
from sinks.suggestions import SuggestionReplies, SuggestionStore
from tests.sinks.test_sinks_store import T0
from tests.sinks.test_sinks_stream import dispatch, service

STREAM = "test:streams"
EVENT = '{"event_id": "e1", "service_request_id": "WO-1", "status": "签收", "at": "2026-11-21T09:30:00+08:00"}'


@pytest.mark.parametrize(("data", "reason"), [
    (None, "no `event` field"),
    ("x" * 2000, "oversize: 2000 bytes (at most 1024)"),
    (b"\xff{}", "not valid UTF-8 text"),
    (EVENT.replace("e1", "e\\ud800"), "not valid UTF-8 text: surrogates not allowed"),
    ("e1", "bad JSON"),
    ("[1]", "invalid event: event: Input should be a valid dictionary"),
    (EVENT.replace("签收", "closed"), "invalid event: status:"),
])
def test_parse_entry_says_why_an_entry_is_not_a_model(data: Any, reason: str) -> None:
    for model in (StatusEvent, SuggestionReply):  # the same checks for each model, before the model's own
        parsed, problem = parse_entry(data, model, 1024, "event")
        assert parsed is None and problem is not None
        if model is StatusEvent or not reason.startswith("invalid"):
            assert problem.startswith(reason), problem


def test_parse_entry_gives_the_model() -> None:
    event, problem = parse_entry(EVENT.encode(), StatusEvent, 1024, "event")
    assert problem is None and event is not None and event.service_request_id == "WO-1"


def ids(entries: list[Any]) -> list[bytes]:
    return [entry_id for entry_id, _ in entries]


def test_the_reader_reads_its_own_pending_entries_first_then_tops_up_with_new_ones(
        redis_client: redis.Redis) -> None:
    added = [redis_client.xadd(STREAM, {"n": str(n)}) for n in range(5)]
    first = GroupReader(redis_client, STREAM, "g", "c1")
    assert ids(first.read(3)) == added[:3]  # read, never acknowledged: the consumer "dies"
    again = GroupReader(redis_client, STREAM, "g", "c1")  # the same consumer started again
    assert ids(again.read(2)) == added[:2]  # its own pending entries, in batches
    assert ids(again.read(2)) == [added[2], added[3]]  # the last pending one, then a new one
    assert ids(again.read(2)) == [added[4]]
    assert again.read(2) == []
    again.rewind()  # e.g. an apply failed: the unacknowledged entries come first again
    assert ids(again.read(10)) == added
    redis_client.xack(STREAM, "g", *added)
    again.rewind()
    assert again.read(10) == []


def test_the_reader_makes_its_group_again_when_redis_lost_it(redis_client: redis.Redis) -> None:
    reader = GroupReader(redis_client, STREAM, "g", "c1")
    assert reader.read(10) == []
    redis_client.flushdb()  # a Redis restarted without its data: no stream, no group
    entry = redis_client.xadd(STREAM, {"n": "1"})
    assert ids(reader.read(10)) == [entry]  # not NOGROUP on every read from now on


def test_status_and_replies_are_read_after_redis_lost_their_groups(mongo_db: Database,
                                                                   redis_client: redis.Redis) -> None:
    store = Store(db=mongo_db)
    order = dispatch(store, "g1")
    leads: LeadService = service(store)
    applier = StatusApplier(leads, redis_client)
    replies = SuggestionReplies(SuggestionStore(mongo_db), redis_client)
    assert applier.apply_pending() == 0 and replies.apply_pending() == 0  # both groups exist now
    redis_client.flushdb()
    publish_status(redis_client, StatusEvent(event_id="e-g", service_request_id=order, status="签收",
                                             at=T0 + timedelta(minutes=20)))
    assert applier.apply_pending() == 1
    assert replies.apply_pending() == 0  # not its entry: acknowledged in its own group, no NOGROUP
    assert leads.by_work_order(order).state.value == "accepted"
