"""Corrections that move a deadline, re-routing after 退单, withdrawing a work order, and search,
through LeadService and the relay on the real servers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import redis

from civicwatch.exceptions import InvalidInputError, TransitionError
from civicwatch.models import LeadState, StatusEvent
from sinks.leads import LeadService
from sinks.mongo import Store
from sinks.search import LeadSearch, SearchFilters
from sinks.stream import Relay, WorkOrderConsumer
from tests.sinks.test_sinks_store import CONFIG, SLA, T0, save

WINDOW_S = 600.0


class Clock:
    def __init__(self) -> None:
        self.now = T0 + timedelta(minutes=5)

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(store: Store, clock: Clock) -> LeadService:
    return LeadService(store, CONFIG.catalogue, now=clock)


def test_a_new_urgency_moves_the_deadline_and_the_history_says_so(store: Store, service: LeadService) -> None:
    lead, _ = save(store, "1")  # DL02: urgent, 30 minutes
    assert lead.deadline - lead.discovered_at == timedelta(minutes=SLA["urgent"])
    corrected = service.correct(lead.id, actor="alice", expected_version=lead.version,
                                corrections={"urgency": "general"})
    assert corrected.deadline - corrected.discovered_at == timedelta(minutes=SLA["general"])
    assert corrected.state == LeadState.PENDING_REVIEW and corrected.history[-1].action == "correct"
    assert "→" in corrected.history[-1].details["deadline"]
    assert service.queue(urgency="general").total == 1 and service.queue(urgency="urgent").total == 0
    order = service.verify_and_dispatch(lead.id, actor="alice", expected_version=corrected.version,
                                        corrections={"urgency": "urgent"})
    dispatched = service.get(lead.id)
    assert order.expected_datetime == dispatched.deadline == lead.deadline  # page, queue and order agree
    assert "deadline" in dispatched.history[-1].details


def test_after_a_return_the_department_can_be_overridden_with_co_handlers(store: Store,
                                                                         service: LeadService) -> None:
    lead, _ = save(store, "1")
    order = service.verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version)
    service.apply_status(StatusEvent(event_id="r1", service_request_id=order.service_request_id, status="退单",
                                     at=T0 + timedelta(minutes=8), reason="非本部门"))
    returned = service.get(lead.id)
    departments = list(CONFIG.catalogue.departments)
    other = next(d for d in departments if d != order.department)
    helper = next(d for d in departments if d not in (other, order.department))
    again = service.verify_and_dispatch(returned.id, actor="bob", expected_version=returned.version,
                                        corrections={"department": other, "co_departments": [helper]})
    assert again.department == other and again.agency_responsible == CONFIG.catalogue.departments[other]
    assert again.co_departments == [helper] and again.co_agencies == [CONFIG.catalogue.departments[helper]]
    assert again.service_code == order.service_code  # the item stays
    assert service.get(lead.id).co_departments == [helper]
    with pytest.raises(InvalidInputError):
        lead2, _ = save(store, "2")
        service.verify_and_dispatch(lead2.id, actor="bob", expected_version=lead2.version,
                                    corrections={"co_departments": ["NOPE"]})


def test_a_withdrawal_within_the_window_follows_the_order_on_the_stream(
        store: Store, service: LeadService, clock: Clock, redis_client: redis.Redis) -> None:
    lead, _ = save(store, "1")
    order = service.verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version)
    relay = Relay(service, redis_client)
    assert relay.relay_once() == 1
    clock.now += timedelta(minutes=9)
    dispatched = service.get(lead.id)
    back = service.withdraw(lead.id, actor="alice", expected_version=dispatched.version, window_s=WINDOW_S,
                            reason="派错了")
    assert back.state == LeadState.PENDING_REVIEW and back.history[-1].action == "withdraw"
    assert service.queue().total == 1
    assert relay.relay_once() == 1 and relay.relay_once() == 0
    consumer = WorkOrderConsumer(redis_client, "dispatch", "c1")
    first, second = consumer.read(count=10)
    assert (first.kind, second.kind) == ("workorder", "withdrawn")
    assert second.order_id == order.service_request_id
    assert second.document["status"] == "withdrawn" and second.document["reason"] == "派错了"
    again = service.verify_and_dispatch(lead.id, actor="bob", expected_version=back.version)
    assert relay.relay_once() == 1
    assert [d.kind for d in consumer.read(count=10)] == ["workorder"]
    assert json.loads(json.dumps(again.model_dump(mode="json")))["service_request_id"] == order.service_request_id


def test_no_withdrawal_after_the_window_or_after_acceptance(store: Store, service: LeadService,
                                                            clock: Clock) -> None:
    lead, _ = save(store, "1")
    order = service.verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version)
    clock.now += timedelta(minutes=11)
    late = service.get(lead.id)
    with pytest.raises(InvalidInputError):
        service.withdraw(lead.id, actor="alice", expected_version=late.version, window_s=WINDOW_S)
    clock.now -= timedelta(minutes=10)
    service.apply_status(StatusEvent(event_id="a1", service_request_id=order.service_request_id, status="签收",
                                     at=clock.now))
    accepted = service.get(lead.id)
    with pytest.raises(TransitionError):
        service.withdraw(lead.id, actor="alice", expected_version=accepted.version, window_s=WINDOW_S)
    assert service.get(lead.id).state == LeadState.ACCEPTED


def test_search_finds_leads_by_their_posts_words_and_similar_open_leads(store: Store,
                                                                        service: LeadService) -> None:
    a, _ = save(store, "1")
    b, _ = save(store, "2")
    search = LeadSearch(store)
    assert {x.id for x in search.leads(SearchFilters(q="梅林 井盖"))} == {a.id, b.id}
    assert search.leads(SearchFilters(q="停水")) == []
    assert [x.id for x in search.leads(SearchFilters(q="weibo:1"))] == [a.id]  # an id finds its lead
    assert [x.id for x in search.similar(a)] == [b.id]  # same item, same street
    assert [x.id for x in search.similar(a, q="井盖")] == [b.id]
    service.reject(b.id, actor="alice", reason="重复", expected_version=b.version)
    assert search.similar(a) == []  # only open leads
    assert [x.id for x in search.leads(SearchFilters(q="井盖", states=["rejected"]))] == [b.id]
