"""Governance suggestions (治理建议): stored, sent on the work-order stream, answered on the status
stream (contract 6). The only writer of the `suggestions` collection.

    raised ─▶ received ─▶ adopted ─▶ rectified
       │          └──────▶ declined (with a reason)
       └─▶ adopted / declined / rectified (a department may skip steps)

Sending works like the work-order outbox: the suggestion is stored with `outbox.state` pending,
and SuggestionRelay adds it to the stream once (a Redis marker and the XADD in one Lua script).
Replies are read by SuggestionReplies in a consumer group of its own on the status stream and
applied once each: the update is guarded by "this event id not yet applied"; a reply that cannot
be read or applied is dead-lettered with its reason (the status stream's dead-letter stream).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import redis
from pydantic import BaseModel, Field
from pymongo.database import Database
from pymongo.errors import ConnectionFailure

from civicwatch.clock import SHANGHAI, now_shanghai
from civicwatch.models import GovernanceSuggestion, SuggestionReply, SuggestionState
from sinks.streams import GroupReader, dead_letter, parse_entry, raw_bytes, text

logger = logging.getLogger(__name__)

TRANSITIONS: dict[str, frozenset[str]] = {
    "raised": frozenset({"received", "adopted", "declined", "rectified"}),
    "received": frozenset({"adopted", "declined", "rectified"}),
    "adopted": frozenset({"rectified"}),
    "declined": frozenset(),
    "rectified": frozenset(),
}
CLOSED_STATES = frozenset({"declined", "rectified"})
REPLY_GROUP = "civicwatch-suggestions"  # its own group: the work-order StatusApplier reads the rest
RELAYED_TTL_SECONDS = 365 * 86400


class ReplyStep(BaseModel):
    """One applied reply, as the suggestion's history shows it."""

    event_id: str
    status: str
    at: datetime
    reason: str | None = None
    rectified_on: date | None = None
    operator: str | None = None


class SuggestionRecord(BaseModel):
    """A stored suggestion: the document sent, where it stands, what the department replied."""

    id: str = Field(alias="_id")
    document: GovernanceSuggestion
    state: SuggestionState = "raised"
    history: list[ReplyStep] = Field(default_factory=list)
    applied_events: list[str] = Field(default_factory=list)
    outbox: dict[str, Any] = Field(default_factory=dict)

    model_config = {"populate_by_name": True}

    @property
    def rectified_on(self) -> date | None:
        return next((h.rectified_on for h in reversed(self.history) if h.status == "rectified"), None)

    @property
    def declined_reason(self) -> str | None:
        return next((h.reason for h in reversed(self.history) if h.status == "declined"), None)

    def overdue(self, now: datetime) -> bool:
        """Past the end of its deadline day (Beijing time) and neither rectified nor declined."""
        due = datetime.combine(self.document.deadline + timedelta(days=1), time(0), tzinfo=SHANGHAI)
        return self.state not in CLOSED_STATES and now >= due


def new_suggestion_id(raised_at: datetime) -> str:
    """GS-<date raised>-<random>: two suggestions on one case at one moment are still two."""
    return f"GS-{raised_at.astimezone(SHANGHAI):%Y%m%d}-{secrets.token_hex(4).upper()}"


def _from_doc(doc: dict[str, Any]) -> SuggestionRecord:
    record = SuggestionRecord.model_validate(doc)
    for step in record.history:
        step.at = step.at.astimezone(SHANGHAI)
    return record


