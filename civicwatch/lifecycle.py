"""The lead lifecycle as pure functions: which transitions exist, deadlines, ids, work orders.

    new → pending_review → dispatched → accepted → resolved
                         ↘ rejected / merged;  dispatched|accepted → returned → review again

sinks/leads.py is the only code that writes a lead's state, and it asks this module what a step
means; docs/architecture.md draws the same graph (tests/test_docs.py checks the states).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from civicwatch.config import Catalogue
from civicwatch.models import HistoryEntry, Lead, LeadState, WorkOrder

# Which transitions the lifecycle allows.
TRANSITIONS: dict[LeadState, frozenset[LeadState]] = {
    LeadState.NEW: frozenset({LeadState.PENDING_REVIEW, LeadState.REJECTED, LeadState.MERGED}),
    LeadState.PENDING_REVIEW: frozenset(
        {LeadState.VERIFIED, LeadState.REJECTED, LeadState.MERGED, LeadState.DISPATCHED}
    ),
    LeadState.VERIFIED: frozenset({LeadState.DISPATCHED, LeadState.PENDING_REVIEW}),
    LeadState.DISPATCHED: frozenset({LeadState.ACCEPTED, LeadState.RETURNED, LeadState.RESOLVED}),
    LeadState.ACCEPTED: frozenset({LeadState.RESOLVED, LeadState.RETURNED}),
    LeadState.RETURNED: frozenset(
        {LeadState.VERIFIED, LeadState.DISPATCHED, LeadState.REJECTED, LeadState.MERGED,
         LeadState.PENDING_REVIEW}
    ),
    LeadState.REJECTED: frozenset({LeadState.PENDING_REVIEW}),
    LeadState.MERGED: frozenset({LeadState.PENDING_REVIEW}),
    LeadState.RESOLVED: frozenset(),
}

# States a reviewer still has to act on (the queue).
OPEN_STATES: tuple[LeadState, ...] = (LeadState.NEW, LeadState.PENDING_REVIEW, LeadState.RETURNED,
                                      LeadState.VERIFIED)


# What each reply on the status back-channel moves a dispatched lead to.
STATUS_STATES: dict[str, LeadState] = {"签收": LeadState.ACCEPTED, "退单": LeadState.RETURNED,
                                       "办结": LeadState.RESOLVED}


def can_transition(old: LeadState, new: LeadState) -> bool:
    return new in TRANSITIONS[old]


def lead_id_for(post_key: str) -> str:
    return f"lead:{post_key}"


def work_order_id_for(lead_id: str) -> str:
    """Deterministic: the same lead always gives the same work-order id (consumers upsert on it)."""
    digest = hashlib.sha256(lead_id.encode("utf-8")).hexdigest()[:16].upper()
    return f"WO-{digest}"


def deadline_for(discovered_at: datetime, urgency: str | None, sla_minutes: dict[str, int]) -> datetime:
    """Dispatch deadline: discovery time plus the SLA class's minutes (general when unknown)."""
    minutes = sla_minutes.get(urgency or "general", sla_minutes.get("general", 120))
    return discovered_at + timedelta(minutes=minutes)


def history_entry(lead: Lead, to_state: LeadState, *, at: datetime, actor: str, action: str,
                  reason: str | None = None, details: dict[str, Any] | None = None) -> HistoryEntry:
    """The record of one step of `lead` to `to_state` (the caller checks can_transition)."""
    return HistoryEntry(at=at, actor=actor, action=action, from_state=lead.state, to_state=to_state,
                        reason=reason, details=details or {})


def dispatch_number(lead: Lead) -> int:
    """1 for the first dispatch, 2 after one 退单 and a re-dispatch, …"""
    return sum(1 for h in lead.history if h.to_state == LeadState.DISPATCHED) + 1


def build_work_order(lead: Lead, decision: dict[str, Any], catalogue: Catalogue, *, actor: str,
                     at: datetime, description: str | None = None) -> WorkOrder:
    """The work order for a verified lead with its (corrected) decision; ValueError without an item."""
    item = catalogue.items.get(decision.get("item") or "")
    if item is None:
        raise ValueError("choose a catalogue item before dispatching")
    urgency = decision.get("urgency") or item.sla
    address = " ".join(p for p in ("深圳市", decision.get("district"), decision.get("street")) if p)
    return WorkOrder(
        service_request_id=work_order_id_for(lead.id), service_code=item.code, service_name=item.name,
        description=description or lead.decision.text_masked, address_string=address,
        agency_responsible=catalogue.departments[item.department],
        requested_datetime=lead.discovered_at,
        expected_datetime=deadline_for(lead.discovered_at, urgency, catalogue.sla_minutes),
        lead_id=lead.id, category=item.category, department=item.department, urgency=urgency,
        district=decision.get("district"), street=decision.get("street"),
        sources=[s.url for s in lead.sources], duplicates=[s.key for s in lead.sources[1:]],
        verified_by=actor, verified_at=at,
    )
