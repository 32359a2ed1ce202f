"""The review queue's order and counts, kept beside the leads so a page costs what it shows.

Every lead document carries `queue_rank` = "state|u|deadline|lead id" (u = 0 for urgent, 1 for
the rest; the deadline as UTC digits), so one range on its index returns one state's leads in
queue order: urgent first whatever the backlog, then the least time left.

SecantusDB (the embedded server) applies sort and limit only after fetching every document its
index matched, so a page has to be asked for by a narrow range, not by "sort, limit 50". The
`lead_counts` collection is a counting tree per state and urgency over the deadline: a root
(its total, and a count per day), a document per day (a count per hour) and per hour (a count
per minute); closed states stop at days. From it a page's minutes, the true totals and the
overdue count come in a few point reads. Only sinks.leads.LeadService calls `shift` and
`rebuild`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

# Deadline prefix lengths: a tree node holds the counts of its children one level down.
DAY, HOUR, MINUTE = 8, 10, 12
# Closed states are rarely paged: their tree stops at days (a year is ~365 small entries).
SHALLOW_STATES = frozenset({"resolved", "rejected", "merged"})
_END = "~"  # sorts after every digit and after "|": closes a prefix range
CHANGES_ID = "~changes"  # a counter bumped by every write: the live queue's ETag


def urgency_digit(urgency: str | None) -> str:
    return "0" if urgency == "urgent" else "1"


def deadline_digits(deadline: datetime) -> str:
    """YYYYMMDDHHMMSSmmm in UTC: sorts as the deadline does."""
    utc = deadline.astimezone(UTC)
    return utc.strftime("%Y%m%d%H%M%S") + f"{utc.microsecond // 1000:03d}"


def rank_of(state: str, urgency: str | None, deadline: datetime, lead_id: str) -> str:
    return f"{state}|{urgency_digit(urgency)}|{deadline_digits(deadline)}|{lead_id}"


def leaf_length(states: Sequence[str]) -> int:
    return DAY if any(s in SHALLOW_STATES for s in states) else MINUTE


def _nodes(rank: str) -> list[tuple[str, str]]:
    """(tree node id, child prefix) pairs that count this rank, root first."""
    state, u, digits, _ = rank.split("|", 3)
    base = f"{state}|{u}|"
    cuts = (0, DAY) if state in SHALLOW_STATES else (0, DAY, HOUR)
    lengths = (DAY, HOUR, MINUTE)
    return [(base + digits[:cut], digits[:lengths[i]]) for i, cut in enumerate(cuts)]


@dataclass
class QueuePage:
    """One page of the queue with the true figures of everything it was cut from."""

    leads: list[Any]
    total: int
    offset: int
    limit: int
    urgent: int = 0
    overdue: int = 0
    counted: bool = True  # False when the figures came from the filtered leads themselves

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1


class QueueIndex:
    """Maintains the counting tree; reads pages, totals and overdue counts from it."""

    def __init__(self, leads: Collection, counts: Collection) -> None:
        self.leads = leads
        self.counts = counts

    # --- writing (LeadService only) -------------------------------------------------

    def shift(self, old_rank: str | None, new_rank: str | None) -> None:
        """Move one lead's count from `old_rank` to `new_rank` (either may be None)."""
        deltas: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        if old_rank != new_rank:
            for node, child in _nodes(old_rank) if old_rank else []:
                deltas[node][child] -= 1
            for node, child in _nodes(new_rank) if new_rank else []:
                deltas[node][child] += 1
        ops = [UpdateOne({"_id": node}, {"$inc": {"n": sum(kids.values()),
                                                  **{f"kids.{c}": d for c, d in kids.items() if d}}},
                         upsert=True)
               for node, kids in deltas.items() if any(kids.values())]
        ops.append(UpdateOne({"_id": CHANGES_ID}, {"$inc": {"n": 1}}, upsert=True))
        try:
            self.counts.bulk_write(ops, ordered=False)
        except BulkWriteError:  # two writers upserting one new node: the loser retries as an update
            self.counts.bulk_write(ops, ordered=False)
        emptied = [UpdateOne({"_id": node, f"kids.{c}": {"$lte": 0}}, {"$unset": {f"kids.{c}": ""}})
                   for node, kids in deltas.items() for c, d in kids.items() if d < 0]
        if emptied:  # empty entries and nodes would only make every read longer
            self.counts.bulk_write(emptied, ordered=False)
            self.counts.delete_many({"_id": {"$in": [node for node, kids in deltas.items()
                                                     if any(d < 0 for d in kids.values())]},
                                     "n": {"$lte": 0}})

    def touch(self) -> None:
        """Count a write that moved no rank (a new source, a delivery): the live queue refreshes."""
        self.counts.update_one({"_id": CHANGES_ID}, {"$inc": {"n": 1}}, upsert=True)

    def rebuild(self, ranks: Iterable[str]) -> int:
        """Recount from scratch (after a crash between a lead's write and its count, or a migration)."""
        nodes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        n = 0
        for rank in ranks:
            n += 1
            for node, child in _nodes(rank):
                nodes[node][child] += 1
        changes = self.changes()
        self.counts.delete_many({})
        docs = [{"_id": k, "n": sum(kids.values()), "kids": dict(kids)} for k, kids in nodes.items()]
        docs.append({"_id": CHANGES_ID, "n": changes + 1})
        for i in range(0, len(docs), 5000):
            self.counts.insert_many(docs[i:i + 5000])
        return n

    # --- reading --------------------------------------------------------------------

    def changes(self) -> int:
        doc = self.counts.find_one({"_id": CHANGES_ID})
        return int(doc["n"]) if doc else 0

    def _read(self, ids: Iterable[str], memo: dict[str, dict[str, Any]]) -> None:
        missing = [i for i in ids if i not in memo]
        if missing:
            found = {d["_id"]: d for d in self.counts.find({"_id": {"$in": missing}})}
            for i in missing:
                memo[i] = found.get(i, {"n": 0, "kids": {}})

    def _children(self, states: Sequence[str], u: str, prefix: str,
                  memo: dict[str, dict[str, Any]]) -> list[tuple[str, int]]:
        """(deadline prefix, count) of the children of `prefix`, summed over states, in order."""
        ids = [f"{s}|{u}|{prefix}" for s in states]
        self._read(ids, memo)
        summed: dict[str, int] = defaultdict(int)
        for i in ids:
            for child, n in memo[i].get("kids", {}).items():
                summed[child] += n
        return sorted((c, n) for c, n in summed.items() if n > 0)

    def total(self, states: Sequence[str], urgencies: str = "01",
              memo: dict[str, dict[str, Any]] | None = None) -> int:
        memo = {} if memo is None else memo
        ids = [f"{s}|{u}|" for s in states for u in urgencies]
        self._read(ids, memo)
        return sum(int(memo[i].get("n", 0)) for i in ids)

    def count_before(self, states: Sequence[str], moment: datetime, urgencies: str = "01",
                     memo: dict[str, dict[str, Any]] | None = None) -> int:
        """Leads of `states` whose deadline is before `moment` (the overdue ones, for now)."""
        memo = {} if memo is None else memo
        digits = deadline_digits(moment)
        leaf = leaf_length(states)
        total = 0
        for u in urgencies:
            prefix = ""
            while True:
                children = self._children(states, u, prefix, memo)
                target = digits[:len(children[0][0])] if children else ""
                total += sum(c for p, c in children if p < target)
                if not any(p == target for p, _ in children):
                    break
                if len(target) == leaf:  # the leaf of `moment` itself: count its leads exactly
                    for s in states:
                        total += sum(1 for _ in self.leads.find({"queue_rank": {
                            "$gte": f"{s}|{u}|{target}", "$lt": f"{s}|{u}|{digits}"}}, {"_id": 1}))
                    break
                prefix = target
        return total

    def page(self, states: Sequence[str], offset: int, limit: int, urgencies: str = "01",
             memo: dict[str, dict[str, Any]] | None = None,
             projection: dict[str, int] | None = None) -> list[dict[str, Any]]:
        """Lead documents at positions [offset, offset + limit) of the queue over `states`
        (urgency digits `urgencies`: "01" both, "0" urgent only, "1" the rest)."""
        memo = {} if memo is None else memo
        leaf = leaf_length(states)
        spans: dict[str, list[str]] = {}  # u → the leaves the page touches, in order
        start_pos: int | None = None
        pos = 0
        end = offset + limit

        def descend(u: str, prefix: str) -> None:
            nonlocal pos, start_pos
            for child, n in self._children(states, u, prefix, memo):
                if pos >= end:
                    return
                if pos + n <= offset:
                    pos += n
                    continue
                if len(child) >= leaf:
                    start_pos = pos if start_pos is None else start_pos
                    spans.setdefault(u, []).append(child)
                    pos += n
                else:
                    descend(u, child)

        for u in urgencies:
            if pos >= end:
                break
            size = self.total(states, u, memo)
            if pos + size <= offset:
                pos += size
                continue
            descend(u, "")
        docs: list[dict[str, Any]] = []
        for u, leaves in spans.items():
            for s in states:
                docs.extend(self.leads.find({"queue_rank": {
                    "$gte": f"{s}|{u}|{leaves[0]}", "$lt": f"{s}|{u}|{leaves[-1]}{_END}"}}, projection))
        docs = [d for d in docs if d.get("state") in states]
        docs.sort(key=lambda d: d["queue_rank"].split("|", 1)[1])  # the order across states
        skip = offset - (start_pos or 0)
        return docs[skip:skip + limit]
