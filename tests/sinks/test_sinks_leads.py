"""LeadService as the one writer: corrections, the outbox, status events and incident lookup,
against the real embedded MongoDB-wire server."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from civicwatch.exceptions import InvalidInputError, LeadNotFound
from civicwatch.models import DECISIONS, LeadState, Outbox, StatusEvent
from sinks.leads import LeadService
from sinks.mongo import Store
from tests.sinks.test_sinks_store import T0, decision, save


def event(order_id: str, status: str, *, event_id: str | None = None, reason: str | None = None) -> StatusEvent:
    return StatusEvent(event_id=event_id or uuid.uuid4().hex, service_request_id=order_id, status=status,
                       at=T0 + timedelta(minutes=30), reason=reason, operator="交通运输局")


def test_a_correction_stores_a_validated_decision(store: Store, service: LeadService) -> None:
    lead, _ = save(store, "1")
    service.verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version,
                                corrections={"item": "DL01", "street": "福保街道"})
    stored = store.leads.find_one({"_id": lead.id})["decision"]
    corrected = DECISIONS.validate_python(stored)
    assert (corrected.item, corrected.category, corrected.department, corrected.urgency) == \
        ("DL01", "DL", "JTYS", "general")  # the item brings its department and SLA class
    assert corrected.street == "福保街道" and corrected.text_masked == lead.decision.text_masked
    assert stored == DECISIONS.dump_python(corrected)  # every field, as a Decision dumps it


@pytest.mark.parametrize(("corrections", "field"), [
    ({"item": "XX99"}, "item"),
    ({"urgency": "soon"}, "urgency"),
])
def test_a_correction_a_decision_refuses_changes_nothing(store: Store, service: LeadService,
                                                         corrections: dict[str, str], field: str) -> None:
    lead, _ = save(store, "1")
    with pytest.raises(InvalidInputError) as caught:
        service.verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version, corrections=corrections)
    assert caught.value.field == field and caught.value.status == 422
    after = service.get(lead.id)
    assert after.state == LeadState.PENDING_REVIEW and after.version == lead.version and after.outbox is None


def test_dispatch_writes_an_outbox_and_the_relay_marks_it_delivered_once(store: Store,
                                                                       service: LeadService) -> None:
    lead, _ = save(store, "1")
    order = service.verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version)
    dispatched = service.get(lead.id)
    assert dispatched.outbox == Outbox(state="pending", dispatch_no=1, created_at=T0 + timedelta(minutes=10),
                                       document=order.model_dump(mode="json"))
    assert service.pending_outbox() == [(lead.id, dispatched.outbox)] and service.outbox_pending() == 1
    assert service.mark_delivered(lead.id, 1, "1-0")
    assert not service.mark_delivered(lead.id, 1, "2-0")  # delivered already: the first entry stays
    delivered = service.get(lead.id)
    assert delivered.outbox is not None and delivered.outbox.state == "delivered"
    assert delivered.outbox.entry_id == "1-0" and delivered.outbox.delivered_at == T0 + timedelta(minutes=10)
    assert delivered.version == dispatched.version and delivered.history == dispatched.history
    assert service.pending_outbox() == [] and service.outbox_pending() == 0


def test_status_events_apply_once_in_lifecycle_order(store: Store, service: LeadService) -> None:
    lead, _ = save(store, "1")
    order_id = service.verify_and_dispatch(lead.id, actor="alice",
                                           expected_version=lead.version).service_request_id
    returned = event(order_id, "退单")
    assert service.apply_status(returned)
    assert not service.apply_status(returned)  # the same event id again
    back = service.get(lead.id)
    assert back.state == LeadState.RETURNED and back.return_reason == "（未说明原因）"
    assert back.applied_events == [returned.event_id]
    assert [h.action for h in back.history] == ["discovered", "verify_and_dispatch", "退单"]
    assert back.history[-1].actor == "交通运输局" and back.history[-1].from_state == LeadState.DISPATCHED
    assert not service.apply_status(event(order_id, "办结"))  # not with the dispatch system now
    assert not service.apply_status(event("WO-UNKNOWN", "签收"))
    # Re-dispatched: a new dispatch number, so the relay sends it again; then accepted, resolved.
    service.verify_and_dispatch(lead.id, actor="bob", expected_version=back.version)
    assert service.get(lead.id).outbox.dispatch_no == 2  # type: ignore[union-attr]
    assert service.apply_status(event(order_id, "签收")) and service.apply_status(event(order_id, "办结"))
    assert service.get(lead.id).state == LeadState.RESOLVED
    assert not service.apply_status(event(order_id, "退单"))  # resolved is final


def test_incident_of_finds_the_lead_of_dup_of_or_the_lead_it_joined(store: Store, service: LeadService) -> None:
    save(store, "1")
    save(store, "2", dup_of="weibo:1")  # joins lead:weibo:1 as a source
    assert service.incident_of(decision("3", dup_of="weibo:1")) == "lead:weibo:1"
    assert service.incident_of(decision("3", dup_of="weibo:2")) == "lead:weibo:1"
    assert service.incident_of(decision("3", dup_of="weibo:404")) is None
    assert service.incident_of(decision("3")) is None


def test_a_post_whose_incident_is_not_stored_starts_its_own_lead(store: Store) -> None:
    lead, created = save(store, "5", dup_of="weibo:404")
    assert created and lead.id == "lead:weibo:5" and lead.history[0].action == "discovered"


def test_decisions_and_reads_for_the_console(store: Store, service: LeadService) -> None:
    save(store, "1")
    save(store, "2", item="CS01", urgency="general")
    assert sorted(d.item for d in service.decisions()) == ["CS01", "DL02"]
    lead = service.get("lead:weibo:1")
    order = service.verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version)
    assert service.by_work_order(order.service_request_id).id == lead.id  # type: ignore[union-attr]
    assert service.by_work_order("WO-NOPE") is None
    with pytest.raises(LeadNotFound):
        service.get("lead:weibo:nope")


def test_merge_into_an_unknown_lead_changes_nothing(store: Store, service: LeadService) -> None:
    lead, _ = save(store, "1")
    with pytest.raises(LeadNotFound):
        service.merge(lead.id, "lead:weibo:nope", actor="alice", expected_version=lead.version)
    with pytest.raises(InvalidInputError):
        service.merge(lead.id, lead.id, actor="alice", expected_version=lead.version)
    assert service.get(lead.id).state == LeadState.PENDING_REVIEW
