"""Work orders to the dispatch system over a Redis stream (DESIGN.md contract 4).

Relay: moves dispatched work orders from the leads' outbox to the stream (LeadService reads the
outbox and records each delivery; this module only talks to Redis). Each entry carries
`id` (the deterministic work-order id) and `document` (the WorkOrder JSON). A Lua script adds
the entry only if this dispatch was never relayed before, in one atomic step, so a crash
between adding and marking the outbox cannot double an entry. Until Redis accepts, the work
order simply stays pending in Mongo.

WorkOrderConsumer: at-least-once reading for downstream systems — consumer groups, ack after
commit, XAUTOCLAIM of stalled entries, and dead letters for entries delivered too often.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import redis

from sinks.streams import GroupReader, dead_letter, ensure_group, load_json, raw_bytes
from sinks.streams import text as _text

if TYPE_CHECKING:  # a downstream reader (WorkOrderConsumer) needs no MongoDB driver
    from sinks.leads import LeadService

logger = logging.getLogger(__name__)

RELAYED_TTL_SECONDS = 90 * 86400


# KEYS[1] relay marker, KEYS[2] stream; ARGV: ttl, id, document, kind. Returns the entry id or
# false. A work order's entry has `id` and `document`; a withdrawal also `type` = withdrawn.
_ADD_ONCE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  if ARGV[4] == 'workorder' then
    return redis.call('XADD', KEYS[2], '*', 'id', ARGV[2], 'document', ARGV[3])
  end
  return redis.call('XADD', KEYS[2], '*', 'id', ARGV[2], 'type', ARGV[4], 'document', ARGV[3])
end
return false
"""


# Re-send once a delivered work order the stream no longer holds (Redis restarted without its
# data). KEYS[1] relay marker, KEYS[2] stream, KEYS[3] re-send marker of this lost entry;
# ARGV: ttl, id, document, entry id recorded in the outbox ('' if none). Atomic, and the re-send
# marker makes two relays reconciling at once add one entry, not two.
_RESEND_IF_LOST = """
if ARGV[4] ~= '' then
  if #redis.call('XRANGE', KEYS[2], ARGV[4], ARGV[4]) > 0 then return false end
elseif redis.call('EXISTS', KEYS[1]) == 1 then
  return false
end
if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[1]) then return false end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
return redis.call('XADD', KEYS[2], '*', 'id', ARGV[2], 'document', ARGV[3])
"""


class Relay:
    """Moves pending outbox entries to the work-order stream; LeadService records each delivery."""

    def __init__(self, leads: LeadService, client: redis.Redis, stream: str = "civicwatch:workorders") -> None:
        self.leads = leads
        self.client = client
        self.stream = stream
        self._add_once = client.register_script(_ADD_ONCE)
        self._resend_if_lost = client.register_script(_RESEND_IF_LOST)
        self._redis_run = None  # the Redis process (its run_id) last reconciled with

    def _marker(self, order_id: str, dispatch_no: int) -> str:
        return f"{self.stream}:relayed:{order_id}:{dispatch_no}"

    def reconcile(self) -> int:
        """Check that work orders marked delivered (within the markers' lifetime) are on the
        stream, by entry id; re-send each missing one once. Returns how many were re-sent.

        Run at start: a Redis that restarted without its data (no append-only file) lost
        entries the outbox says were delivered.
        """
        resent = 0
        since = self.leads.now() - timedelta(seconds=RELAYED_TTL_SECONDS)
        for lead_id, outbox in self.leads.delivered_outbox(since):
            order_id = outbox.document["service_request_id"]
            entry_id = outbox.entry_id or ""
            entry = self._resend_if_lost(
                keys=[self._marker(order_id, outbox.dispatch_no), self.stream,
                      f"{self.stream}:resent:{order_id}:{outbox.dispatch_no}:{entry_id}"],
                args=[RELAYED_TTL_SECONDS, order_id, json.dumps(outbox.document, ensure_ascii=False), entry_id])
            if entry:
                new_id = entry.decode() if isinstance(entry, bytes) else str(entry)
                self.leads.mark_redelivered(lead_id, outbox.dispatch_no, new_id)
                logger.warning("work order %s was missing from the stream; re-sent as %s", order_id, new_id)
                resent += 1
        return resent

    def relay_once(self, limit: int = 500) -> int:
        """Deliver pending outbox entries (after `reconcile` when this Redis is new to the relay:
        the first round, and after every Redis restart); returns how many were added now."""
        added = 0
        try:
            run = self.client.info("server").get("run_id")  # a new one for every Redis start
            if run != self._redis_run or run is None:
                added += self.reconcile()
                self._redis_run = run
        except redis.RedisError as exc:
            logger.warning("work orders not reconciled with the stream yet: %s", exc)
            return added
        for lead_id, outbox in self.leads.pending_outbox(limit):
            order_id = outbox.document["service_request_id"]
            marker = self._marker(order_id, outbox.dispatch_no)
            if outbox.kind != "workorder":
                marker += f":{outbox.kind}"
            try:
                entry = self._add_once(keys=[marker, self.stream],
                                       args=[RELAYED_TTL_SECONDS, order_id,
                                             json.dumps(outbox.document, ensure_ascii=False), outbox.kind])
            except redis.RedisError as exc:
                logger.warning("work order %s waits in the outbox: %s", order_id, exc)
                break
            # entry is None when the marker says an earlier round added it (and crashed before this).
            self.leads.mark_delivered(lead_id, outbox.dispatch_no,
                                      entry.decode() if isinstance(entry, bytes) else entry, kind=outbox.kind)
            if entry:
                added += 1
        return added

    def pending_count(self) -> int:
        return self.leads.outbox_pending()