class SuggestionStore:
    """The `suggestions` collection: raise, list, apply replies."""

    def __init__(self, db: Database[Any], *, now: Callable[[], datetime] = now_shanghai) -> None:
        self.suggestions = db["suggestions"]
        self.now = now

    def ensure_indexes(self) -> None:
        self.suggestions.create_index("document.case_key")
        self.suggestions.create_index("state")
        self.suggestions.create_index("outbox.state")

    def raise_suggestion(self, *, raised_by: str, **fields: Any) -> GovernanceSuggestion:
        """Store a new suggestion, ready for the relay (ValidationError on bad input)."""
        raised_at = self.now()
        document = GovernanceSuggestion(
            suggestion_id=new_suggestion_id(raised_at), raised_by=raised_by,
            raised_at=raised_at, **fields)
        # The document as sent (JSON types: BSON has no date); times to sort by beside it.
        self.suggestions.insert_one({
            "_id": document.suggestion_id, "document": document.model_dump(mode="json"),
            "raised_at": raised_at, "deadline": document.deadline.isoformat(),
            "state": "raised", "history": [], "applied_events": [],
            "outbox": {"state": "pending", "created_at": raised_at},
        })
        return document

    def get(self, suggestion_id: str) -> SuggestionRecord | None:
        doc = self.suggestions.find_one({"_id": suggestion_id})
        return _from_doc(doc) if doc else None

    def for_case(self, case_key: str) -> list[SuggestionRecord]:
        docs = self.suggestions.find({"document.case_key": case_key}).sort("raised_at", -1)
        return [_from_doc(d) for d in docs]

    def open(self) -> list[SuggestionRecord]:
        """Suggestions neither rectified nor declined, oldest deadline first."""
        docs = self.suggestions.find({"state": {"$nin": sorted(CLOSED_STATES)}}).sort("deadline", 1)
        return [_from_doc(d) for d in docs]

    def apply(self, reply: SuggestionReply) -> bool:
        """Apply one reply; False when already applied, unknown or not a step from where it stands."""
        doc = self.suggestions.find_one({"_id": reply.suggestion_id}, {"state": 1, "applied_events": 1})
        if doc is None:
            logger.warning("reply %s for unknown suggestion %s", reply.event_id, reply.suggestion_id)
            return False
        if reply.event_id in doc.get("applied_events", []):
            return False
        if reply.status not in TRANSITIONS[doc["state"]]:
            logger.warning("reply %s (%s) ignored: suggestion %s is %s", reply.event_id, reply.status,
                           reply.suggestion_id, doc["state"])
            return False
        step = ReplyStep(event_id=reply.event_id, status=reply.status, at=reply.at, reason=reply.reason,
                         rectified_on=reply.rectified_on, operator=reply.operator)
        result = self.suggestions.update_one(
            {"_id": reply.suggestion_id, "state": doc["state"], "applied_events": {"$ne": reply.event_id}},
            {"$set": {"state": reply.status},
             "$push": {"history": step.model_dump(mode="json"),
                       "applied_events": reply.event_id}})
        return result.modified_count == 1

    # --- the outbox ----------------------------------------------------------------------

    def pending(self, limit: int) -> list[dict[str, Any]]:
        return list(self.suggestions.find({"outbox.state": "pending"}, {"document": 1}).limit(limit))

    def delivered(self, suggestion_id: str, entry_id: str | None) -> None:
        self.suggestions.update_one({"_id": suggestion_id, "outbox.state": "pending"},
                                    {"$set": {"outbox.state": "delivered", "outbox.delivered_at": self.now(),
                                              "outbox.entry_id": entry_id}})


# KEYS[1] relay marker, KEYS[2] stream; ARGV: ttl, id, document. Returns the entry id or false.
_ADD_SUGGESTION_ONCE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], '*', 'type', 'suggestion', 'id', ARGV[2], 'document', ARGV[3])
end
return false
"""


class SuggestionRelay:
    """Puts raised suggestions on the work-order stream, each once."""

    def __init__(self, store: SuggestionStore, client: redis.Redis,
                 stream: str = "civicwatch:workorders") -> None:
        self.store = store
        self.stream = stream
        self._add_once = client.register_script(_ADD_SUGGESTION_ONCE)

    def relay_once(self, limit: int = 100) -> int:
        added = 0
        for doc in self.store.pending(limit):
            document = GovernanceSuggestion.model_validate(doc["document"])
            marker = f"{self.stream}:relayed:{document.suggestion_id}"
            try:
                entry = self._add_once(keys=[marker, self.stream], args=[
                    RELAYED_TTL_SECONDS, document.suggestion_id, document.model_dump_json()])
            except redis.RedisError as exc:
                logger.warning("suggestion %s waits in the outbox: %s", document.suggestion_id, exc)
                break
            self.store.delivered(document.suggestion_id, entry.decode() if isinstance(entry, bytes) else entry)
            added += bool(entry)
        return added


MAX_REPLY_BYTES = 16 * 1024  # a reply is a few hundred bytes; more is not a reply


def read_reply(raw: bytes | str | None) -> tuple[SuggestionReply | None, str | None]:
    """The reply in one entry's `event` field, or None and why it is not one."""
    return parse_entry(raw, SuggestionReply, MAX_REPLY_BYTES, "reply")


