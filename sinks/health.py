"""Source health per platform in MongoDB: current state with its evidence, rounds, state changes.

Collections: `source_health` (_id = platform: state, reason, evidence, since, last success,
last new post, backoff), `source_rounds` (one document per polling round, for posts in the last
hour/day), `source_events` (every state change, with its evidence).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pymongo.database import Database

from civicwatch.clock import SHANGHAI

State = Literal["ok", "degraded", "down"]


class HealthStore:
    def __init__(self, db: Database) -> None:
        self.health = db["source_health"]
        self.rounds = db["source_rounds"]
        self.events = db["source_events"]

    def ensure_indexes(self) -> None:
        self.rounds.create_index([("platform", 1), ("at", -1)])
        self.events.create_index([("platform", 1), ("at", -1)])

    def get(self, platform: str) -> dict[str, Any] | None:
        return self.health.find_one({"_id": platform})

    def record_round(self, platform: str, *, at: datetime, state: State, reason: str, evidence: list[str],
                     posts: int, new_posts: int, errors: int, outcomes: dict[str, int] | None = None) -> bool:
        """Store a round's result (with its response outcome counts); True when the state changed
        (logged by the caller)."""
        previous = self.get(platform)
        changed = previous is None or previous.get("state") != state
        update: dict[str, Any] = {"state": state, "reason": reason, "evidence": evidence[:10], "last_round": at,
                                  "last_round_posts": posts}
        if changed:
            update["since"] = at
        if state == "ok":
            update["last_success"] = at
        if new_posts:
            update["last_new_post"] = at
        self.health.update_one({"_id": platform}, {"$set": update, "$inc": {"errors_total": errors}},
                               upsert=True)
        self.rounds.insert_one({"platform": platform, "at": at, "posts": posts, "new_posts": new_posts,
                                "errors": errors, "state": state, "outcomes": dict(outcomes or {})})
        if changed:
            self.events.insert_one({"platform": platform, "at": at, "from": previous.get("state") if previous else None,
                                    "to": state, "reason": reason, "evidence": evidence[:10]})
        return changed

    def set_backoff(self, platform: str, seconds: float) -> None:
        self.health.update_one({"_id": platform}, {"$set": {"backoff_s": seconds}}, upsert=True)

    def posts_since(self, platform: str, since: datetime) -> int:
        return sum(r.get("posts", 0) for r in self.rounds.find({"platform": platform, "at": {"$gte": since}}))

    def table(self, now: datetime) -> list[dict[str, Any]]:
        rows = []
        for doc in self.health.find().sort("_id", 1):
            p = doc["_id"]
            rows.append({**doc, "platform": p,
                         "posts_hour": self.posts_since(p, now - timedelta(hours=1)),
                         "posts_day": self.posts_since(p, now - timedelta(days=1))})
        return rows


    def changes(self, platform: str, limit: int = 10) -> list[dict[str, Any]]:
        """The platform's latest state changes, newest first, with their evidence."""
        return list(self.events.find({"platform": platform}).sort("at", -1).limit(limit))

    def outcomes_by_hour(self, platform: str, since: datetime) -> list[tuple[datetime, dict[str, int]]]:
        """Response outcome counts of the platform's rounds since `since`, summed per hour."""
        hours: dict[datetime, dict[str, int]] = {}
        for r in self.rounds.find({"platform": platform, "at": {"$gte": since}}):
            at = r["at"].astimezone(SHANGHAI).replace(minute=0, second=0, microsecond=0)
            bucket = hours.setdefault(at, {})
            for outcome, n in (r.get("outcomes") or {}).items():
                bucket[outcome] = bucket.get(outcome, 0) + int(n)
        return sorted(hours.items())


def local(dt: datetime | None) -> str:
    return dt.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if dt else "—"