@dataclass
class Delivery:
    entry_id: str
    order_id: str
    document: dict[str, Any]
    deliveries: int = 1
    # "withdrawn": drop the order with this id; "suggestion": a governance suggestion
    # (sinks/suggestions.py), not a work order
    kind: str = "workorder"


MAX_ENTRY_BYTES = 256 * 1024  # a work order is a few KB (its description is capped at 2,000 characters)


class PoisonEntry(ValueError):
    """An entry that is not a work order, withdrawal or suggestion; `reason` says why."""

    def __init__(self, reason: str, order_id: str = "") -> None:
        self.reason = reason
        self.order_id = order_id
        super().__init__(reason)


def parse_entry(entry_id: Any, fields: dict[Any, Any]) -> Delivery:
    """One stream entry as a Delivery; PoisonEntry when it cannot be one (missing fields, not
    UTF-8, bad JSON, not an object, a lone surrogate, oversize)."""
    f = {_text(k): v for k, v in fields.items()}
    order_id = _text(f.get("id", b""))
    if not order_id:
        raise PoisonEntry("no `id` field")
    document, problem = load_json(f.get("document"), MAX_ENTRY_BYTES, "document")
    if problem is not None:
        raise PoisonEntry(problem, order_id)
    if not isinstance(document, dict):
        raise PoisonEntry(f"document is a JSON {type(document).__name__}, not an object", order_id)
    return Delivery(entry_id=_text(entry_id), order_id=order_id, document=document,
                    kind=_text(f.get("type", b"workorder")))


