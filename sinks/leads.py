"""LeadService: the only writer of lead state and of the `leads` collection.

The crawl (record), the console and JSON API (verify_and_dispatch, reject, merge, reopen), the
outbox relay (mark_delivered) and the status back-channel (apply_status) all change leads here,
and each step asks civicwatch.lifecycle what it means. Every change is one single-document
update that appends a history entry and bumps the version. A reviewer's step is guarded by the
version the reviewer saw (optimistic locking: two reviewers acting at once cannot both succeed);
a status event by "this event id not yet applied". Dispatching puts the work order in the lead's
own `outbox` in that same update, so the state change and the hand-off are one atomic write on
any MongoDB (no multi-document transaction); sinks.stream.Relay delivers it to Redis afterwards.
tests/sinks/test_sinks_one_writer.py fails if another module writes the collection.

Each write also keeps the lead's flat `facts` (civicwatch.lifecycle.lead_facts: week, place,
first dispatch, 签收 and 办结 times, 退单 count, SLA met, the 办结 it recurs after) and bumps the
change counter of the lead's week, from which sinks/summaries.py rebuilds the class-case week
summaries; a 办结 arriving late adds itself to the facts of the leads stored after it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Literal

import pymongo
from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError, WriteError

from civicwatch.clock import now_shanghai
from civicwatch.config import Catalogue
from civicwatch.corrections import DEFAULT_TEXT_MAX_CHARS, check_text
from civicwatch.exceptions import (
    InvalidInputError,
    LeadNotFound,
    LeadTooLargeError,
    StaleLeadError,
    TransitionError,
)
from civicwatch.lifecycle import (
    FACTS_VERSION,
    NO_RETURN_REASON,
    OPEN_STATES,
    RECURRENCE_DAYS,
    build_work_order,
    can_transition,
    corrected_decision,
    deadline_for,
    discovered_lead,
    dispatch_number,
    history_entry,
    lead_facts,
    lead_id_for,
    source_of,
    status_step,
    withdrawable,
    work_order_overdue,
)
from civicwatch.models import (
    DECISIONS,
    Decision,
    HistoryEntry,
    Lead,
    LeadState,
    Outbox,
    Post,
    StatusEvent,
    Withdrawal,
    WorkOrder,
)
from sinks.examples import Action, ReviewExamples, build_example
from sinks.mongo import Store, lead_from_doc, lead_to_doc, to_shanghai
from sinks.queue import CHANGES_ID, QueueIndex, QueuePage, rank_of
from sinks.summaries import mark_weeks_changed, weeks_of

logger = logging.getLogger(__name__)

_OPEN = [s.value for s in OPEN_STATES]
# A backfill of a year of leads takes minutes, far longer than the store's socket time-out.
BACKFILL_TIMEOUT_S = 3600
StatusOutcome = Literal["applied", "duplicate", "unknown_work_order", "not_allowed"]
# What a queue row shows: the history and the outbox stay on the server.
_QUEUE_FIELDS = {"history": 0, "outbox": 0, "applied_events": 0, "facts": 0}
# What a filtered queue matches, ranks and counts by (its leads' texts are read for one page only).
_FILTER_FIELDS = {"state": 1, "deadline": 1, "decision.urgency": 1, "decision.category": 1,
                  "decision.district": 1, "sources.platform": 1}
# The queue rank (sinks.queue.rank_of) computed by the server, for leads stored before ranks.
_RANK_EXPRESSION = {"$concat": [
    "$state", "|", {"$cond": [{"$eq": ["$decision.urgency", "urgent"]}, "0", "1"]}, "|",
    {"$dateToString": {"date": "$deadline", "format": "%Y%m%d%H%M%S%L", "timezone": "UTC"}}, "|", "$_id"]}


class LeadService:
    def __init__(self, store: Store, catalogue: Catalogue, *,
                 now: Callable[[], datetime] = now_shanghai, text_max_chars: int = DEFAULT_TEXT_MAX_CHARS) -> None:
        self.store = store
        self.catalogue = catalogue
        self.now = now
        # Every reason and description a reviewer stores is capped here, whoever calls: a lead
        # (one document, history included) must not grow by megabytes a step.
        self.text_max_chars = text_max_chars
        self._leads = store.leads
        # Every verify, reject, correction (and reopen) leaves a labelled example here, written
        # right after the step, whichever page or API asked for it (sinks/examples.py).
        self.examples = ReviewExamples(store.db)
        self.queue_index = QueueIndex(store.leads, store.db["lead_counts"])

    # --- reading -----------------------------------------------------------------------

    def get(self, lead_id: str) -> Lead:
        return self.store.lead(lead_id)

    def by_work_order(self, order_id: str) -> Lead | None:
        doc = self._leads.find_one({"work_order_id": order_id})
        return lead_from_doc(doc) if doc else None

    def incident_of(self, decision: Decision) -> str | None:
        """The lead of the incident the filter chain said this post belongs to (`dup_of`), if stored.

        The chain worked out the duplicate; this only finds where its first post lives: its own
        lead, or the lead it joined as a source.
        """
        if not decision.dup_of:
            return None
        doc = self._leads.find_one({"$or": [{"_id": lead_id_for(decision.dup_of)},
                                            {"sources.key": decision.dup_of}]}, {"_id": 1})
        return doc["_id"] if doc else None

    def queue(self, *, states: list[str] | None = None, urgency: str | None = None,
              category: str | None = None, district: str | None = None, platform: str | None = None,
              offset: int = 0, limit: int = 50, now: datetime | None = None) -> QueuePage:
        """One page of the review queue: urgent leads first whatever the backlog, then the least
        time left; with the true total, the urgent and the overdue counts of what it was cut from.

        Unfiltered (by state and urgency only) it reads the counting tree (sinks.queue), so its
        cost does not grow with the backlog; a category, district or platform filter reads that
        filter's leads through its (state, field) index and counts them.
        """
        states = states or _OPEN
        urgencies = {"urgent": "0", "general": "1"}.get(urgency or "", "01")
        now = now or self.now()
        offset, limit = max(0, offset), max(1, limit)
        if not (category or district or platform):
            q, memo = self.queue_index, {}
            docs = q.page(states, offset, limit, urgencies, memo, projection=_QUEUE_FIELDS)
            return QueuePage(leads=[lead_from_doc(d) for d in docs], total=q.total(states, urgencies, memo),
                             offset=offset, limit=limit,
                             urgent=q.total(states, "0", memo) if "0" in urgencies else 0,
                             overdue=q.count_before(states, now, urgencies, memo))
        docs = self._filtered(states, category=category, district=district, platform=platform)
        docs = [d for d in docs if _urgency_digit(d) in urgencies]
        docs.sort(key=lambda d: _rank(d).split("|", 1)[1])
        # Matched on a few fields, sorted, then only the page's leads read whole.
        ids = [d["_id"] for d in docs[offset:offset + limit]]
        whole = {d["_id"]: d for d in self._leads.find({"_id": {"$in": ids}}, _QUEUE_FIELDS)}
        leads = [lead_from_doc(whole[i]) for i in ids if i in whole]
        return QueuePage(leads=leads, total=len(docs), offset=offset, limit=limit, counted=False,
                         urgent=sum(1 for d in docs if _urgency_digit(d) == "0"),
                         overdue=sum(1 for d in docs if to_shanghai(d["deadline"]) < now))

    def _filtered(self, states: list[str], **filters: str | None) -> list[dict[str, Any]]:
        """Open leads matching the filters: one (state, field) index per state, the rest checked here."""
        fields = {"category": "decision.category", "district": "decision.district",
                  "platform": "sources.platform"}
        wanted = {fields[k]: v for k, v in filters.items() if v}
        first, value = next(iter(wanted.items()))
        docs: list[dict[str, Any]] = []
        for state in states:
            docs.extend(self._leads.find({"state": state, first: value}, _FILTER_FIELDS))

        def get(doc: dict[str, Any], path: str) -> Any:
            if path == "sources.platform":
                return [s.get("platform") for s in doc.get("sources", [])]
            return doc.get("decision", {}).get(path.split(".", 1)[1])

        def matches(doc: dict[str, Any]) -> bool:
            for path, want in wanted.items():
                got = get(doc, path)
                if (want not in got) if isinstance(got, list) else got != want:
                    return False
            return True

        return [d for d in docs if matches(d)]

    def pending(self, *, category: str | None = None, district: str | None = None,
                platform: str | None = None, state: str | None = None, limit: int = 200) -> list[Lead]:
        """The first `limit` leads of the queue (see queue())."""
        return self.queue(states=[state] if state else None, category=category, district=district,
                          platform=platform, limit=limit).leads

    def rebuild_queue(self) -> int:
        """Give every lead its queue rank and recount the queue's tree (at console start-up).

        Ranks are written for leads stored before ranks existed; the counts are rebuilt when
        there are none yet or ranks were added. Returns how many leads got a rank now.
        """
        added = self._leads.update_many({"queue_rank": {"$exists": False}},
                                        [{"$set": {"queue_rank": _RANK_EXPRESSION}}]).modified_count
        if added or self.store.db["lead_counts"].find_one({"_id": {"$ne": CHANGES_ID}}) is None:
            ranks = (d.get("queue_rank") for d in self._leads.find({}, {"queue_rank": 1}))
            self.queue_index.rebuild(r for r in ranks if r)
        return added

    def overdue(self, now: datetime | None = None) -> list[Lead]:
        """Open leads past their dispatch deadline."""
        query = {"state": {"$in": _OPEN}, "deadline": {"$lt": now or self.now()}}
        return [lead_from_doc(d) for d in self._leads.find(query).sort("deadline", 1)]

    def overdue_work_orders(self, now: datetime | None = None) -> list[Lead]:
        """Dispatched work orders not accepted within their SLA class's time."""
        now = now or self.now()
        leads = (lead_from_doc(d) for d in self._leads.find({"state": LeadState.DISPATCHED.value}))
        return [lead for lead in leads if work_order_overdue(lead, now, self.catalogue.sla_minutes)]

    def stats(self, since: datetime | None = None) -> dict[str, Any]:
        """Counts for the dashboard: by state, category, district, platform; SLA compliance."""
        query = {"discovered_at": {"$gte": since}} if since else {}
        by: dict[str, Counter[str]] = {k: Counter() for k in ("state", "category", "district", "platform")}
        on_time = late = 0
        overdue_by_department: Counter[str] = Counter()
        now = self.now()
        for doc in self._leads.find(query, {"history": 0}):
            lead = lead_from_doc({**doc, "history": []})
            by["state"][lead.state.value] += 1
            by["category"][lead.decision.category or "—"] += 1
            by["district"][lead.decision.district or "—"] += 1
            by["platform"][lead.sources[0].platform if lead.sources else "—"] += 1
            if lead.outbox is not None:
                if lead.outbox.created_at <= lead.deadline:
                    on_time += 1
                else:
                    late += 1
            elif lead.state in OPEN_STATES and lead.deadline < now:
                overdue_by_department[lead.decision.department or "—"] += 1
        total = on_time + late
        return {**{k: dict(v) for k, v in by.items()}, "dispatched_on_time": on_time,
                "dispatched_late": late, "sla_compliance": (on_time / total) if total else None,
                "overdue_by_department": dict(overdue_by_department)}

    def audit(self, *, since: datetime, until: datetime | None = None, actor: str | None = None,
              offset: int = 0, limit: int = 50, include_system: bool = False) -> tuple[list[dict[str, Any]], int]:
        """Who did what when, across leads: history entries from `since` (to `until`), newest first,
        one page of them and how many there are. The crawl's own `discovered` entries are left out
        unless `include_system`. Reads through the multikey `history.at` index."""
        window: dict[str, Any] = {"$gte": since, **({"$lt": until} if until else {})}
        rows: list[dict[str, Any]] = []
        for doc in self._leads.find({"history.at": window}, {"history": 1, "decision.text_masked": 1}):
            for h in doc.get("history", []):
                at = to_shanghai(h["at"])
                if at < since or (until and at >= until):
                    continue
                if not include_system and h.get("action") == "discovered":
                    continue
                if actor and h.get("actor") != actor:
                    continue
                rows.append({**h, "at": at, "lead_id": doc["_id"],
                             "text": (doc.get("decision") or {}).get("text_masked", "")[:60]})
        rows.sort(key=lambda r: r["at"], reverse=True)
        return rows[offset:offset + limit], len(rows)

    def decisions(self) -> list[Decision]:
        """Every stored lead's (possibly corrected) decision, e.g. for the demo's summary."""
        return [DECISIONS.validate_python(d["decision"]) for d in self._leads.find({}, {"decision": 1})]

    def pending_outbox(self, limit: int = 500) -> list[tuple[str, Outbox]]:
        """(lead id, outbox) of dispatched work orders not yet relayed to the stream."""
        docs = self._leads.find({"outbox.state": "pending"}, {"outbox": 1}).limit(limit)
        return [(d["_id"], Outbox.model_validate(to_shanghai(d["outbox"]))) for d in docs]

    def delivered_outbox(self, since: datetime) -> list[tuple[str, Outbox]]:
        """(lead id, outbox) of work orders relayed to the stream since `since` (the relay's
        reconciliation checks that they are still there)."""
        docs = self._leads.find({"outbox.state": "delivered", "outbox.delivered_at": {"$gte": since}},
                                {"outbox": 1})
        return [(d["_id"], Outbox.model_validate(to_shanghai(d["outbox"]))) for d in docs]

    def outbox_pending(self) -> int:
        return self._leads.count_documents({"outbox.state": "pending"})

    # --- writing: the crawl ------------------------------------------------------------

    def record(self, post: Post, decision: Decision, *, text_masked: str, title_masked: str | None,
               author_hash: str, now: datetime) -> tuple[Lead, bool]:
        """Store the masked post and its lead, or join the post to the lead of its incident.

        Returns the lead and whether it was created now. Idempotent: the same post twice
        changes nothing the second time, also when two crawl processes store it at once.
        """
        self.store.save_post(post, text_masked=text_masked, title_masked=title_masked, author_hash=author_hash)
        own_id = lead_id_for(post.key)
        existing = self._leads.find_one({"$or": [{"_id": own_id}, {"sources.key": post.key}]})
        if existing:
            return lead_from_doc(existing), False
        incident = self.incident_of(decision)
        if incident:
            self._leads.update_one(
                {"_id": incident, "sources.key": {"$ne": post.key}},
                {"$push": {"sources": source_of(post).model_dump(mode="python")}, "$inc": {"version": 1},
                 "$set": {"stored_at": now_shanghai()}})
            self.queue_index.touch()
            return self.get(incident), False
        lead = discovered_lead(post, decision, now=now, sla_minutes=self.catalogue.sla_minutes)
        # The wall clock, not `now` (a replay's time): other crawl processes catch up on it.
        doc = self.document(lead, stored_at=now_shanghai())
        doc["facts"]["follows"] = self._follows(lead)
        try:
            self._leads.insert_one(doc)
        except DuplicateKeyError:  # a concurrent writer stored it first
            return self.get(own_id), False
        self.queue_index.shift(None, doc["queue_rank"])
        mark_weeks_changed(self.store.db, weeks_of(doc["facts"]))
        return lead, True

    def document(self, lead: Lead, *, stored_at: datetime | None = None) -> dict[str, Any]:
        """A lead as stored: its fields, its queue rank, its flat facts and when it was stored
        (record() says now; a bulk seed of tests and benchmarks, which inserts the same, leaves
        its discovery time, so no crawl process catches up on a seeded year)."""
        doc = lead_to_doc(lead)
        doc["stored_at"] = stored_at or lead.discovered_at
        doc["queue_rank"] = _rank(doc)
        doc["facts"] = lead_facts(lead, self.catalogue.sla_minutes)
        return doc

    def backfill_facts(self, batch: int = 1000) -> int:
        """Give every lead stored before facts existed (or with an older FACTS_VERSION) its facts;
        returns how many were written. Idempotent, run at start-up (Casebook.ensure_indexes: the
        console, `report weekly`); a lead changed meanwhile is left to the write that changed it.

        Two passes: every lead's own facts first, then which 办结 each one follows (that needs
        the other leads' resolution times).
        """
        with pymongo.timeout(BACKFILL_TIMEOUT_S):
            return self._backfill(batch)

    def _backfill(self, batch: int) -> int:
        done, weeks, located = 0, set[str](), list[tuple[str, int]]()
        updates: list[UpdateOne] = []

        def flush() -> int:
            n = self._leads.bulk_write(updates, ordered=False).modified_count if updates else 0
            updates.clear()
            return n

        # an equality on the facts.v index: missing (None) or an older version
        stale = {"facts.v": {"$in": [None, *range(FACTS_VERSION)]}}
        for doc in self._leads.find(stale, {"queue_rank": 0}, batch_size=batch):
            facts = lead_facts(lead_from_doc(doc), self.catalogue.sla_minutes)
            guard = {"_id": doc["_id"], "version": doc.get("version", 0)}
            updates.append(UpdateOne(guard, {"$set": {"facts": facts}}))
            weeks.update(weeks_of(facts))
            if facts["place"] and (doc.get("decision") or {}).get("item"):
                located.append((doc["_id"], doc.get("version", 0)))
            if len(updates) >= batch:
                done += flush()
        done += flush()
        for lead_id, version in located:
            doc = self._leads.find_one({"_id": lead_id}, {"decision": 1, "discovered_at": 1})
            if doc is None:
                continue
            follows = self._follows_of(lead_id, doc["decision"], to_shanghai(doc["discovered_at"]))
            if follows:
                updates.append(UpdateOne({"_id": lead_id, "version": version}, {"$set": {"facts.follows": follows}}))
            if len(updates) >= batch:
                flush()
        flush()
        mark_weeks_changed(self.store.db, sorted(weeks))
        return done

    def _follows(self, lead: Lead) -> list[dict[str, Any]]:
        return self._follows_of(lead.id, DECISIONS.dump_python(lead.decision), lead.discovered_at)

    def _follows_of(self, lead_id: str, decision: dict[str, Any], discovered_at: datetime) -> list[dict[str, Any]]:
        """The resolved work orders this lead recurs after: same item, district and place (street,
        else district), 办结 at most RECURRENCE_DAYS before its discovery (one indexed query)."""
        place = decision.get("street") or decision.get("district")
        if not (decision.get("item") and place):
            return []
        query = {"decision.item": decision["item"], "facts.place": place,
                 "facts.resolved_at": {"$gte": discovered_at - timedelta(days=RECURRENCE_DAYS), "$lte": discovered_at}}
        found = [{"id": d["_id"], "t": to_shanghai(d["facts"]["resolved_at"])}
                 for d in self._leads.find(query, {"facts.resolved_at": 1, "decision.district": 1})
                 if d["_id"] != lead_id and (d.get("decision") or {}).get("district") == decision.get("district")]
        return sorted(found, key=lambda f: (f["t"], f["id"]))

    def _mark_followers(self, fixed: Lead, resolved_at: datetime) -> None:
        """After a 办结: leads of the same item and place discovered in the RECURRENCE_DAYS after it
        (stored already when the 办结 is applied late) follow it."""
        place = fixed.decision.street or fixed.decision.district
        if not (fixed.decision.item and place):
            return
        until = resolved_at + timedelta(days=RECURRENCE_DAYS)
        # found through the (decision.item, discovered_at) index, then written by id
        ids = [d["_id"] for d in self._leads.aggregate([
            {"$match": {"decision.item": fixed.decision.item, "discovered_at": {"$gte": resolved_at, "$lte": until}}},
            {"$match": {"facts.place": place, "decision.district": fixed.decision.district, "_id": {"$ne": fixed.id}}},
            {"$project": {"_id": 1}}])]
        if ids:
            self._leads.update_many({"_id": {"$in": ids}},
                                    {"$addToSet": {"facts.follows": {"id": fixed.id, "t": resolved_at}}})

    # --- writing: reviewers (console and JSON API) ---------------------------------------

    def verify_and_dispatch(self, lead_id: str, *, actor: str, expected_version: int,
                            corrections: dict[str, Any] | None = None) -> WorkOrder:
        """Verify (with corrections) and dispatch in one write: state, decision, deadline, history
        and outbox. `corrections` may name co-handling departments (`co_departments`, codes)."""
        corrections = {k: v for k, v in (corrections or {}).items() if v not in (None, "", [])}
        for field in ("description", "reason"):
            if isinstance(corrections.get(field), str):
                corrections[field] = self._text(corrections[field], field)
        co = list(corrections.pop("co_departments", []))
        lead = self._current(lead_id, expected_version)
        self._check(lead, LeadState.DISPATCHED)
        decision = corrected_decision(lead.decision, corrections, self.catalogue)
        now = self.now()
        order = build_work_order(lead, decision, self.catalogue, actor=actor, at=now,
                                 description=corrections.get("description"), co_departments=co)
        outbox = Outbox(dispatch_no=dispatch_number(lead), created_at=now, document=order.model_dump(mode="json"))
        details = {k: v for k, v in corrections.items() if k != "description"}
        if co:
            details["co_departments"] = co
        fields = self._deadline_fields(lead, decision, details)
        self._review_step(lead, LeadState.DISPATCHED, at=now, actor=actor, action="verify_and_dispatch",
                          expected_version=expected_version, reason=corrections.get("reason"),
                          set_fields={"decision": DECISIONS.dump_python(decision), **fields,
                                      "work_order_id": order.service_request_id, "return_reason": None,
                                      "co_departments": order.co_departments,
                                      "outbox": outbox.model_dump(mode="python")},
                          details=details)
        self._example(lead, "verify", actor, now, decision)
        return order

    def correct(self, lead_id: str, *, actor: str, expected_version: int, corrections: dict[str, Any]) -> Lead:
        """Save a verifier's corrections without dispatching (the lead stays where it is in the
        lifecycle; a new urgency moves its deadline and its place in the queue)."""
        corrections = {k: v for k, v in corrections.items() if v not in (None, "") and k != "description"}
        if not corrections:
            raise InvalidInputError("nothing to correct", field="corrections")
        lead = self._current(lead_id, expected_version)
        if lead.state not in OPEN_STATES:
            raise TransitionError(lead.id, lead.state.value, lead.state.value)
        decision = corrected_decision(lead.decision, corrections, self.catalogue)
        details = dict(corrections)
        fields = self._deadline_fields(lead, decision, details)
        entry = history_entry(lead, lead.state, at=self.now(), actor=actor, action="correct", details=details)
        if not self._write(lead, entry, {"version": expected_version},
                           set_fields={"decision": DECISIONS.dump_python(decision), **fields}):
            raise StaleLeadError(lead.id, expected_version)
        self._example(lead, "correct", actor, entry.at, decision)
        return self.get(lead.id)

    def withdraw(self, lead_id: str, *, actor: str, expected_version: int, window_s: float,
                 reason: str | None = None) -> Lead:
        """Take back a work order dispatched less than `window_s` ago and not yet 签收: the lead
        returns to review and a `withdrawn` message follows the order on the stream."""
        reason = self._text(reason, "reason") or None if reason else None
        lead = self._current(lead_id, expected_version)
        self._check(lead, LeadState.PENDING_REVIEW)
        now = self.now()
        if not withdrawable(lead, now, window_s):
            raise InvalidInputError(f"a work order can be withdrawn within {window_s / 60:g} minutes of "
                                    "dispatch and before 签收", field="withdraw")
        assert lead.outbox is not None and lead.work_order_id is not None  # withdrawable() checked
        message = Withdrawal(service_request_id=lead.work_order_id, lead_id=lead.id, withdrawn_by=actor,
                             withdrawn_at=now, reason=reason)
        outbox = Outbox(kind="withdrawn", dispatch_no=lead.outbox.dispatch_no, created_at=now,
                        document=message.model_dump(mode="json"))
        return self._review_step(lead, LeadState.PENDING_REVIEW, at=now, actor=actor, action="withdraw",
                                 expected_version=expected_version, reason=reason,
                                 set_fields={"outbox": outbox.model_dump(mode="python")})

    def _deadline_fields(self, lead: Lead, decision: Decision, details: dict[str, Any]) -> dict[str, Any]:
        """A new urgency gives a new dispatch deadline (from discovery, as always); the history
        entry's details record the change."""
        if decision.urgency == lead.decision.urgency:
            return {}
        deadline = deadline_for(lead.discovered_at, decision.urgency, self.catalogue.sla_minutes)
        details["deadline"] = f"{lead.deadline.isoformat()} → {deadline.isoformat()}"
        return {"deadline": deadline}

    def reject(self, lead_id: str, *, actor: str, reason: str, expected_version: int) -> Lead:
        if not reason or not reason.strip():
            raise InvalidInputError("a rejection needs a reason", field="reason")
        reason = self._text(reason, "reason")
        lead = self._current(lead_id, expected_version)
        rejected = self._review_step(lead, LeadState.REJECTED, actor=actor, action="reject",
                                     expected_version=expected_version, reason=reason)
        self._example(lead, "reject", actor, rejected.history[-1].at, lead.decision, reason=reason)
        return rejected

    def merge(self, lead_id: str, into_id: str, *, actor: str, expected_version: int) -> Lead:
        """Mark the lead merged and move its sources to `into_id` (LeadNotFound before any change)."""
        if lead_id == into_id:
            raise InvalidInputError("a lead cannot be merged into itself", field="into")
        into_id = self._text(into_id, "into")
        lead = self._current(lead_id, expected_version)
        target = self.get(into_id)  # LeadNotFound names the target; nothing has changed yet
        merged = self._review_step(lead, LeadState.MERGED, actor=actor, action="merge",
                                   expected_version=expected_version, reason=f"并入 {into_id}",
                                   set_fields={"merged_into": into_id})
        known = {s.key for s in target.sources}
        extra = [s.model_dump(mode="python") for s in lead.sources if s.key not in known]
        note = history_entry(target, target.state, at=self.now(), actor=actor, action="merged_from",
                             reason=f"并入 {lead_id}")
        # No state change on the target, so no $set: a concurrent step on it keeps its state.
        with _refused_as_too_large(into_id):
            self._leads.update_one({"_id": into_id}, {
                "$push": {"sources": {"$each": extra}, "history": note.model_dump(mode="python")},
                "$inc": {"version": 1}})
        self.queue_index.touch()
        return merged

    def reopen(self, lead_id: str, *, actor: str, expected_version: int, reason: str | None = None) -> Lead:
        reason = self._text(reason, "reason") or None if reason else None
        lead = self._current(lead_id, expected_version)
        reopened = self._review_step(lead, LeadState.PENDING_REVIEW, actor=actor, action="reopen",
                                     expected_version=expected_version, reason=reason,
                                     set_fields={"merged_into": None})
        self._example(lead, "reopen", actor, reopened.history[-1].at, lead.decision, reason=reason)
        return reopened

    # --- writing: the dispatch system's side -------------------------------------------

    def mark_delivered(self, lead_id: str, dispatch_no: int, entry_id: str | None,
                       kind: str = "workorder") -> bool:
        """Record that dispatch `dispatch_no` of the lead reached the stream (entry id, when added now).

        Not a lifecycle step, so neither history nor version change: a reviewer's open page
        stays current.
        """
        # The kind too: a withdrawal replaces its order in the outbox with the same dispatch_no.
        kind_guard = "withdrawn" if kind == "withdrawn" else {"$ne": "withdrawn"}
        result = self._leads.update_one(
            {"_id": lead_id, "outbox.state": "pending", "outbox.dispatch_no": dispatch_no, "outbox.kind": kind_guard},
            {"$set": {"outbox.state": "delivered", "outbox.delivered_at": self.now(),
                      "outbox.entry_id": entry_id}})
        return result.modified_count == 1

    def mark_redelivered(self, lead_id: str, dispatch_no: int, entry_id: str) -> bool:
        """Record the new stream entry of a delivered work order the stream had lost (re-sent once)."""
        result = self._leads.update_one(
            {"_id": lead_id, "outbox.state": "delivered", "outbox.dispatch_no": dispatch_no},
            {"$set": {"outbox.entry_id": entry_id}})
        return result.modified_count == 1

    def apply_status(self, event: StatusEvent) -> bool:
        """Apply one status event to its lead, once per event id; False when it changed nothing."""
        return self.apply_status_event(event) == "applied"

    def apply_status_event(self, event: StatusEvent) -> StatusOutcome:
        """Apply one status event and say what became of it: `applied`; `duplicate` (this event
        id was applied before: at-least-once delivery); `unknown_work_order`; `not_allowed` (out
        of order for the lead's state, e.g. 签收 after 办结)."""
        lead = self.by_work_order(event.service_request_id)
        if lead is None:
            logger.warning("status %s for unknown work order %s", event.event_id, event.service_request_id)
            return "unknown_work_order"
        if event.event_id in lead.applied_events:
            return "duplicate"
        to_state = status_step(lead, event)
        if to_state is None:
            logger.warning("status %s (%s) ignored: lead %s is %s", event.event_id, event.status, lead.id,
                           lead.state.value)
            return "not_allowed"
        entry = history_entry(lead, to_state, at=event.at, actor=event.operator or "dispatch",
                              action=event.status, reason=event.reason)
        fields = {"return_reason": event.reason or NO_RETURN_REASON} if to_state == LeadState.RETURNED else {}
        written = self._write(lead, entry, {"state": lead.state.value, "applied_events": {"$ne": event.event_id}},
                              set_fields=fields, push={"applied_events": event.event_id})
        return "applied" if written else "duplicate"  # a concurrent applier wrote it first

    # --- the one update ----------------------------------------------------------------

    def _write(self, lead: Lead, entry: HistoryEntry, guard: dict[str, Any], *,
               set_fields: dict[str, Any] | None = None, push: dict[str, Any] | None = None) -> bool:
        """Move `lead` to `entry.to_state` if `guard` still holds; False when it no longer does.

        The queue rank moves with the state (and with a corrected urgency or deadline), and the
        queue's counts follow once the update has matched.
        """
        set_fields = set_fields or {}
        old_rank = rank_of(lead.state.value, lead.decision.urgency, lead.deadline, lead.id)
        urgency = set_fields["decision"]["urgency"] if "decision" in set_fields else lead.decision.urgency
        new_rank = rank_of(entry.to_state.value, urgency, set_fields.get("deadline", lead.deadline), lead.id)
        after = lead.model_copy(update={
            "state": entry.to_state, "history": [*lead.history, entry],
            "work_order_id": set_fields.get("work_order_id", lead.work_order_id),
            "decision": DECISIONS.validate_python(set_fields["decision"]) if "decision" in set_fields
            else lead.decision})
        facts = lead_facts(after, self.catalogue.sla_minutes)
        facts["follows"] = self._follows(after)
        with _refused_as_too_large(lead.id):
            result = self._leads.update_one(
                {"_id": lead.id, **guard},
                {"$set": {"state": entry.to_state.value, "queue_rank": new_rank, "facts": facts, **set_fields},
                 "$inc": {"version": 1},
                 "$push": {"history": entry.model_dump(mode="python"), **(push or {})}})
        if result.matched_count == 1:
            self.queue_index.shift(old_rank, new_rank)
            if facts["resolved_at"] and lead.state != LeadState.RESOLVED:
                self._mark_followers(after, facts["resolved_at"])
            mark_weeks_changed(self.store.db, weeks_of(facts))
        return result.matched_count == 1

    def _review_step(self, lead: Lead, to_state: LeadState, *, actor: str, action: str,
                     expected_version: int, at: datetime | None = None, reason: str | None = None,
                     set_fields: dict[str, Any] | None = None, details: dict[str, Any] | None = None) -> Lead:
        self._check(lead, to_state)
        entry = history_entry(lead, to_state, at=at or self.now(), actor=actor, action=action, reason=reason,
                              details=details)
        if not self._write(lead, entry, {"version": expected_version}, set_fields=set_fields):
            if self._leads.count_documents({"_id": lead.id}) == 0:
                raise LeadNotFound(lead.id)
            raise StaleLeadError(lead.id, expected_version)
        return self.get(lead.id)

    def _example(self, lead: Lead, action: Action, actor: str, at: datetime, after: Decision, *,
                 reason: str | None = None) -> None:
        """The labelled example of a step just written on `lead` (as it was before the step)."""
        self.examples.add(build_example(lead_id=lead.id, version=lead.version + 1, action=action, actor=actor,
                                        at=at, before=lead.decision, after=after, reason=reason))

    def _text(self, value: str, field: str) -> str:
        """A reviewer's free text, valid and within the cap (InvalidInputError naming the field)."""
        return check_text(value, field, self.text_max_chars)

    @staticmethod
    def _check(lead: Lead, to_state: LeadState) -> None:
        if not can_transition(lead.state, to_state):
            raise TransitionError(lead.id, lead.state.value, to_state.value)

    def _current(self, lead_id: str, expected_version: int) -> Lead:
        lead = self.get(lead_id)
        if lead.version != expected_version:
            raise StaleLeadError(lead_id, expected_version)
        return lead


# The server's codes for "the document after this update would pass 16 MB" (MongoDB 17419 and
# 10334 BSONObjectTooLarge; SecantusDB answers 10334).
_TOO_LARGE_CODES = frozenset({10334, 17419})


@contextmanager
def _refused_as_too_large(lead_id: str) -> Iterator[None]:
    """A write the server refuses because the lead would pass 16 MB becomes LeadTooLargeError."""
    try:
        yield
    except WriteError as exc:
        if exc.code in _TOO_LARGE_CODES or "larger than" in str(exc):
            raise LeadTooLargeError(lead_id) from None
        raise


def _rank(doc: dict[str, Any]) -> str:
    """The queue rank of a stored lead document (sinks.queue.rank_of)."""
    return rank_of(doc["state"], (doc.get("decision") or {}).get("urgency"), doc["deadline"], doc["_id"])


def _urgency_digit(doc: dict[str, Any]) -> str:
    return "0" if (doc.get("decision") or {}).get("urgency") == "urgent" else "1"
