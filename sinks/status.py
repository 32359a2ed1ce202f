"""The dispatch system's status back-channel (contract 5): 签收, 退单, 办结 (or accepted, returned,
resolved), one JSON event per stream entry in its `event` field; docs/status-event.schema.json.

Events are read with a consumer group and applied once by LeadService.apply_status_event: the
lead update itself is guarded by "this event id not yet applied", so a repeated event changes
nothing. An entry that cannot be applied (not valid UTF-8 text, a lone-surrogate escape
included; bad JSON, not a valid event, too large, an unknown work order, a step the lead's state
does not allow) goes to the dead-letter stream with its reason and is acknowledged; nothing else
changes (so does an event whose write MongoDB refuses for the data itself). An entry is left
unacknowledged only when MongoDB cannot be reached, and this consumer reads its own
unacknowledged entries again before new ones (sinks/streams.py GroupReader).
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from pymongo.errors import ConnectionFailure

from civicwatch.models import StatusEvent
from sinks.leads import LeadService
from sinks.streams import GroupReader, dead_letter, parse_entry, raw_bytes
from sinks.streams import text as _text

logger = logging.getLogger(__name__)

MAX_EVENT_BYTES = 16 * 1024  # an event is a few hundred bytes; more is not an event
DEAD_LETTER_REASONS = {"unknown_work_order": "unknown work order",
                       "not_allowed": "not allowed in the lead's current state"}


def read_event(raw: bytes | str | None) -> tuple[StatusEvent | None, str | None]:
    """The event in one entry's `event` field, or None and why it is not one."""
    return parse_entry(raw, StatusEvent, MAX_EVENT_BYTES, "event")


class StatusApplier:
    """Reads the status stream with a consumer group and hands each event to LeadService."""

    def __init__(self, leads: LeadService, client: redis.Redis, *,
                 stream: str = "civicwatch:workorder-status", group: str = "civicwatch",
                 consumer: str = "applier",
                 dead_letter_stream: str = "civicwatch:workorder-status-dead") -> None:
        self.leads = leads
        self.client = client
        self.stream = stream
        self.group = group
        self.consumer = consumer  # one name per deployment: a new leader takes over the old one's entries
        self.dead_letter_stream = dead_letter_stream
        self.reader = GroupReader(client, stream, group, consumer)

    def apply_pending(self, count: int = 100, block_ms: int | None = None) -> int:
        """Apply up to `count` events, this consumer's unacknowledged ones first (waiting up to
        block_ms for one); returns how many changed a lead."""
        return self.reader.apply_each(self._apply_entry, count, block_ms)

    def _apply_entry(self, entry_id: Any, fields: dict[Any, Any] | None) -> bool:
        if fields is None:  # trimmed from the stream meanwhile: nothing left to apply
            self.client.xack(self.stream, self.group, entry_id)
            return False
        if fields.get(b"type", fields.get("type")) in (b"suggestion", "suggestion"):
            # a reply to a governance suggestion: sinks/suggestions.py applies it
            self.client.xack(self.stream, self.group, entry_id)
            return False
        raw = fields.get(b"event", fields.get("event"))
        event, problem = read_event(raw)
        if event is not None:
            try:
                outcome = self.leads.apply_status_event(event)
            except ConnectionFailure:
                raise  # MongoDB is down: no ack, this consumer reads it again first
            except Exception as exc:  # e.g. a lead MongoDB will not grow: must not stall the events behind
                outcome, problem = None, f"cannot be applied: {type(exc).__name__}: {exc}"[:500]
            else:
                problem = DEAD_LETTER_REASONS.get(outcome)
            if outcome is not None and problem is None:  # applied, or a repeat of an applied event
                self.client.xack(self.stream, self.group, entry_id)
                return outcome == "applied"
        self._dead_letter(entry_id, raw, problem or "unreadable")
        return False

    def _dead_letter(self, entry_id: Any, raw: Any, reason: str) -> None:
        """Keep the entry as it came, with why, and acknowledge it."""
        dead_letter(self.client, stream=self.stream, group=self.group, entry_id=entry_id,
                    dead_letter_stream=self.dead_letter_stream,
                    fields={"entry_id": _text(entry_id), "stream": self.stream, "reason": reason,
                            "event": raw_bytes(raw, MAX_EVENT_BYTES)})
        logger.warning("status entry %(entry)s dead-lettered: %(reason)s", {"entry": _text(entry_id), "reason": reason})


def publish_status(client: redis.Redis, event: StatusEvent,
                   stream: str = "civicwatch:workorder-status") -> str:
    """What the dispatch system does (used by tests, the demo and examples)."""
    entry = client.xadd(stream, {"event": event.model_dump_json()})
    return entry.decode() if isinstance(entry, bytes) else entry
