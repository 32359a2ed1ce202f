"""Finding leads by what their posts say, and leads like a given one (read-only).

SecantusDB has no $text index, so every stored post carries `tokens` (character bigrams and latin
words, sinks.mongo.search_tokens) under an array index: a query's first token is looked up in
the index and its other tokens checked on the posts found, then the posts' leads are read
through the `sources.key` index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from civicwatch.lifecycle import OPEN_STATES
from civicwatch.models import Lead
from sinks.mongo import Store, lead_from_doc, search_tokens

OPEN = [s.value for s in OPEN_STATES]
MAX_POSTS = 5000  # posts read for one query: a query that matches more is too vague to list
_LIST_FIELDS = {"history": 0, "applied_events": 0}


@dataclass
class SearchFilters:
    q: str | None = None
    states: Sequence[str] | None = None  # None: every state
    urgency: str | None = None
    since: datetime | None = None  # discovered at or after
    until: datetime | None = None  # discovered before
    category: str | None = None
    district: str | None = None
    platform: str | None = None  # of any source
    department: str | None = None
    overdue_at: datetime | None = None  # only leads whose dispatch deadline passed before this
    order_late_at: datetime | None = None  # only work orders not 签收 within their SLA by this time

    def narrow(self, doc: dict[str, Any], sla_minutes: dict[str, int]) -> bool:
        """The checks no index answers, on one lead document."""
        d = doc.get("decision") or {}
        if self.urgency and d.get("urgency") != self.urgency:
            return False
        for name in ("category", "district", "department"):
            want = getattr(self, name)
            if want and d.get(name) != want:
                return False
        if self.platform and self.platform not in {s.get("platform") for s in doc.get("sources", [])}:
            return False
        if self.overdue_at and not _aware(doc["deadline"]) < self.overdue_at:
            return False
        if self.order_late_at:
            sent = (doc.get("outbox") or {}).get("created_at")
            minutes = sla_minutes.get(d.get("urgency") or "general", sla_minutes.get("general", 120))
            if doc.get("state") != "dispatched" or sent is None \
                    or not _aware(sent) + timedelta(minutes=minutes) < self.order_late_at:
                return False
        return True


class LeadSearch:
    def __init__(self, store: Store, sla_minutes: dict[str, int] | None = None) -> None:
        self.store = store
        self.sla_minutes = sla_minutes or {"urgent": 30, "general": 120}

    def post_keys(self, q: str) -> list[str]:
        """Keys of stored posts whose title or text contains every token of `q`."""
        tokens = search_tokens(q)
        if not tokens:
            return []
        # The longest-looking token first: a latin word or a rarer bigram narrows the index read.
        first, *rest = sorted(tokens, key=lambda t: (-len(t), t))
        wanted = set(rest)
        docs = self.store.posts.find({"tokens": first}, {"tokens": 1}).limit(MAX_POSTS)
        return [d["_id"] for d in docs if wanted <= set(d.get("tokens", ()))]

    def leads(self, filters: SearchFilters, limit: int = 1000) -> list[Lead]:
        """Leads matching the filters, newest first (at most `limit`)."""
        query: dict[str, Any] = {}
        if filters.states:
            query["state"] = {"$in": list(filters.states)}
        if filters.since or filters.until:
            query["discovered_at"] = {k: v for k, v in (("$gte", filters.since), ("$lt", filters.until)) if v}
        q = (filters.q or "").strip()
        docs: list[dict[str, Any]]
        if q:
            by_id = self.store.leads.find_one({"_id": q if q.startswith("lead:") else f"lead:{q}"}, _LIST_FIELDS)
            keys = self.post_keys(q)
            docs = list(self.store.leads.find({"sources.key": {"$in": keys}}, _LIST_FIELDS)) if keys else []
            if by_id and all(d["_id"] != by_id["_id"] for d in docs):
                docs.insert(0, by_id)
            docs = [d for d in docs if _matches(d, query)]
        elif "discovered_at" in query:
            docs = [d for d in self.store.leads.find({"discovered_at": query["discovered_at"]}, _LIST_FIELDS)
                    if _matches(d, query)]
        else:
            docs = [d for s in (filters.states or []) for d in self.store.leads.find({"state": s}, _LIST_FIELDS)]
        docs = [d for d in docs if filters.narrow(d, self.sla_minutes)]
        docs.sort(key=lambda d: d["discovered_at"], reverse=True)
        return [lead_from_doc(d) for d in docs[:limit]]

    def similar(self, lead: Lead, q: str | None = None, limit: int = 8) -> list[Lead]:
        """Open leads a verifier may want to merge `lead` into: matching `q` when given, else of
        the same item in the same street (or district)."""
        if q and q.strip():
            found = self.leads(SearchFilters(q=q, states=OPEN), limit=limit + 1)
        else:
            d = lead.decision
            if not d.item:
                return []
            docs = [x for s in OPEN for x in self.store.leads.find(
                {"state": s, "decision.category": d.category}, _LIST_FIELDS)]
            docs = [x for x in docs if x["decision"].get("item") == d.item
                    and (x["decision"].get("street") == d.street if d.street
                         else x["decision"].get("district") == d.district)]
            docs.sort(key=lambda x: x["deadline"])
            found = [lead_from_doc(x) for x in docs[:limit + 1]]
        return [x for x in found if x.id != lead.id][:limit]


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at  # a client without tz_aware: UTC


def _matches(doc: dict[str, Any], query: dict[str, Any]) -> bool:
    if "state" in query and doc.get("state") not in query["state"]["$in"]:
        return False
    window = query.get("discovered_at", {})
    at = _aware(doc["discovered_at"]) if doc.get("discovered_at") else None
    if "$gte" in window and (at is None or at < window["$gte"]):
        return False
    return not ("$lt" in window and (at is None or at >= window["$lt"]))
