"""A downstream consumer of civicwatch work orders: copy it and replace `commit()`.

    pip install redis
    python examples/consumer.py --redis redis://127.0.0.1:6379/0 --group dispatch --name worker-1

Delivery is at least once: read with a consumer group, commit, then acknowledge. Entries a
crashed consumer left unacknowledged are claimed after --idle-ms; an entry delivered more than
--max-deliveries times, or one that cannot be read or committed, goes to the dead-letter stream
for a person to look at. At start it first reads its own unacknowledged entries. Work orders carry
a deterministic `service_request_id`, so commit() upserts on it and a redelivery is harmless.
The document's schema: docs/workorder.schema.json. Entries with `type` = "suggestion" carry a
governance suggestion instead (docs/suggestion.schema.json), answered with report_suggestion().
"""

from __future__ import annotations

import argparse
import json
import signal
from datetime import UTC
from typing import Any

import redis

STREAM = "civicwatch:workorders"
DEAD = "civicwatch:workorders-dead"
STATUS = "civicwatch:workorder-status"

orders: dict[str, dict[str, Any]] = {}  # stands in for your database


def commit(order: dict[str, Any]) -> None:
    """Upsert by id: the same work order twice is one work order."""
    orders[order["service_request_id"]] = order
    print(f"{order['service_request_id']} {order['service_code']} → {order['agency_responsible']} "
          f"({order['urgency']}, due {order['expected_datetime']})")


def commit_suggestion(suggestion: dict[str, Any]) -> None:
    """A governance suggestion (治理建议, docs/suggestion.schema.json): hand it to the department.
    Entries with `type` = "suggestion" carry one; entries without `type` are work orders."""
    print(f"{suggestion['suggestion_id']} 治理建议 → {suggestion['agency_responsible']} (due {suggestion['deadline']})")


def dead_letter(client: redis.Redis, group: str, entry_id: bytes, fields: dict[bytes, bytes], reason: str) -> None:
    """Keep the entry with why on the dead-letter stream and acknowledge it: it must not block the rest."""
    client.xadd(DEAD, {**{k.decode("utf-8", "replace"): v for k, v in fields.items()}, "reason": reason})
    client.xack(STREAM, group, entry_id)


def handle(client: redis.Redis, group: str, entry_id: bytes, fields: dict[bytes, bytes],
           deliveries: int, max_deliveries: int) -> None:
    if deliveries > max_deliveries:
        dead_letter(client, group, entry_id, fields, f"{deliveries} deliveries")
        return
    try:
        document = json.loads(fields[b"document"].decode("utf-8"))
        if fields.get(b"type") == b"suggestion":  # a governance suggestion, not a work order
            commit_suggestion(document)
        else:
            commit(document)
    except (KeyError, TypeError, ValueError) as exc:  # no document, not UTF-8 or JSON, missing fields
        dead_letter(client, group, entry_id, fields, f"cannot be applied: {type(exc).__name__}: {exc}")
        return
    client.xack(STREAM, group, entry_id)  # only after the commit


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--group", default="dispatch")
    parser.add_argument("--name", default="worker-1")
    parser.add_argument("--idle-ms", type=int, default=60_000)
    parser.add_argument("--max-deliveries", type=int, default=5)
    args = parser.parse_args()
    client = redis.Redis.from_url(args.redis)
    try:
        client.xgroup_create(STREAM, args.group, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
    running = True

    def stop(*_: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    # First this consumer's own unacknowledged entries (it stopped before acking them), once.
    for _, entries in client.xreadgroup(args.group, args.name, {STREAM: "0"}, count=1000) or []:
        for entry_id, fields in entries:
            if fields:
                handle(client, args.group, entry_id, fields, 1, args.max_deliveries)
    while running:
        # Then what others left behind, then new entries.
        _, claimed, *_ = client.xautoclaim(STREAM, args.group, args.name, min_idle_time=args.idle_ms, count=10)
        for entry_id, fields in claimed:
            if fields:
                info = client.xpending_range(STREAM, args.group, min=entry_id, max=entry_id, count=1)
                handle(client, args.group, entry_id, fields, info[0]["times_delivered"] if info else 1,
                       args.max_deliveries)
        for _, entries in client.xreadgroup(args.group, args.name, {STREAM: ">"}, count=10, block=2000) or []:
            for entry_id, fields in entries:
                handle(client, args.group, entry_id, fields, 1, args.max_deliveries)


def report_status(client: redis.Redis, event_id: str, order_id: str, status: str, reason: str | None = None) -> None:
    """Tell civicwatch what happened: 签收 (accepted), 退单 (returned, with reason), 办结 (resolved)."""
    from datetime import datetime

    client.xadd(STATUS, {"event": json.dumps({"event_id": event_id, "service_request_id": order_id,
                                              "status": status, "reason": reason,
                                              "at": datetime.now(UTC).isoformat()},
                                             ensure_ascii=False)})


def report_suggestion(client: redis.Redis, event_id: str, suggestion_id: str, status: str, *,
                      reason: str | None = None, rectified_on: str | None = None) -> None:
    """Answer a suggestion: received, adopted, declined (with reason), rectified (with the date)."""
    from datetime import datetime

    client.xadd(STATUS, {"type": "suggestion", "event": json.dumps({
        "type": "suggestion", "event_id": event_id, "suggestion_id": suggestion_id, "status": status,
        "reason": reason, "rectified_on": rectified_on, "at": datetime.now(UTC).isoformat()},
        ensure_ascii=False)})


if __name__ == "__main__":
    main()