class SuggestionReplies:
    """Reads the status stream in its own consumer group; applies the entries typed "suggestion".

    Its own unacknowledged entries first (an apply MongoDB failed), then new ones; a reply that
    cannot be read or applied goes to the dead-letter stream with its reason and is acknowledged.
    """

    def __init__(self, store: SuggestionStore, client: redis.Redis, *,
                 stream: str = "civicwatch:workorder-status", group: str = REPLY_GROUP,
                 consumer: str = "suggestions",
                 dead_letter_stream: str = "civicwatch:workorder-status-dead") -> None:
        self.store = store
        self.client = client
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self.dead_letter_stream = dead_letter_stream
        self.reader = GroupReader(client, stream, group, consumer)

    def apply_pending(self, count: int = 100, block_ms: int | None = None) -> int:
        return self.reader.apply_each(self._apply_entry, count, block_ms)

    def _apply_entry(self, entry_id: Any, fields: dict[Any, Any] | None) -> bool:
        if not fields or fields.get(b"type", fields.get("type")) not in (b"suggestion", "suggestion"):
            self.client.xack(self.stream, self.group, entry_id)  # trimmed, or a work-order status event
            return False
        raw = fields.get(b"event", fields.get("event"))
        reply, problem = read_reply(raw)
        if reply is not None:
            try:
                done = self.store.apply(reply)
            except ConnectionFailure:
                raise  # MongoDB is down: left pending, read again first next time
            except Exception as exc:  # this reply cannot be stored: it must not stall the ones behind it
                problem = f"cannot be applied: {type(exc).__name__}: {exc}"[:500]
            else:
                self.client.xack(self.stream, self.group, entry_id)
                return done
        self._dead_letter(entry_id, raw, problem or "unreadable")
        return False

    def _dead_letter(self, entry_id: Any, raw: Any, reason: str) -> None:
        dead_letter(self.client, stream=self.stream, group=self.group, entry_id=entry_id,
                    dead_letter_stream=self.dead_letter_stream,
                    fields={"entry_id": text(entry_id), "stream": self.stream, "type": "suggestion",
                            "reason": reason, "event": raw_bytes(raw, MAX_REPLY_BYTES)})
        logger.warning("suggestion reply %(entry)s dead-lettered: %(reason)s",
                       {"entry": text(entry_id), "reason": reason})


def publish_reply(client: redis.Redis, reply: SuggestionReply,
                  stream: str = "civicwatch:workorder-status") -> str:
    """What a department's system does (tests, examples/consumer.py)."""
    entry = client.xadd(stream, {"type": "suggestion", "event": reply.model_dump_json()})
    return entry.decode() if isinstance(entry, bytes) else entry


class SuggestionLoop:
    """One round of both directions, for a process that relays (`civicwatch review`, `suggestions relay`)."""

    def __init__(self, db: Database[Any], client: redis.Redis, *, workorder_stream: str = "civicwatch:workorders",
                 status_stream: str = "civicwatch:workorder-status",
                 dead_letter_stream: str = "civicwatch:workorder-status-dead") -> None:
        store = SuggestionStore(db)
        self.relay = SuggestionRelay(store, client, workorder_stream)
        self.replies = SuggestionReplies(store, client, stream=status_stream, dead_letter_stream=dead_letter_stream)

    def step(self) -> tuple[int, int]:
        """(suggestions sent, replies applied) this round."""
        return self.relay.relay_once(), self.replies.apply_pending()
