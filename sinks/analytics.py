"""Class-case analytics: aggregation pipelines over `leads` that run in the database (read only).

Every query starts with the period's `$match` on `discovered_at` (indexed) and returns grouped
rows whose number is bounded by the catalogue and the gazetteer (items × streets × weeks), never
one row per lead; the page and the report make three round trips (overview, cases, recurrences).
Stages and operators are ones SecantusDB implements, tried against the embedded server
($facet, $setWindowFields with a documents window, $let/$map/$indexOfArray, date arithmetic);
real MongoDB ≥ 5.0 runs them too. The pure ranking is filters/classcases.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from civicwatch.weeks import shift_week, week_of
from sinks.mongo import to_shanghai

# Merged leads are another lead's incident; rejected ones are not problems.
EXCLUDED_STATES = ("merged", "rejected")
# A work order resolved this long before the period can still be followed by a recurrence in it,
# provided it was discovered at most this long before the period starts.
RECURRENCE_LOOKBACK = timedelta(days=90)
FIELDS = {"item": "decision.item", "category": "decision.category", "district": "decision.district",
          "street": "decision.street", "department": "decision.department"}
WEEK_MS = 7 * 86_400_000
DAY_MS = 86_400_000
# Work-order facts per lead, the page's numbers: where a drill-down finds the leads behind each.
METRICS = {"leads": None, "work_orders": "wo.n", "on_time": "wo.ok", "late": "wo.late",
           "returned": "wo.ret", "resolved": "wo.res"}


def _history(field: str) -> dict[str, Any]:
    # $map, not "$history.to_state": SecantusDB does not traverse arrays in expression paths
    return {"$map": {"input": {"$ifNull": ["$history", []]}, "in": f"$$this.{field}"}}


def _time_of(state: str) -> dict[str, Any]:
    """The time of the first history step into `state`, or missing (the state is appended to the
    searched list so that an absent state indexes past the end rather than -1, the last element)."""
    return {"$arrayElemAt": ["$$times", {"$indexOfArray": [{"$concatArrays": ["$$states", [state]]}, state]}]}


def _facts(start: datetime, now: datetime, sla_minutes: dict[str, int],
           extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Per lead: place, item, week and day index from `start` (a Monday 00:00 Beijing time, no
    DST, so plain arithmetic), and for work orders the 0/1 facts the groups sum (`wo.*`)."""
    since = {"$subtract": ["$discovered_at", start]}
    urgent_ms = sla_minutes.get("urgent", 30) * 60_000
    general_ms = sla_minutes.get("general", 120) * 60_000
    order = {"$let": {"vars": {"states": _history("to_state"), "times": _history("at")}, "in": {
        "d": _time_of("dispatched"), "k": _time_of("accepted"), "r": {"$in": ["returned", "$$states"]},
        "sla": {"$cond": [{"$eq": ["$decision.urgency", "urgent"]}, urgent_ms, general_ms]}}}}
    waited = {"$subtract": ["$wo.k", "$wo.d"]}
    accepted = {"$ne": [{"$ifNull": ["$wo.k", None]}, None]}
    return [
        {"$project": {
            "item": "$decision.item", "category": "$decision.category", "district": "$decision.district",
            "street": "$decision.street", "department": "$decision.department", "state": 1, **(extra or {}),
            "week": {"$floor": {"$divide": [since, WEEK_MS]}}, "day": {"$floor": {"$divide": [since, DAY_MS]}},
            "wo": {"$cond": [{"$eq": [{"$ifNull": ["$work_order_id", None]}, None]}, None, order]},
        }},
        {"$addFields": {"wo": {"$cond": ["$wo", {
            "n": 1,
            "ret": {"$cond": ["$wo.r", 1, 0]},
            "res": {"$cond": [{"$eq": ["$state", "resolved"]}, 1, 0]},
            # 签收 within the SLA class's time after the first dispatch
            "ok": {"$cond": [{"$and": [accepted, {"$lte": [waited, "$wo.sla"]}]}, 1, 0]},
            # 签收 later, or still dispatched and unaccepted past it
            "late": {"$cond": [accepted, {"$cond": [{"$gt": [waited, "$wo.sla"]}, 1, 0]},
                               {"$cond": [{"$and": [{"$eq": ["$state", "dispatched"]},
                                                    {"$gt": [{"$subtract": [now, "$wo.d"]}, "$wo.sla"]}]},
                                          1, 0]}]},
        }, None]}}},
    ]


COUNTS = {"leads": {"$sum": 1}, **{name: {"$sum": f"${path}"} for name, path in METRICS.items() if path}}


