"""The dispatch system's status back-channel (DESIGN.md contract 5): 签收, 退单, 办结.

Events are read with a consumer group and applied exactly once: the lead update itself is
guarded by "this event id not yet applied", so a repeated event changes nothing.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis

from civicwatch.lifecycle import can_transition
from civicwatch.models import HistoryEntry, LeadState, StatusEvent
from sinks.mongo import Store
from sinks.stream import ensure_group

logger = logging.getLogger(__name__)

STATE_FOR = {"签收": LeadState.ACCEPTED, "退单": LeadState.RETURNED, "办结": LeadState.RESOLVED}


class StatusApplier:
    def __init__(self, store: Store, client: redis.Redis, *, stream: str = "civicwatch:workorder-status",
                 group: str = "civicwatch", consumer: str = "applier") -> None:
        self.store = store
        self.client = client
        self.stream = stream
        self.group = group
        self.consumer = consumer
        ensure_group(client, stream, group)

    def apply(self, event: StatusEvent) -> bool:
        """Apply one event to its lead; False when already applied, unknown or out of order."""
        doc = self.store.leads.find_one({"work_order_id": event.service_request_id},
                                        {"state": 1, "applied_events": 1})
        if doc is None:
            logger.warning("status %s for unknown work order %s", event.event_id, event.service_request_id)
            return False
        if event.event_id in (doc.get("applied_events") or []):
            return False
        to_state = STATE_FOR[event.status]
        from_state = LeadState(doc["state"])
        if not can_transition(from_state, to_state):
            logger.warning("status %s (%s) ignored: lead %s is %s", event.event_id, event.status,
                           doc["_id"], from_state.value)
            return False
        entry = HistoryEntry(at=event.at, actor=event.operator or "dispatch", action=event.status,
                             from_state=from_state, to_state=to_state, reason=event.reason)
        fields: dict[str, Any] = {"state": to_state.value}
        if to_state == LeadState.RETURNED:
            fields["return_reason"] = event.reason or "（未说明原因）"
        result = self.store.leads.update_one(
            {"_id": doc["_id"], "applied_events": {"$ne": event.event_id}, "state": from_state.value},
            {"$set": fields, "$inc": {"version": 1},
             "$push": {"history": entry.model_dump(mode="python"), "applied_events": event.event_id}})
        return result.modified_count == 1

    def apply_pending(self, count: int = 100, block_ms: int | None = None) -> int:
        reply = self.client.xreadgroup(self.group, self.consumer, {self.stream: ">"}, count=count,
                                       block=block_ms)
        applied = 0
        for _, entries in reply or []:
            for entry_id, fields in entries:
                if fields.get(b"type", fields.get("type")) in (b"suggestion", "suggestion"):
                    # a reply to a governance suggestion: sinks/suggestions.py applies it
                    self.client.xack(self.stream, self.group, entry_id)
                    continue
                raw = fields.get(b"event") or fields.get("event")
                try:
                    event = StatusEvent.model_validate(json.loads(raw))
                except Exception as exc:  # a bad event must not block the channel
                    logger.error("status entry %s unreadable, skipped: %s", entry_id, exc)
                else:
                    applied += self.apply(event)
                self.client.xack(self.stream, self.group, entry_id)
        return applied


def publish_status(client: redis.Redis, event: StatusEvent,
                   stream: str = "civicwatch:workorder-status") -> str:
    """What the dispatch system does (used by tests, the demo and examples)."""
    entry = client.xadd(stream, {"event": event.model_dump_json()})
    return entry.decode() if isinstance(entry, bytes) else entry
