"""The lead lifecycle as pure functions: which transitions exist, deadlines, ids, work orders.

    pending_review → dispatched → accepted → resolved
                   ↘ rejected / merged → pending_review (reopened)
    dispatched | accepted → returned (退单) → dispatched again, rejected, merged or reopened
    dispatched → pending_review (withdrawn by the verifier within minutes, before 签收)

A lead is born pending_review (there is no "new": the crawl stores only posts the filter chain
kept) and a verifier's confirmation is the dispatch itself (there is no "verified": verify and
dispatch are one atomic write). sinks/leads.py is the only code that writes a lead's state, and
it asks this module what a step means; docs/architecture.md draws the same graph.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from civicwatch.clock import SHANGHAI
from civicwatch.config import Catalogue
from civicwatch.exceptions import InvalidInputError
from civicwatch.models import (
    DECISIONS,
    Decision,
    HistoryEntry,
    Lead,
    LeadState,
    Post,
    Source,
    StatusEvent,
    WorkOrder,
)
from civicwatch.weeks import week_of

# Which transitions the lifecycle allows.
TRANSITIONS: dict[LeadState, frozenset[LeadState]] = {
    LeadState.PENDING_REVIEW: frozenset({LeadState.DISPATCHED, LeadState.REJECTED, LeadState.MERGED}),
    LeadState.DISPATCHED: frozenset(
        {LeadState.ACCEPTED, LeadState.RETURNED, LeadState.RESOLVED, LeadState.PENDING_REVIEW}),
    LeadState.ACCEPTED: frozenset({LeadState.RESOLVED, LeadState.RETURNED}),
    LeadState.RETURNED: frozenset(
        {LeadState.DISPATCHED, LeadState.REJECTED, LeadState.MERGED, LeadState.PENDING_REVIEW}
    ),
    LeadState.REJECTED: frozenset({LeadState.PENDING_REVIEW}),
    LeadState.MERGED: frozenset({LeadState.PENDING_REVIEW}),
    LeadState.RESOLVED: frozenset(),
}

# States a reviewer still has to act on (the queue); their dispatch deadline is running.
OPEN_STATES: tuple[LeadState, ...] = (LeadState.PENDING_REVIEW, LeadState.RETURNED)

# What each reply on the status back-channel moves a dispatched lead to.
STATUS_STATES: dict[str, LeadState] = {"签收": LeadState.ACCEPTED, "退单": LeadState.RETURNED,
                                       "办结": LeadState.RESOLVED}

NO_RETURN_REASON = "（未说明原因）"


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


def source_of(post: Post) -> Source:
    """The post as one source of a lead's incident."""
    return Source(key=post.key, platform=post.platform, url=post.url, published_at=post.published_at,
                  fetched_at=post.fetched_at)


def discovered_lead(post: Post, decision: Decision, *, now: datetime, sla_minutes: dict[str, int]) -> Lead:
    """The lead a kept post starts: pending review, its deadline running from when it was fetched."""
    discovered = post.fetched_at or now
    return Lead(
        _id=lead_id_for(post.key), state=LeadState.PENDING_REVIEW, decision=decision,
        sources=[source_of(post)], discovered_at=discovered,
        deadline=deadline_for(discovered, decision.urgency, sla_minutes),
        history=[HistoryEntry(at=now, actor="system", action="discovered", to_state=LeadState.PENDING_REVIEW,
                              reason="; ".join(decision.reasons[:3]) or None)],
    )


def history_entry(lead: Lead, to_state: LeadState, *, at: datetime, actor: str, action: str,
                  reason: str | None = None, details: dict[str, Any] | None = None) -> HistoryEntry:
    """The record of one step of `lead` to `to_state` (the caller checks can_transition)."""
    return HistoryEntry(at=at, actor=actor, action=action, from_state=lead.state, to_state=to_state,
                        reason=reason, details=details or {})


def dispatch_number(lead: Lead) -> int:
    """1 for the first dispatch, 2 after one 退单 and a re-dispatch, …"""
    return sum(1 for h in lead.history if h.to_state == LeadState.DISPATCHED) + 1


def corrected_decision(decision: Decision, corrections: Mapping[str, Any], catalogue: Catalogue) -> Decision:
    """The decision with a verifier's corrections applied, validated like any stored decision.

    A new item brings its category, department and SLA class; an explicit urgency overrides the
    class and an explicit department the item's. Raises InvalidInputError for an item not in the
    catalogue or a value a Decision refuses.
    """
    changes: dict[str, Any] = {}
    if item_code := corrections.get("item"):
        item = catalogue.items.get(item_code)
        if item is None:
            raise InvalidInputError(f"unknown item {item_code!r}", field="item")
        changes.update(item=item.code, category=item.category, department=item.department, urgency=item.sla)
    for field in ("district", "street"):
        if field in corrections:
            changes[field] = corrections[field] or None
    if department := corrections.get("department"):
        if department not in catalogue.departments:
            raise InvalidInputError(f"unknown department {department!r}", field="department")
        changes["department"] = department
    if corrections.get("urgency"):
        changes["urgency"] = corrections["urgency"]
    try:
        return DECISIONS.validate_python(dataclasses.replace(decision, **changes))
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(p) for p in problem["loc"]) or None
        raise InvalidInputError(f"{field}: {problem['msg']}", field=field) from None