def _rows(docs: list[dict[str, Any]], start: datetime) -> list[dict[str, Any]]:
    """Group results with their `_id` fields lifted ({"_id": {"item": …}, "leads": 3} → flat) and
    week indexes turned into ISO week labels."""
    first = week_of(start)
    out = []
    for d in docs:
        row = {**(d["_id"] if isinstance(d["_id"], dict) else {"key": d["_id"]}),
               **{k: v for k, v in d.items() if k != "_id"}}
        if row.get("week") is not None:
            row["week"] = shift_week(first, int(row["week"]))
        out.append(row)
    return out


class Analytics:
    """Read-only queries on a Store's database for the 类案分析 page and the weekly report.

    Periods are [start, end) with `start` a Monday 00:00 Beijing time (civicwatch.weeks).
    """

    def __init__(self, db: Database[Any], *, sla_minutes: dict[str, int]) -> None:
        self.leads = db["leads"]
        self.sla_minutes = sla_minutes

    def ensure_indexes(self) -> None:
        """Period scans start from discovered_at; case and drill-down queries narrow by field."""
        self.leads.create_index("discovered_at")
        self.leads.create_index([("state", ASCENDING), ("discovered_at", ASCENDING)])  # resolved, for recurrences
        for field in ("decision.item", "decision.category", "decision.district"):
            self.leads.create_index([(field, ASCENDING), ("discovered_at", DESCENDING)])

    # --- building blocks ---------------------------------------------------------------

    @staticmethod
    def match(start: datetime, end: datetime, **fields: str | None) -> list[dict[str, Any]]:
        """The period's leads with equal decision fields, merged and rejected ones left out.

        Two stages: SecantusDB's planner uses the discovered_at index only for a $match that
        has nothing else in it (with the state test alongside it scans the collection).
        """
        narrow: dict[str, Any] = {"state": {"$nin": list(EXCLUDED_STATES)}}
        for name, value in fields.items():
            if value:
                narrow[FIELDS[name]] = value
        return [{"$match": {"discovered_at": {"$gte": start, "$lt": end}}}, {"$match": narrow}]

    def _pipeline(self, start: datetime, end: datetime, now: datetime, *, extra: dict[str, Any] | None = None,
                  **fields: str | None) -> list[dict[str, Any]]:
        return [*self.match(start, end, **fields), *_facts(start, now, self.sla_minutes, extra)]

    def _one(self, pipeline: list[dict[str, Any]]) -> dict[str, Any]:
        return to_shanghai(next(self.leads.aggregate(pipeline, allowDiskUse=True), {}))

    # --- queries -------------------------------------------------------------------------

    def overview(self, start: datetime, end: datetime, *, now: datetime, district: str | None = None,
                 category: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """One scan of the period: cells for class cases, distinct days per candidate level,
        weekly counts by category, street and item, and department performance."""
        placed = {"$match": {"item": {"$ne": None}, "district": {"$ne": None}}}

        def days(**key: str) -> list[dict[str, Any]]:
            return [placed, {"$group": {"_id": key, "days": {"$addToSet": "$day"}}},
                    {"$project": {"days": {"$size": "$days"}}}]

        def weekly(**key: str) -> list[dict[str, Any]]:
            return [{"$group": {"_id": {**key, "week": "$week"}, "leads": {"$sum": 1}}}]

        facets = {
            "cells": [placed, {"$group": {"_id": {"item": "$item", "category": "$category", "district": "$district",
                                                  "street": "$street", "department": "$department"}, **COUNTS}}],
            "days_street": days(item="$item", district="$district", street="$street"),
            "days_district": days(item="$item", district="$district"),
            "days_category": days(category="$category", district="$district", street="$street"),
            "category_week": weekly(category="$category"),
            "street_week": weekly(district="$district", street="$street"),
            "item_week": weekly(item="$item"),
            "departments": [{"$group": {"_id": {"department": "$department"}, **COUNTS}}],
        }
        out = self._one([*self._pipeline(start, end, now, district=district, category=category),
                         {"$facet": facets}])
        return {name: _rows(out.get(name, []), start) for name in facets}

    def cases(self, matches: list[dict[str, str]], start: datetime, end: datetime, *, now: datetime,
              examples: int = 200) -> list[dict[str, Any]]:
        """For each case (its decision fields): leads per week, and its newest leads with their
        masked texts (for named spots, examples and evidence)."""
        if not matches:
            return []
        pipeline = self._pipeline(start, end, now, extra={"text": "$decision.text_masked", "discovered_at": 1,
                                                          "platform": "$decision.platform"})
        pipeline[1]["$match"]["$or"] = [{FIELDS[k]: v for k, v in m.items()} for m in matches]
        facets: dict[str, list[dict[str, Any]]] = {}
        for i, m in enumerate(matches):
            facets[f"w{i}"] = [{"$match": m}, {"$group": {"_id": {"week": "$week"}, "leads": {"$sum": 1}}}]
            facets[f"x{i}"] = [{"$match": m}, {"$sort": {"discovered_at": -1}}, {"$limit": examples},
                               {"$project": {"wo": 0}}]
        out = self._one([*pipeline, {"$facet": facets}])
        return [{"weeks": {r["week"]: r["leads"] for r in _rows(out.get(f"w{i}", []), start)},
                 "examples": out.get(f"x{i}", [])} for i in range(len(matches))]

    def recurrences(self, start: datetime, end: datetime, *, within_days: int = 30, limit: int = 100,
                    district: str | None = None, category: str | None = None) -> list[dict[str, Any]]:
        """Resolved work orders (办结) followed, within `within_days`, by leads of [start, end) of the
        same item at the same place (street, else district): the fix did not hold. One row per
        resolved lead with the leads that came back, the most first.

        A timeline per (item, place) of discoveries and resolutions; a range window collects the
        discoveries of the `within_days` days from each resolution on
        (filters.classcases.find_recurrences is the same in Python).
        """
        pipeline = self.match(start, end, district=district, category=category)
        pipeline[1]["$match"][FIELDS["item"]] = {"$ne": None}
        # Before the period only resolved leads matter (their 办结 may fall within 30 days of it):
        # read through the (state, discovered_at) index rather than every lead of the lookback.
        earlier = {"state": "resolved", "discovered_at": {"$gte": start - RECURRENCE_LOOKBACK, "$lt": start}}
        narrow = {k: v for k, v in pipeline[1]["$match"].items() if k != "state"}
        pipeline.append({"$unionWith": {"coll": self.leads.name, "pipeline": [{"$match": earlier},
                                                                             {"$match": narrow}]}})
        resolved = {"$let": {"vars": {"states": _history("to_state"), "times": _history("at")},
                             "in": _time_of("resolved")}}
        back = {"$filter": {"input": "$back", "cond": {"$and": [
            {"$ne": ["$$this", None]}, {"$ne": ["$$this.id", "$_id"]},
            {"$gte": ["$$this.t", start]}, {"$lt": ["$$this.t", end]}]}}}
        pipeline += [
            {"$project": {"item": "$decision.item", "district": "$decision.district", "street": "$decision.street",
                          "place": {"$ifNull": ["$decision.street", "$decision.district"]},
                          "events": {"$cond": [{"$eq": ["$state", "resolved"]},
                                               [{"t": "$discovered_at", "k": 0}, {"t": resolved, "k": 1}],
                                               [{"t": "$discovered_at", "k": 0}]]}}},
            {"$match": {"place": {"$ne": None}}},
            {"$unwind": "$events"},
            {"$match": {"events.t": {"$ne": None}}},
            {"$setWindowFields": {
                "partitionBy": {"item": "$item", "district": "$district", "place": "$place"},
                "sortBy": {"events.t": 1},
                "output": {"back": {"$push": {"$cond": [{"$eq": ["$events.k", 0]},
                                                         {"id": "$_id", "t": "$events.t"}, None]},
                                    "window": {"range": [0, within_days], "unit": "day"}}}}},
            {"$match": {"events.k": 1, "events.t": {"$gte": start - timedelta(days=within_days), "$lt": end}}},
            {"$project": {"resolved_at": "$events.t", "item": 1, "district": 1, "street": 1, "leads": back}},
            {"$addFields": {"n": {"$size": "$leads"}}},
            {"$match": {"n": {"$gt": 0}}},
            {"$sort": {"n": -1, "resolved_at": 1, "_id": 1}},
            {"$limit": limit},
        ]
        return [to_shanghai(r) for r in self.leads.aggregate(pipeline, allowDiskUse=True)]

    def count(self, start: datetime, end: datetime, **fields: str | None) -> int:
        """Leads of the period with these decision fields (merged and rejected left out)."""
        out = self._one([*self.match(start, end, **fields), {"$count": "n"}])
        return int(out.get("n", 0))

    def drill(self, start: datetime, end: datetime, *, now: datetime, metric: str = "leads", limit: int = 200,
              **fields: str | None) -> tuple[int, list[dict[str, Any]]]:
        """The leads behind one number of the page: how many, and the newest `limit` of them."""
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}")
        pipeline = self._pipeline(start, end, now, extra={"text": "$decision.text_masked", "discovered_at": 1,
                                                          "platform": "$decision.platform"}, **fields)
        if METRICS[metric]:
            pipeline.append({"$match": {METRICS[metric]: 1}})
        out = self._one([*pipeline, {"$facet": {"n": [{"$count": "n"}],
                                                "rows": [{"$sort": {"discovered_at": -1}}, {"$limit": limit}]}}])
        total = out["n"][0]["n"] if out.get("n") else 0
        return total, out.get("rows", [])
