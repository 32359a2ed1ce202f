"""Read-only lead queries straight on the Store's `leads` collection.

Used by the console only when sinks.leads.LeadService is not available (and by the benchmark to
seed data); the service is the one writer of leads.
"""

from __future__ import annotations

from typing import Any

from crawlers.exceptions import LeadNotFound
from crawlers.models import Lead, LeadState

QUEUE_STATES: tuple[LeadState, ...] = (
    LeadState.NEW, LeadState.PENDING_REVIEW, LeadState.RETURNED, LeadState.VERIFIED,
)


class LeadReader:
    def __init__(self, store: Any) -> None:
        self.leads = store.db["leads"]

    def pending(self, *, category: str | None = None, district: str | None = None,
                platform: str | None = None, state: str | None = None, limit: int = 200) -> list[Lead]:
        query: dict[str, Any] = {"state": state or {"$in": [s.value for s in QUEUE_STATES]}}
        if category:
            query["decision.category"] = category
        if district:
            query["decision.district"] = district
        if platform:
            query["decision.platform"] = platform
        return [Lead.model_validate(d) for d in self.leads.find(query).sort("deadline", 1).limit(limit)]

    def get(self, lead_id: str) -> Lead:
        doc = self.leads.find_one({"_id": lead_id})
        if doc is None:
            raise LeadNotFound(lead_id)
        return Lead.model_validate(doc)
