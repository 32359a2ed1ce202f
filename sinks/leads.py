"""LeadService: the one way a lead changes state (console, JSON API and automation call it).

Every change is a single-document update guarded by the lead's version (optimistic locking:
two reviewers acting at once cannot both succeed) and appends a history entry. Dispatching
puts the work order in the lead's own `outbox` field in that same update, so the state change
and the hand-off are one atomic write on any MongoDB (no multi-document transaction needed);
sinks.stream.Relay delivers it to Redis afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from civicwatch.clock import now_shanghai
from civicwatch.config import Catalogue
from civicwatch.exceptions import LeadNotFound, StaleLeadError, TransitionError
from civicwatch.lifecycle import OPEN_STATES, can_transition, deadline_for, work_order_id_for
from civicwatch.models import DECISIONS, HistoryEntry, Lead, LeadState, WorkOrder
from sinks.mongo import Store, lead_from_doc


class LeadService:
    def __init__(self, store: Store, catalogue: Catalogue, *,
                 now: Callable[[], datetime] = now_shanghai) -> None:
        self.store = store
        self.catalogue = catalogue
        self.now = now

    # --- reading -----------------------------------------------------------------------

    def get(self, lead_id: str) -> Lead:
        return self.store.lead(lead_id)

    def pending(self, *, category: str | None = None, district: str | None = None,
                platform: str | None = None, state: str | None = None, limit: int = 200) -> list[Lead]:
        """Leads awaiting review, most urgent first: deadline ascending (urgent SLAs are shorter)."""
        query: dict[str, Any] = {"state": state if state else {"$in": [s.value for s in OPEN_STATES]}}
        if category:
            query["decision.category"] = category
        if district:
            query["decision.district"] = district
        if platform:
            query["sources.platform"] = platform
        cursor = self.store.leads.find(query).sort("deadline", 1).limit(limit)
        return [lead_from_doc(d) for d in cursor]

    def overdue(self, now: datetime | None = None) -> list[Lead]:
        """Open leads past their dispatch deadline."""
        now = now or self.now()
        query = {"state": {"$in": [s.value for s in OPEN_STATES]}, "deadline": {"$lt": now}}
        return [lead_from_doc(d) for d in self.store.leads.find(query).sort("deadline", 1)]

    def overdue_work_orders(self, now: datetime | None = None) -> list[Lead]:
        """Dispatched work orders not accepted within their SLA class's time."""
        now = now or self.now()
        out = []
        for doc in self.store.leads.find({"state": LeadState.DISPATCHED.value}):
            lead = lead_from_doc(doc)
            minutes = self.catalogue.sla_minutes.get(lead.decision.urgency or "general", 120)
            sent = (doc.get("outbox") or {}).get("created_at")
            if sent and sent + timedelta(minutes=minutes) < now:
                out.append(lead)
        return out

    def stats(self, since: datetime | None = None) -> dict[str, Any]:
        """Counts for the dashboard: by state, category, district, platform; SLA compliance."""
        query = {"discovered_at": {"$gte": since}} if since else {}
        by: dict[str, Counter[str]] = {k: Counter() for k in ("state", "category", "district", "platform")}
        on_time = late = 0
        overdue_by_department: Counter[str] = Counter()
        now = self.now()
        for doc in self.store.leads.find(query, {"history": 0}):
            lead = lead_from_doc({**doc, "history": []})
            by["state"][lead.state.value] += 1
            by["category"][lead.decision.category or "—"] += 1
            by["district"][lead.decision.district or "—"] += 1
            by["platform"][lead.sources[0].platform if lead.sources else "—"] += 1
            dispatched_at = (doc.get("outbox") or {}).get("created_at")
            if dispatched_at is not None:
                if dispatched_at <= lead.deadline:
                    on_time += 1
                else:
                    late += 1
            elif lead.state in OPEN_STATES and lead.deadline < now:
                overdue_by_department[lead.decision.department or "—"] += 1
        total = on_time + late
        return {**{k: dict(v) for k, v in by.items()}, "dispatched_on_time": on_time,
                "dispatched_late": late, "sla_compliance": (on_time / total) if total else None,
                "overdue_by_department": dict(overdue_by_department)}

    # --- changing ----------------------------------------------------------------------

    def _apply(self, lead: Lead, to_state: LeadState, *, actor: str, action: str, expected_version: int,
               reason: str | None = None, set_fields: dict[str, Any] | None = None,
               details: dict[str, Any] | None = None) -> Lead:
        if not can_transition(lead.state, to_state):
            raise TransitionError(lead.id, lead.state.value, to_state.value)
        entry = HistoryEntry(at=self.now(), actor=actor, action=action, from_state=lead.state,
                             to_state=to_state, reason=reason, details=details or {})
        result = self.store.leads.update_one(
            {"_id": lead.id, "version": expected_version},
            {"$set": {"state": to_state.value, **(set_fields or {})},
             "$inc": {"version": 1},
             "$push": {"history": entry.model_dump(mode="python")}})
        if result.matched_count == 0:
            if self.store.leads.count_documents({"_id": lead.id}) == 0:
                raise LeadNotFound(lead.id)
            raise StaleLeadError(lead.id, expected_version)
        return self.get(lead.id)

    def _current(self, lead_id: str, expected_version: int) -> Lead:
        lead = self.get(lead_id)
        if lead.version != expected_version:
            raise StaleLeadError(lead_id, expected_version)
        return lead

    def _corrected_decision(self, lead: Lead, corrections: dict[str, Any]) -> dict[str, Any]:
        decision = DECISIONS.dump_python(lead.decision)
        item_code = corrections.get("item") or decision.get("item")
        if corrections.get("item"):
            item = self.catalogue.items.get(item_code)
            if item is None:
                raise ValueError(f"unknown item {item_code!r}")
            decision.update(item=item.code, category=item.category, department=item.department,
                            urgency=item.sla)
        for field in ("district", "street"):
            if field in corrections:
                decision[field] = corrections[field] or None
        if corrections.get("urgency"):
            decision["urgency"] = corrections["urgency"]
        return decision

    def verify_and_dispatch(self, lead_id: str, *, actor: str, expected_version: int,
                            corrections: dict[str, Any] | None = None) -> WorkOrder:
        """Verify (with corrections) and dispatch in one write: state, history and outbox together."""
        corrections = {k: v for k, v in (corrections or {}).items() if v not in (None, "")}
        lead = self._current(lead_id, expected_version)
        decision = self._corrected_decision(lead, corrections)
        item = self.catalogue.items.get(decision.get("item") or "")
        if item is None:
            raise ValueError("choose a catalogue item before dispatching")
        now = self.now()
        urgency = decision.get("urgency") or item.sla
        description = corrections.get("description") or lead.decision.text_masked
        address = " ".join(p for p in ("深圳市", decision.get("district"), decision.get("street")) if p)
        order = WorkOrder(
            service_request_id=work_order_id_for(lead.id), service_code=item.code, service_name=item.name,
            description=description, address_string=address,
            agency_responsible=self.catalogue.departments[item.department],
            requested_datetime=lead.discovered_at,
            expected_datetime=deadline_for(lead.discovered_at, urgency, self.catalogue.sla_minutes),
            lead_id=lead.id, category=item.category, department=item.department, urgency=urgency,
            district=decision.get("district"), street=decision.get("street"),
            sources=[s.url for s in lead.sources], duplicates=[s.key for s in lead.sources[1:]],
            verified_by=actor, verified_at=now,
        )
        dispatch_no = sum(1 for h in lead.history if h.to_state == LeadState.DISPATCHED) + 1
        self._apply(lead, LeadState.DISPATCHED, actor=actor, action="verify_and_dispatch",
                    expected_version=expected_version,
                    reason=corrections.get("reason"),
                    set_fields={"decision": decision, "work_order_id": order.service_request_id,
                                "return_reason": None,
                                "outbox": {"state": "pending", "dispatch_no": dispatch_no,
                                           "created_at": now, "document": order.model_dump(mode="json")}},
                    details={k: v for k, v in corrections.items() if k != "description"})
        return order

    def reject(self, lead_id: str, *, actor: str, reason: str, expected_version: int) -> Lead:
        if not reason or not reason.strip():
            raise ValueError("a rejection needs a reason")
        lead = self._current(lead_id, expected_version)
        return self._apply(lead, LeadState.REJECTED, actor=actor, action="reject",
                           expected_version=expected_version, reason=reason.strip())

    def merge(self, lead_id: str, into_id: str, *, actor: str, expected_version: int) -> Lead:
        if lead_id == into_id:
            raise ValueError("a lead cannot be merged into itself")
        lead = self._current(lead_id, expected_version)
        target = self.get(into_id)
        merged = self._apply(lead, LeadState.MERGED, actor=actor, action="merge",
                             expected_version=expected_version, reason=f"并入 {into_id}",
                             set_fields={"merged_into": into_id})
        known = {s.key for s in target.sources}
        extra = [s.model_dump(mode="python") for s in lead.sources if s.key not in known]
        self.store.leads.update_one({"_id": into_id}, {
            "$push": {"sources": {"$each": extra},
                      "history": HistoryEntry(at=self.now(), actor=actor, action="merged_from",
                                              to_state=target.state, from_state=target.state,
                                              reason=f"并入 {lead_id}").model_dump(mode="python")},
            "$inc": {"version": 1}})
        return merged

    def reopen(self, lead_id: str, *, actor: str, expected_version: int, reason: str | None = None) -> Lead:
        lead = self._current(lead_id, expected_version)
        return self._apply(lead, LeadState.PENDING_REVIEW, actor=actor, action="reopen",
                           expected_version=expected_version, reason=reason,
                           set_fields={"merged_into": None})
