"""What every consumer of our Redis streams shares (docs/faults.md, rows 1 and P): reading one
entry's JSON field into a model, or the reason it cannot be one; and a consumer-group reader that
reads this consumer's own unacknowledged entries before new ones.

Used by sinks/status.py (status events), sinks/suggestions.py (suggestion replies) and
sinks/stream.py (WorkOrderConsumer).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def ensure_group(client: redis.Redis, stream: str, group: str) -> None:
    """Create the consumer group (and the stream) unless it exists."""
    try:
        client.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def load_json(data: bytes | str | None, max_bytes: int, field: str) -> tuple[Any, str | None]:
    """The JSON value in one entry's field, or None and why not (missing, oversize, not UTF-8
    text, bad JSON)."""
    if data is None:
        return None, f"no `{field}` field"
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        return None, f"oversize: {len(raw)} bytes (at most {max_bytes})"
    try:
        payload = json.loads(raw.decode("utf-8"))
        # A "\ud800" escape is valid JSON, but no encoder (BSON, UTF-8) takes the string it gives.
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeError as exc:
        return None, f"not valid UTF-8 text: {exc.reason}"
    except ValueError as exc:
        return None, f"bad JSON: {exc}"
    return payload, None


def parse_entry(data: bytes | str | None, model: type[M], max_bytes: int, noun: str,
                field: str = "event") -> tuple[M | None, str | None]:
    """One entry's `field` as `model` (size cap, UTF-8, JSON, then the model), or None and why
    it is not a `noun`."""
    payload, problem = load_json(data, max_bytes, field)
    if problem is not None:
        return None, problem
    try:
        return model.model_validate(payload), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or noun
        return None, f"invalid {noun}: {where}: {first['msg']}"


def raw_bytes(value: Any, max_bytes: int) -> bytes:
    """A field as it came (a lone surrogate kept as its bytes), cut to max_bytes, for a dead letter."""
    if value is None:
        return b""
    kept = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else bytes(value)
    return kept[:max_bytes]


def dead_letter(client: redis.Redis, *, stream: str, group: str, entry_id: Any, dead_letter_stream: str,
                fields: dict[str, Any]) -> None:
    """Keep an entry on the dead-letter stream (`fields`: what it held and why) and acknowledge
    it, in one MULTI: a crash between the two neither loses it nor letters it twice."""
    pipe = client.pipeline(transaction=True)
    pipe.xadd(dead_letter_stream, fields)
    pipe.xack(stream, group, entry_id)
    pipe.execute()


class GroupReader:
    """One consumer of a consumer group: after a start (or `rewind`), its own unacknowledged
    entries (`0`: what it read before a crash or a failed apply), then new ones (`>`).

    The group is created on the first read, and again when Redis no longer has it (a Redis
    restarted without its data): otherwise every later read would fail with NOGROUP.
    """

    def __init__(self, client: redis.Redis, stream: str, group: str, consumer: str) -> None:
        self.client = client
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self._pending_from: str | None = "0"  # None once the own pending entries are read
        self._group_ready = False  # building needs no live Redis

    def rewind(self) -> None:
        """Read the own pending entries again first (an entry whose apply failed is among them)."""
        self._pending_from = "0"

    def read(self, count: int, block_ms: int | None = None) -> list[tuple[Any, dict[Any, Any] | None]]:
        """Up to `count` entries: own pending ones first, topped up with new ones once those are
        read (waiting up to block_ms only when there is nothing else). Fields are None for an
        entry trimmed from the stream meanwhile."""
        entries: list[tuple[Any, dict[Any, Any] | None]] = []
        if self._pending_from is not None:
            entries = self._xread(self._pending_from, count, None)
            if len(entries) == count:
                self._pending_from = text(entries[-1][0])  # more may follow: go on from here next time
                return entries
            self._pending_from = None
        entries += self._xread(">", count - len(entries), None if entries else block_ms)
        return entries

    def apply_each(self, handle: Callable[[Any, dict[Any, Any] | None], bool], count: int,
                   block_ms: int | None = None) -> int:
        """`handle` each entry `read` gives (it acknowledges or dead-letters); how many it said
        True for. When `handle` raises (e.g. MongoDB is down), the entry stays unacknowledged
        and is read again first next time."""
        done = 0
        try:
            for entry_id, fields in self.read(count, block_ms):
                done += handle(entry_id, fields)
        except BaseException:
            self.rewind()
            raise
        return done

    def _xread(self, start: str, count: int, block_ms: int | None) -> list[tuple[Any, dict[Any, Any] | None]]:
        if not self._group_ready:
            ensure_group(self.client, self.stream, self.group)
            self._group_ready = True
        try:
            reply = self.client.xreadgroup(self.group, self.consumer, {self.stream: start}, count=count,
                                           block=block_ms)
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            ensure_group(self.client, self.stream, self.group)
            reply = self.client.xreadgroup(self.group, self.consumer, {self.stream: start}, count=count,
                                           block=block_ms)
        return [entry for _, batch in reply or [] for entry in batch]
