"""civicwatch.lifecycle: the transition graph and the pure steps sinks/leads.py builds on."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from civicwatch.clock import SHANGHAI
from civicwatch.config import Settings, load_config
from civicwatch.exceptions import InvalidInputError
from civicwatch.lifecycle import (
    OPEN_STATES,
    STATUS_STATES,
    TRANSITIONS,
    build_work_order,
    corrected_decision,
    discovered_lead,
    dispatch_number,
    history_entry,
    status_step,
    work_order_id_for,
)
from civicwatch.models import Decision, Lead, LeadState, Post, StatusEvent

CATALOGUE = load_config(Settings(config_dir=Path(__file__).resolve().parents[1] / "config")).catalogue
T0 = datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI)


def lead_of(pid: str = "1", **decision: Any) -> Lead:
    post = Post(platform="weibo", post_id=pid, url=f"https://m.weibo.cn/detail/{pid}", text="井盖丢了",
                published_at=T0, fetched_at=T0 + timedelta(minutes=2))
    fields = {"district": "福田区", "street": "梅林街道", "category": "DL", "item": "DL02", "department": "JTYS",
              "urgency": "urgent", "text_masked": "井盖丢了", **decision}
    return discovered_lead(post, Decision(platform="weibo", post_id=pid, is_lead=True, **fields),
                           now=T0 + timedelta(minutes=3), sla_minutes=CATALOGUE.sla_minutes)


def test_every_state_is_reachable_from_birth_and_has_its_transitions() -> None:
    assert set(TRANSITIONS) == set(LeadState)
    reached, frontier = {LeadState.PENDING_REVIEW}, [LeadState.PENDING_REVIEW]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()] - reached:
            reached.add(nxt)
            frontier.append(nxt)
    assert reached == set(LeadState)
    assert set(OPEN_STATES) <= set(LeadState)
    assert all(target in TRANSITIONS[LeadState.DISPATCHED] for target in STATUS_STATES.values())


def test_a_discovered_lead_waits_for_review_with_its_sla_deadline() -> None:
    lead = lead_of()
    assert lead.id == "lead:weibo:1" and lead.state == LeadState.PENDING_REVIEW and lead.version == 0
    assert lead.discovered_at == T0 + timedelta(minutes=2)  # when fetched, not when stored
    assert lead.deadline - lead.discovered_at == timedelta(minutes=CATALOGUE.sla_minutes["urgent"])
    assert [s.key for s in lead.sources] == ["weibo:1"] and lead.history[0].action == "discovered"


def test_corrected_decision_takes_the_item_s_department_and_class_and_keeps_the_input() -> None:
    lead = lead_of()
    corrected = corrected_decision(lead.decision, {"item": "DL01"}, CATALOGUE)
    assert (corrected.item, corrected.department, corrected.urgency) == ("DL01", "JTYS", "general")
    assert lead.decision.item == "DL02"  # pure: the lead's own decision is not touched
    assert corrected_decision(lead.decision, {"item": "DL01", "urgency": "urgent"}, CATALOGUE).urgency == "urgent"
    assert corrected_decision(lead.decision, {"street": ""}, CATALOGUE).street is None


@pytest.mark.parametrize(("corrections", "field"), [({"item": "XX99"}, "item"), ({"urgency": "soon"}, "urgency")])
def test_corrected_decision_refuses_what_a_decision_cannot_hold(corrections: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        corrected_decision(lead_of().decision, corrections, CATALOGUE)
    assert caught.value.field == field


def test_work_order_names_the_item_s_department_and_the_incident() -> None:
    lead = lead_of()
    order = build_work_order(lead, lead.decision, CATALOGUE, actor="alice", at=T0 + timedelta(minutes=9))
    assert order.service_request_id == work_order_id_for(lead.id) and order.agency_responsible == "交通运输局"
    assert order.address_string == "深圳市 福田区 梅林街道" and order.expected_datetime == lead.deadline
    assert order.description == "井盖丢了" and order.verified_by == "alice"
    with pytest.raises(InvalidInputError, match="catalogue item"):
        build_work_order(lead, lead_of(item=None).decision, CATALOGUE, actor="alice", at=T0)


def test_status_steps_follow_the_graph_and_dispatches_are_counted() -> None:
    lead = lead_of()
    accepted = StatusEvent(event_id="e1", service_request_id="WO-1", status="签收", at=T0)
    assert status_step(lead, accepted) is None  # not dispatched yet
    assert dispatch_number(lead) == 1
    step = history_entry(lead, LeadState.DISPATCHED, at=T0, actor="alice", action="verify_and_dispatch")
    dispatched = lead.model_copy(update={"state": LeadState.DISPATCHED, "history": [*lead.history, step]})
    assert step.from_state == LeadState.PENDING_REVIEW
    assert status_step(dispatched, accepted) == LeadState.ACCEPTED
    assert dispatch_number(dispatched) == 2