def build_work_order(lead: Lead, decision: Decision, catalogue: Catalogue, *, actor: str,
                     at: datetime, description: str | None = None,
                     co_departments: Sequence[str] = ()) -> WorkOrder:
    """The work order for a verified lead with its (corrected) decision.

    Raises InvalidInputError when the decision names no catalogue item (the item decides the
    responsible department).
    """
    item = catalogue.items.get(decision.item or "")
    if item is None:
        raise InvalidInputError("choose a catalogue item before dispatching", field="item")
    urgency = decision.urgency or item.sla
    address = " ".join(p for p in ("深圳市", decision.district, decision.street) if p)
    # The item decides the department unless the verifier overrode it (after a 退单, say).
    department = decision.department if decision.department in catalogue.departments else item.department
    co = [c for c in dict.fromkeys(co_departments) if c != department]
    for code in co:
        if code not in catalogue.departments:
            raise InvalidInputError(f"unknown department {code!r}", field="co_departments")
    return WorkOrder(
        service_request_id=work_order_id_for(lead.id), service_code=item.code, service_name=item.name,
        description=description or lead.decision.text_masked, address_string=address,
        agency_responsible=catalogue.departments[department],
        requested_datetime=lead.discovered_at,
        expected_datetime=deadline_for(lead.discovered_at, urgency, catalogue.sla_minutes),
        lead_id=lead.id, category=item.category, department=department, urgency=urgency,
        district=decision.district, street=decision.street,
        co_departments=co, co_agencies=[catalogue.departments[c] for c in co],
        sources=[s.url for s in lead.sources], duplicates=[s.key for s in lead.sources[1:]],
        verified_by=actor, verified_at=at,
    )


def status_step(lead: Lead, event: StatusEvent) -> LeadState | None:
    """The state a status event moves `lead` to; None when the lifecycle does not allow it
    (an event out of order, or for a lead that is no longer with the dispatch system)."""
    to_state = STATUS_STATES[event.status]
    return to_state if can_transition(lead.state, to_state) else None


def work_order_overdue(lead: Lead, now: datetime, sla_minutes: dict[str, int]) -> bool:
    """A dispatched work order not accepted within its SLA class's time since it was sent."""
    if lead.state != LeadState.DISPATCHED or lead.outbox is None:
        return False
    minutes = sla_minutes.get(lead.decision.urgency or "general", sla_minutes.get("general", 120))
    return lead.outbox.created_at + timedelta(minutes=minutes) < now


def withdrawable(lead: Lead, now: datetime, window_s: float) -> bool:
    """A dispatched work order the verifier may still take back: not yet 签收, sent < window_s ago."""
    return (lead.state == LeadState.DISPATCHED and lead.outbox is not None
            and (now - lead.outbox.created_at).total_seconds() <= window_s)


# Bumped when lead_facts changes what it writes: leads with older facts are backfilled.
FACTS_VERSION = 1
# A lead of the same item at the same place this soon after a 办结: the fix did not hold.
RECURRENCE_DAYS = 30


def follows_fix(resolved_at: datetime, discovered_at: datetime) -> bool:
    """Whether a lead discovered at `discovered_at` is within RECURRENCE_DAYS after a 办结."""
    return timedelta(0) <= discovered_at - resolved_at <= timedelta(days=RECURRENCE_DAYS)


def lead_facts(lead: Lead, sla_minutes: Mapping[str, int]) -> dict[str, Any]:
    """The flat facts a lead's class-case figures are grouped and summed on (its `facts` field).

    sinks/leads.py writes them with every change of the lead, so the aggregations of
    sinks/analytics.py need plain field paths, not expressions over the history. Times are the
    first step into each state; work-order facts are 0/1 so that a `$sum` counts them.
    """
    local = lead.discovered_at.astimezone(SHANGHAI)
    first: dict[LeadState, datetime] = {}
    returns = 0
    for h in lead.history:
        first.setdefault(h.to_state, h.at)
        returns += h.to_state == LeadState.RETURNED
    ordered = lead.work_order_id is not None
    dispatched = first.get(LeadState.DISPATCHED) if ordered else None
    accepted = first.get(LeadState.ACCEPTED) if ordered else None
    urgency = "urgent" if lead.decision.urgency == "urgent" else "general"
    sla = timedelta(minutes=sla_minutes.get(urgency, 30 if urgency == "urgent" else 120))
    waited = accepted - dispatched if accepted and dispatched else None
    resolved = lead.state == LeadState.RESOLVED
    return {
        "v": FACTS_VERSION,
        "week": week_of(local), "day": local.date().isoformat(), "dow": local.isoweekday(),
        "place": lead.decision.street or lead.decision.district,
        "dispatched_at": dispatched, "accepted_at": accepted,
        "resolved_at": first.get(LeadState.RESOLVED) if resolved else None,
        # still unaccepted past this: late (sinks/analytics.py asks at query time, it depends on now)
        "due_at": dispatched + sla if dispatched and accepted is None else None,
        "returns": returns if ordered else 0,
        "wo": int(ordered), "returned": int(ordered and returns > 0), "resolved": int(ordered and resolved),
        "on_time": int(waited is not None and waited <= sla), "late": int(waited is not None and waited > sla),
        # resolved work orders ({id, t: 办结}) of the same item at the same place in the RECURRENCE_DAYS
        # before discovery: this lead is a recurrence after them (found by sinks/leads.py)
        "follows": [],
    }
