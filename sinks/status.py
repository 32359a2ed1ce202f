"""The dispatch system's status back-channel (DESIGN.md contract 5): 签收, 退单, 办结.

Events are read with a consumer group and applied exactly once by LeadService.apply_status: the
lead update itself is guarded by "this event id not yet applied", so a repeated event changes
nothing. An event is acknowledged once applied, skipped or found unreadable.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis

from civicwatch.models import StatusEvent
from sinks.leads import LeadService
from sinks.stream import ensure_group

logger = logging.getLogger(__name__)


class StatusApplier:
    """Reads the status stream with a consumer group and hands each event to LeadService.apply_status."""

    def __init__(self, leads: LeadService, client: redis.Redis, *,
                 stream: str = "civicwatch:workorder-status", group: str = "civicwatch",
                 consumer: str = "applier") -> None:
        self.leads = leads
        self.client = client
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self._group_ready = False  # created on the first read: building needs no live Redis

    def apply_pending(self, count: int = 100, block_ms: int | None = None) -> int:
        """Apply up to `count` new events (waiting up to block_ms for one); returns how many changed a lead."""
        if not self._group_ready:
            ensure_group(self.client, self.stream, self.group)
            self._group_ready = True
        applied = 0
        # This consumer's unacknowledged entries first (an apply that failed, e.g. MongoDB was
        # down, is retried), then new ones.
        for start, block in (("0", None), (">", block_ms)):
            reply = self.client.xreadgroup(self.group, self.consumer, {self.stream: start}, count=count,
                                           block=block)
            for _, entries in reply or []:
                for entry_id, fields in entries:
                    applied += self._apply_entry(entry_id, fields)
        return applied

    def _apply_entry(self, entry_id: Any, fields: dict[Any, Any] | None) -> bool:
        fields = fields or {}  # None: the entry was trimmed from the stream meanwhile
        if fields.get(b"type", fields.get("type")) in (b"suggestion", "suggestion"):
            # a reply to a governance suggestion: sinks/suggestions.py applies it
            self.client.xack(self.stream, self.group, entry_id)
            return False
        raw = fields.get(b"event") or fields.get("event")
        try:
            event = StatusEvent.model_validate(json.loads(raw or b""))
        except Exception as exc:  # a bad event must not block the channel
            logger.error("status entry %s unreadable, skipped: %s", entry_id, exc)
            applied = False
        else:
            applied = self.leads.apply_status(event)  # raises (no ack) when MongoDB fails
        self.client.xack(self.stream, self.group, entry_id)
        return applied


def publish_status(client: redis.Redis, event: StatusEvent,
                   stream: str = "civicwatch:workorder-status") -> str:
    """What the dispatch system does (used by tests, the demo and examples)."""
    entry = client.xadd(stream, {"event": event.model_dump_json()})
    return entry.decode() if isinstance(entry, bytes) else entry
