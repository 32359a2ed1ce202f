"""Per-week summaries of the class-case figures (`analytics_weeks`), rebuilt when their week moved.

One document per ISO week (Beijing time): the week's leads grouped by item, category, district,
street and department (counts, work-order facts, the weekdays with a lead), and the recurrences
after 办结 found in the week (each lead's facts name the 办结 it follows). sinks/leads.py bumps a
week's `changes` counter with every write to one of its leads (and, for a 办结, the weeks of the
30 days after it); a summary built from an older counter value is rebuilt on the next read. An
8-week page then reads eight small documents instead of every lead of the period.
docs/classcases.md ("In the database") describes both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import pymongo
from pymongo import UpdateOne
from pymongo.database import Database

from civicwatch.lifecycle import RECURRENCE_DAYS
from civicwatch.weeks import week_of, week_start

COLLECTION = "analytics_weeks"
# One week's aggregation at a year's volume may take longer than the store's short socket
# time-out on a loaded embedded server; it is bounded by this instead.
BUILD_TIMEOUT_S = 120
# Bumped when a summary's content changes shape: summaries of another version are rebuilt.
SUMMARY_VERSION = 1
# Merged leads are another lead's incident; rejected ones are not problems.
EXCLUDED_STATES = ("merged", "rejected")
CELL_KEY = ("item", "category", "district", "street", "department")
CELL_SUMS = ("work_orders", "on_time", "late", "returned", "resolved")
_FACT_OF = {"work_orders": "wo", "on_time": "on_time", "late": "late", "returned": "returned",
            "resolved": "resolved"}


def mark_weeks_changed(db: Database[Any], weeks: Iterable[str]) -> None:
    """Bump the change counter of each week (called by the one writer after a lead changed)."""
    ops = [UpdateOne({"_id": w}, {"$inc": {"changes": 1}}, upsert=True) for w in dict.fromkeys(weeks)]
    if ops:
        db[COLLECTION].bulk_write(ops, ordered=False)


def weeks_between(start: datetime, end: datetime) -> list[str]:
    """The ISO week labels of [start, end); both must be Monday 00:00 Beijing time."""
    labels, t = [], start
    if week_start(week_of(start)) != start or week_start(week_of(end)) != end:
        raise ValueError(f"a period of whole weeks is needed, not {start.isoformat()} – {end.isoformat()}")
    while t < end:
        labels.append(week_of(t))
        t += timedelta(weeks=1)
    return labels


def recurrence_weeks(resolved_at: datetime) -> list[str]:
    """The weeks whose leads may recur after a 办结 at `resolved_at` (its summaries must be rebuilt)."""
    first, last = week_of(resolved_at), week_of(resolved_at + timedelta(days=RECURRENCE_DAYS))
    labels = [first]
    while labels[-1] != last:
        labels.append(week_of(week_start(labels[-1]) + timedelta(weeks=1)))
    return labels


def weeks_of(facts: dict[str, Any]) -> list[str]:
    """The weeks whose summaries a lead's facts (civicwatch.lifecycle.lead_facts) take part in: its
    own, and after a 办结 the weeks in which a lead may be found to recur after it."""
    return [facts["week"], *(recurrence_weeks(facts["resolved_at"]) if facts.get("resolved_at") else [])]


class WeekSummaries:
    """Reads (and rebuilds when stale) the summaries of weeks; the `leads` collection is only read."""

    def __init__(self, db: Database[Any]) -> None:
        self.leads = db["leads"]
        self.weeks = db[COLLECTION]
        # label → the summary last read or built here: a current one is not read again
        self._memo: dict[str, dict[str, Any]] = {}

    def get(self, labels: list[str]) -> dict[str, dict[str, Any]]:
        """The summaries of these weeks, each rebuilt first if a lead of it changed since.

        One small query for the weeks' counters; a summary is read only when this process does
        not hold the current one, and aggregated only when none is current.
        """
        marks = {d["_id"]: d for d in self.weeks.find({"_id": {"$in": labels}},
                                                      {"changes": 1, "built_from": 1, "version": 1})}
        out, unread = {}, []
        for label in labels:
            mark = marks.get(label) or {}
            memo = self._memo.get(label)
            if mark.get("version") != SUMMARY_VERSION or mark.get("built_from") != mark.get("changes", 0):
                out[label] = self.build(label, mark.get("changes", 0))
            elif memo is not None and memo["built_from"] == mark["built_from"]:
                out[label] = memo
            else:
                unread.append(label)
        for doc in self.weeks.find({"_id": {"$in": unread}}) if unread else []:
            out[doc["_id"]] = self._memo[doc["_id"]] = doc
        for label in unread:
            if label not in out:  # removed meanwhile
                out[label] = self.build(label, 0)
        return {label: out[label] for label in labels}

    def build(self, label: str, changes: int) -> dict[str, Any]:
        """Aggregate one week (one scan of its leads) and store it as built from counter value
        `changes`, read before the aggregation: a lead changed meanwhile bumps the counter again,
        so the week is rebuilt on the next read."""
        start = week_start(label)
        group: dict[str, Any] = {"_id": {k: f"$decision.{k}" for k in CELL_KEY}, "leads": {"$sum": 1},
                                 **{k: {"$sum": f"$facts.{_FACT_OF[k]}"} for k in CELL_SUMS},
                                 "dows": {"$addToSet": "$facts.dow"}}
        # Each lead names the 办结 it follows (facts.follows, kept by sinks/leads.py): one row per
        # resolved work order with the week's leads that came back after it.
        back = {"_id": "$facts.follows.id", "resolved_at": {"$first": "$facts.follows.t"},
                **{k: {"$first": f"$decision.{k}"} for k in ("item", "category", "district", "street")},
                "leads": {"$push": {"id": "$_id", "t": "$discovered_at"}}}
        # Two $match stages: SecantusDB's planner uses the discovered_at index only for a $match
        # with nothing else in it.
        pipeline = [{"$match": {"discovered_at": {"$gte": start, "$lt": start + timedelta(weeks=1)}}},
                    {"$match": {"state": {"$nin": list(EXCLUDED_STATES)}}},
                    {"$facet": {"cells": [{"$group": group}],
                                "recurrences": [{"$match": {"facts.follows": {"$ne": []}}},
                                                {"$unwind": "$facts.follows"}, {"$group": back}]}}]
        with pymongo.timeout(BUILD_TIMEOUT_S):
            out = next(self.leads.aggregate(pipeline, allowDiskUse=True), {})
        cells = [{**{k: d["_id"].get(k) for k in CELL_KEY}, **{k: v for k, v in d.items() if k != "_id"}}
                 for d in out.get("cells", [])]
        summary = {"version": SUMMARY_VERSION, "built_from": changes, "cells": cells,
                   "recurrences": out.get("recurrences", [])}
        self.weeks.update_one({"_id": label}, {"$set": summary}, upsert=True)
        self._memo[label] = doc = {"_id": label, **summary}
        return doc