class WorkOrderConsumer:
    """A consumer-group reader for the work-order stream (see examples/consumer.py).

    On start it reads its own unacknowledged entries (`0`: what it read before a crash) before
    new ones (`>`). An entry that cannot be parsed goes to the dead-letter stream with its reason
    and is acknowledged, so the entries behind it are read.
    """

    def __init__(self, client: redis.Redis, group: str, consumer: str, *,
                 stream: str = "civicwatch:workorders", dead_letter_stream: str = "civicwatch:workorders-dead",
                 max_deliveries: int = 5) -> None:
        self.client = client
        self.group = group
        self.consumer = consumer
        self.stream = stream
        self.dead_letter_stream = dead_letter_stream
        self.max_deliveries = max_deliveries
        self.reader = GroupReader(client, stream, group, consumer)
        ensure_group(client, stream, group)

    def _deliveries(self, entries: list[Any]) -> list[Delivery]:
        out = []
        for entry_id, fields in entries:
            if fields is None:  # trimmed from the stream meanwhile
                self.client.xack(self.stream, self.group, entry_id)
                continue
            try:
                out.append(parse_entry(entry_id, fields))
            except PoisonEntry as exc:
                self._dead_letter_raw(entry_id, fields, exc)
        return out

    def read(self, count: int = 10, block_ms: int | None = None) -> list[Delivery]:
        """This consumer's own pending entries first (once, after a start), then new ones; each
        stays pending until acked. Poison is dead-lettered on the way, so [] means nothing is left."""
        while entries := self.reader.read(count, block_ms):
            found = self._deliveries(entries)
            if found:
                return found
        return []

    def ack(self, delivery: Delivery) -> None:
        self.client.xack(self.stream, self.group, delivery.entry_id)

    def reclaim(self, min_idle_ms: int = 60_000, count: int = 10) -> list[Delivery]:
        """Take over entries other consumers read but did not ack in time; dead-letter repeat offenders."""
        _, entries, *_ = self.client.xautoclaim(self.stream, self.group, self.consumer,
                                                min_idle_time=min_idle_ms, start_id="0-0", count=count)
        if not entries:
            return []
        ids = [eid for eid, _ in entries]
        pending = self.client.xpending_range(self.stream, self.group, min=ids[0], max=ids[-1],
                                             count=len(ids) * 4 + 10)
        times = {p["message_id"]: p["times_delivered"] for p in pending}
        out = []
        for delivery in self._deliveries([(eid, fields) for eid, fields in entries]):
            key = delivery.entry_id.encode() if isinstance(ids[0], bytes) else delivery.entry_id
            delivery.deliveries = int(times.get(key, 1))
            if delivery.deliveries > self.max_deliveries:
                self.dead_letter(delivery, reason=f"delivered {delivery.deliveries} times")
                continue
            out.append(delivery)
        return out

    def dead_letter(self, delivery: Delivery, reason: str) -> None:
        """For an entry that cannot be applied: kept on the dead-letter stream with why, and acked."""
        dead_letter(self.client, stream=self.stream, group=self.group, entry_id=delivery.entry_id,
                    dead_letter_stream=self.dead_letter_stream,
                    fields={"id": delivery.order_id, "entry_id": delivery.entry_id, "reason": reason,
                            "document": json.dumps(delivery.document, ensure_ascii=False)})
        logger.warning("work order %s dead-lettered: %s", delivery.order_id, reason)

    def _dead_letter_raw(self, entry_id: Any, fields: dict[Any, Any], exc: PoisonEntry) -> None:
        """An unparseable entry kept as it came (cut to MAX_ENTRY_BYTES a field), with why, and acked."""
        kept = {f"field:{_text(key)[:100]}": raw_bytes(value, MAX_ENTRY_BYTES) for key, value in fields.items()}
        dead_letter(self.client, stream=self.stream, group=self.group, entry_id=entry_id,
                    dead_letter_stream=self.dead_letter_stream,
                    fields={"id": exc.order_id[:200], "entry_id": _text(entry_id), "reason": exc.reason[:500],
                            **kept})
        logger.warning("work-order stream entry %(entry)s dead-lettered: %(reason)s",
                       {"entry": _text(entry_id), "reason": exc.reason})

    def consume(self, apply: Callable[[Delivery], None], *, count: int = 10, block_ms: int | None = None,
                retry_on: tuple[type[BaseException], ...] = (redis.RedisError, ConnectionError, TimeoutError)) -> int:
        """One step: read (pending first), `apply` each delivery, ack it. An `apply` that raises
        one of `retry_on` (the consumer's own store is down) leaves the entry pending and ends
        the step; any other exception dead-letters that entry with the error as its reason.
        Returns how many were applied."""
        applied = 0
        for delivery in self.read(count, block_ms):
            try:
                apply(delivery)
            except retry_on:
                self.reader.rewind()  # the next step starts with this one again
                raise
            except Exception as exc:  # a document the consumer cannot take must not stall the rest
                self.dead_letter(delivery, reason=f"cannot be applied: {type(exc).__name__}: {exc}"[:500])
                continue
            self.ack(delivery)
            applied += 1
        return applied
