"""Reviewers' labelled examples (MongoDB `review_examples`): what each verify, reject or
correction in the console said about a lead's post, for `civicwatch train --with-reviews`.

sinks/leads.py writes one here right after the review step it applies (so the console, the JSON
API and bulk actions all leave one); nothing else writes this collection. An example holds the
lead's stored, already-masked text, the reviewer's labels, the model's labels before the step,
who, when, and the model version that decided. README "Learning from reviewers" tells the rest.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import PyMongoError

from civicwatch.models import Decision

logger = logging.getLogger(__name__)

COLLECTION = "review_examples"
Action = Literal["verify", "reject", "correct", "reopen"]
# Rejection reasons that judge how a lead is handled rather than what the post is: a duplicate,
# or a case another channel already handles, is still a lead in kind, so its label says nothing
# about lead or not (its item, place and urgency stay unlabelled too).
HANDLING_REASONS = frozenset({"重复线索", "已由其他渠道处理"})
# One example in this many (by a hash of the lead id, so stable) is held out of training and
# kept for `civicwatch model compare`'s "recent reviews": a model is never scored on reviews it
# was trained on.
HELD_OUT_EVERY = 5


class Labels(BaseModel):
    """Lead or not, and what a lead is: None where the step said nothing about it."""

    is_lead: bool | None
    item: str | None = None
    category: str | None = None
    district: str | None = None
    street: str | None = None
    urgency: str | None = None


class ReviewExample(BaseModel):
    """One reviewer's step on one lead, as a labelled post."""

    id: str                    # `<lead id>@<lead version after the step>`: one per step
    lead_id: str
    action: Action
    actor: str
    at: datetime
    reason: str | None = None
    text_masked: str
    title_masked: str | None = None
    platform: str
    post_id: str
    labels: Labels              # the reviewer's
    model: Labels               # the chain's decision before the step
    model_version: str | None   # the model that decided ("keywords-only" without one)


def labels_of(decision: Decision, is_lead: bool | None) -> Labels:
    return Labels(is_lead=is_lead, item=decision.item, category=decision.category, district=decision.district,
                  street=decision.street, urgency=decision.urgency)


def build_example(*, lead_id: str, version: int, action: Action, actor: str, at: datetime,
                  before: Decision, after: Decision, reason: str | None = None) -> ReviewExample:
    """The example a step leaves. A verify or a correction says "a lead, with these fields" (the
    fields after the corrections); a reject says "not a lead" unless its reason is about handling
    (HANDLING_REASONS); a reopen takes back what earlier steps on the lead said."""
    if action == "reject":
        labels = Labels(is_lead=None) if (reason or "").strip() in HANDLING_REASONS else Labels(is_lead=False)
    elif action == "reopen":
        labels = Labels(is_lead=None)
    else:
        labels = labels_of(after, True)
    return ReviewExample(
        id=f"{lead_id}@{version}", lead_id=lead_id, action=action, actor=actor, at=at, reason=reason,
        text_masked=before.text_masked, title_masked=before.title_masked, platform=before.platform,
        post_id=before.post_id, labels=labels, model=labels_of(before, before.is_lead),
        model_version=before.model_version)


def held_out(lead_id: str) -> bool:
    """Whether this lead's examples are kept out of training (for measuring only)."""
    return int(hashlib.sha256(lead_id.encode()).hexdigest()[:8], 16) % HELD_OUT_EVERY == 0


def latest_per_lead(examples: Iterable[ReviewExample]) -> list[ReviewExample]:
    """Each lead's last word: the newest step per lead, kept only when it labels lead or not
    (a reopen or a handling reason leaves the lead unlabelled); one example per distinct text,
    so a post reposted and rejected many times counts once. Oldest first."""
    last: dict[str, ReviewExample] = {}
    for ex in sorted(examples, key=lambda e: (e.at, e.id)):
        last[ex.lead_id] = ex
    seen: set[str] = set()
    out = []
    for ex in sorted(last.values(), key=lambda e: (e.at, e.id)):
        if ex.labels.is_lead is None or ex.text_masked in seen:
            continue
        seen.add(ex.text_masked)
        out.append(ex)
    return out


def corpus_row(ex: ReviewExample) -> dict[str, Any]:
    """The example as a training-corpus row (reference/labelled-posts.md plus voice, kind and
    template): its own template and kind, so folds keep it whole and apart from corpus posts."""
    lead = bool(ex.labels.is_lead)
    return {
        "platform": ex.platform, "post_id": ex.post_id, "url": f"review:{ex.lead_id}", "author": "",
        "title": ex.title_masked, "text": ex.text_masked, "published_at": ex.at.isoformat(),
        "label": {**ex.labels.model_dump(), "is_lead": lead, "department": None, "dup_group": None,
                  "voice": "review", "kind": "lead" if lead else "review_reject",
                  "template": f"review:{ex.lead_id}"},
    }


class ReviewExamples:
    """The `review_examples` collection."""

    def __init__(self, db: Database) -> None:
        self._coll: Collection = db[COLLECTION]

    def ensure_indexes(self) -> None:
        self._coll.create_index("at")
        self._coll.create_index("lead_id")

    def add(self, example: ReviewExample) -> bool:
        """Store one example (again: no change). A failure is logged, not raised: the review step
        it records has already been written, and the reviewer must not see it as failed."""
        doc = example.model_dump(mode="python", exclude={"id"})
        try:
            self._coll.update_one({"_id": example.id}, {"$setOnInsert": doc}, upsert=True)
        except PyMongoError as exc:
            logger.error("review example %s not stored: %s", example.id, type(exc).__name__)
            return False
        return True

    def since(self, since: datetime | None = None) -> Iterator[ReviewExample]:
        query = {"at": {"$gte": since}} if since else {}
        for doc in self._coll.find(query).sort("at", 1):
            yield ReviewExample.model_validate({**doc, "id": doc.pop("_id")})

    def for_training(self) -> list[ReviewExample]:
        """The examples `train --with-reviews` adds: each lead's last word, held-out leads left out."""
        return [ex for ex in latest_per_lead(self.since()) if not held_out(ex.lead_id)]

    def held_out_recent(self, since: datetime) -> list[ReviewExample]:
        """The held-out examples of steps since `since` (each lead's last word), for measuring."""
        return [ex for ex in latest_per_lead(self.since(since)) if held_out(ex.lead_id)]

    def agreement(self, now: datetime, days: int = 7, version: str | None = None) -> dict[str, Any]:
        """How often reviewers agreed with the model over the last `days`: lead or not (every
        labelled step), and the item and district of the leads they kept. With `version`, only
        the steps on leads that model decided count (`other` says how many others there were)."""
        recent = [ex for ex in self.since(now - timedelta(days=days)) if ex.labels.is_lead is not None]
        steps = [ex for ex in recent if version is None or ex.model_version == version]
        kept = [ex for ex in steps if ex.labels.is_lead]

        def share(rows: list[ReviewExample], same: Any) -> float | None:
            return sum(1 for r in rows if same(r)) / len(rows) if rows else None

        return {
            "days": days, "reviewed": len(steps), "rejected": len(steps) - len(kept), "other": len(recent) - len(steps),
            "lead": share(steps, lambda r: r.labels.is_lead == r.model.is_lead),
            "item": share(kept, lambda r: r.labels.item == r.model.item),
            "district": share(kept, lambda r: r.labels.district == r.model.district),
        }
