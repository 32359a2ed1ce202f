"""The query planner's state in MongoDB (filters/planner.py decides, this module remembers).

Collections:
- planner_queries: _id = platform:query; one civicwatch.queries.QueryState (asks, requests, leads,
  last asked round, decayed yield, follow-up due)
- planner_rounds:  _id = platform; `round`, the platform's polling-round counter, and `log`, its
  latest KEEP_ROUNDS planned rounds (RoundLog), oldest first
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from pymongo import ReplaceOne, ReturnDocument
from pymongo.database import Database

from civicwatch.queries import PlannedQuery, QueryState, RoundLog

KEEP_ROUNDS = 48  # two default coverage periods
_STATE_FIELDS = frozenset(f.name for f in fields(QueryState))
_LOG_FIELDS = frozenset(f.name for f in fields(RoundLog))


def _state(doc: dict[str, Any]) -> QueryState:
    return QueryState(**{k: v for k, v in doc.items() if k in _STATE_FIELDS})


def _log(doc: dict[str, Any]) -> RoundLog:
    log = RoundLog(**{k: v for k, v in doc.items() if k in _LOG_FIELDS and k != "planned"})
    log.planned = [PlannedQuery(**p) for p in doc.get("planned", [])]
    return log


class PlannerStore:
    def __init__(self, db: Database) -> None:
        self.queries = db["planner_queries"]
        self.rounds = db["planner_rounds"]

    def ensure_indexes(self) -> None:
        self.queries.create_index("platform")

    # --- rounds ------------------------------------------------------------------------------

    def next_round(self, platform: str) -> int:
        """Start the platform's next polling round and return its number (1 for the first)."""
        doc = self.rounds.find_one_and_update({"_id": platform}, {"$inc": {"round": 1}}, upsert=True,
                                              return_document=ReturnDocument.AFTER)
        return int(doc["round"])

    def current_round(self, platform: str) -> int:
        doc = self.rounds.find_one({"_id": platform}, {"round": 1})
        return int(doc["round"]) if doc else 0

    def log_round(self, log: RoundLog, at: datetime) -> None:
        entry = {**asdict(log), "at": at}
        self.rounds.update_one({"_id": log.platform},
                               {"$push": {"log": {"$each": [entry], "$slice": -KEEP_ROUNDS}}}, upsert=True)

    def round_logs(self, platform: str) -> list[RoundLog]:
        doc = self.rounds.find_one({"_id": platform}, {"log": 1}) or {}
        return [_log(entry) for entry in doc.get("log", [])]

    def platforms(self) -> list[str]:
        return sorted(str(d["_id"]) for d in self.rounds.find({}, {"_id": 1}))

    # --- queries -----------------------------------------------------------------------------

    def load(self, platform: str) -> dict[str, QueryState]:
        return {d["query"]: _state(d) for d in self.queries.find({"platform": platform})}

    def save(self, states: Iterable[QueryState]) -> int:
        ops = [ReplaceOne({"_id": s.key}, {"_id": s.key, **asdict(s)}, upsert=True) for s in states]
        if ops:
            self.queries.bulk_write(ops, ordered=False)
        return len(ops)
