"""Class-case analytics for the 类案分析 page and the weekly report (the `leads` collection is only read).

The period's figures are merged from per-week summaries (sinks/summaries.py: grouped rows per
week, rebuilt when one of the week's leads changed), so an 8-week page reads eight small
documents, and the rows merged are bounded by items × places × weeks, never one per lead. The
queries that do read leads (a case's newest leads, drill-downs, work orders still unaccepted
past their SLA time) match on the flat per-lead facts sinks/leads.py keeps (`facts.*`,
civicwatch.lifecycle.lead_facts) and indexed fields: no expressions over a lead's history.
The pure ranking is filters/classcases.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import pymongo
from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from sinks.mongo import to_shanghai
from sinks.summaries import CELL_KEY, CELL_SUMS, EXCLUDED_STATES, WeekSummaries, weeks_between

FIELDS = {"item": "decision.item", "category": "decision.category", "district": "decision.district",
          "street": "decision.street", "department": "decision.department"}
# The leads behind each of the page's numbers (a drill-down's $match on the flat facts); "late"
# also takes work orders still unaccepted past their SLA time, which depends on now.
METRICS: dict[str, dict[str, Any] | None] = {
    "leads": None, "work_orders": {"facts.wo": 1}, "on_time": {"facts.on_time": 1}, "late": {"facts.late": 1},
    "returned": {"facts.returned": 1}, "resolved": {"facts.resolved": 1}}
# Creating the indexes on a year of leads (once) takes longer than the store's socket time-out.
INDEX_TIMEOUT_S = 1800
# What a drill-down row or a case's example shows of a lead.
_ROW = {"item": "$decision.item", "category": "$decision.category", "district": "$decision.district",
        "street": "$decision.street", "department": "$decision.department", "state": 1,
        "text": "$decision.text_masked", "discovered_at": 1, "platform": "$decision.platform"}


def _days(masks: dict[tuple[Any, ...], dict[str, set[int]]]) -> dict[tuple[Any, ...], int]:
    """Distinct days with a lead: weekdays per week, added up over the weeks."""
    return {key: sum(len(d) for d in weeks.values()) for key, weeks in masks.items()}


class Analytics:
    """Read-only queries on a Store's database for the 类案分析 page and the weekly report.

    Periods are [start, end) with `start` a Monday 00:00 Beijing time (civicwatch.weeks); the
    page's periods are whole weeks.
    """

    def __init__(self, db: Database[Any], *, sla_minutes: dict[str, int]) -> None:
        self.leads = db["leads"]
        self.sla_minutes = sla_minutes  # kept for callers; the SLA is applied in the facts
        self.summaries = WeekSummaries(db)

    def ensure_indexes(self) -> None:
        """Week builds and period scans start from discovered_at; case and drill-down queries narrow
        by field; the backfill finds leads without facts and the 办结 each one follows."""
        with pymongo.timeout(INDEX_TIMEOUT_S):
            self.leads.create_index("discovered_at")
            self.leads.create_index([("state", ASCENDING), ("discovered_at", ASCENDING)])  # still dispatched
            self.leads.create_index("facts.v")
            self.leads.create_index([("decision.item", ASCENDING), ("facts.place", ASCENDING),
                                     ("facts.resolved_at", ASCENDING)])  # the 办结 a lead follows
            for field in ("decision.item", "decision.category", "decision.district"):
                self.leads.create_index([(field, ASCENDING), ("discovered_at", DESCENDING)])
            self.leads.create_index([("decision.district", ASCENDING), ("decision.street", ASCENDING),
                                     ("discovered_at", DESCENDING)])  # a street's case

    # --- building blocks ---------------------------------------------------------------

    @staticmethod
    def match(start: datetime, end: datetime, **fields: str | None) -> list[dict[str, Any]]:
        """The period's leads with equal decision fields, merged and rejected ones left out.

        Two stages: SecantusDB's planner uses an index only for a $match that holds nothing but
        the index's fields, so the first is the period (with the item, category or district when
        one is given: its (field, discovered_at) index) and the second the rest.
        """
        first: dict[str, Any] = {"discovered_at": {"$gte": start, "$lt": end}}
        # the narrowest index the fields allow: one street's leads, else one item's, category's, district's
        indexed = next((names for names in (("district", "street"), ("item",), ("category",), ("district",))
                        if all(fields.get(n) for n in names)), ())
        first = {**{FIELDS[n]: fields[n] for n in indexed}, **first}
        narrow: dict[str, Any] = {"state": {"$nin": list(EXCLUDED_STATES)}}
        for name, value in fields.items():
            if value and name not in indexed:
                narrow[FIELDS[name]] = value
        return [{"$match": first}, {"$match": narrow}]

    def _one(self, pipeline: list[dict[str, Any]]) -> dict[str, Any]:
        return to_shanghai(next(self.leads.aggregate(pipeline, allowDiskUse=True), {}))

    def _cells(self, start: datetime, end: datetime, now: datetime, **fields: str | None
               ) -> dict[str, list[dict[str, Any]]]:
        """The period's summary cells per week, filtered by decision fields, with the work orders
        still unaccepted past their SLA time at `now` added to `late`."""
        wanted = {k: v for k, v in fields.items() if v}
        weeks = self.summaries.get(weeks_between(start, end))
        out = {label: [dict(c) for c in doc["cells"] if all(c.get(k) == v for k, v in wanted.items())]
               for label, doc in weeks.items()}
        pipeline = [{"$match": {"state": "dispatched", "discovered_at": {"$gte": start, "$lt": end}}},
                    {"$match": {"facts.due_at": {"$lt": now}, **{FIELDS[k]: v for k, v in wanted.items()}}},
                    {"$group": {"_id": {"week": "$facts.week", **{k: f"$decision.{k}" for k in CELL_KEY}},
                                "late": {"$sum": 1}}}]
        for row in self.leads.aggregate(pipeline):
            key = row["_id"]
            cells = out.setdefault(key["week"], [])
            cell = next((c for c in cells if all(c.get(k) == key.get(k) for k in CELL_KEY)), None)
            if cell is None:  # not in the summary yet (built before the lead): counted as a lead too
                cell = {**{k: key.get(k) for k in CELL_KEY}, "leads": 0, **dict.fromkeys(CELL_SUMS, 0), "dows": []}
                cells.append(cell)
            cell["late"] += row["late"]
        return out

    # --- queries -------------------------------------------------------------------------

    def overview(self, start: datetime, end: datetime, *, now: datetime, district: str | None = None,
                 category: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """The period's cells for class cases, distinct days per candidate level, weekly counts
        by category, street and item, and department performance (from the week summaries)."""
        sums: dict[str, dict[tuple[Any, ...], dict[str, int]]] = {"cells": {}, "departments": {}}
        days: dict[str, dict[tuple[Any, ...], dict[str, set[int]]]] = {
            "days_street": {}, "days_district": {}, "days_category": {}}
        weekly: dict[str, dict[tuple[Any, ...], int]] = {"category_week": {}, "street_week": {}, "item_week": {}}

        def add(table: dict[tuple[Any, ...], dict[str, int]], key: tuple[Any, ...], cell: dict[str, Any]) -> None:
            row = table.setdefault(key, dict.fromkeys(("leads", *CELL_SUMS), 0))
            for k in row:
                row[k] += cell[k]

        for label, cells in self._cells(start, end, now, district=district, category=category).items():
            for c in cells:
                item, cat, dist, street, dept = (c[k] for k in CELL_KEY)
                add(sums["departments"], (dept,), c)
                for table, key in (("category_week", (cat, label)), ("street_week", (dist, street, label)),
                                   ("item_week", (item, label))):
                    weekly[table][key] = weekly[table].get(key, 0) + c["leads"]
                if item is None or dist is None:
                    continue  # a class case needs an item and a place
                add(sums["cells"], (item, cat, dist, street, dept), c)
                for table, key in (("days_street", (item, dist, street)), ("days_district", (item, dist)),
                                   ("days_category", (cat, dist, street))):
                    days[table].setdefault(key, defaultdict(set))[label].update(c.get("dows") or [])
        names = {"cells": CELL_KEY, "departments": ("department",), "days_street": ("item", "district", "street"),
                 "days_district": ("item", "district"), "days_category": ("category", "district", "street"),
                 "category_week": ("category", "week"), "street_week": ("district", "street", "week"),
                 "item_week": ("item", "week")}
        out: dict[str, list[dict[str, Any]]] = {}
        for name, table in sums.items():
            out[name] = [{**dict(zip(names[name], key, strict=True)), **row} for key, row in table.items()]
        for name, masks in days.items():
            out[name] = [{**dict(zip(names[name], key, strict=True)), "days": n} for key, n in _days(masks).items()]
        for name, counts in weekly.items():
            out[name] = [{**dict(zip(names[name], key, strict=True)), "leads": n} for key, n in counts.items() if n]
        return out

    def cases(self, matches: list[dict[str, str]], start: datetime, end: datetime, *, now: datetime,
              examples: int = 200) -> list[dict[str, Any]]:
        """For each case (its decision fields): leads per week (from the summaries), and its newest
        leads with their masked texts (for named spots, examples and evidence)."""
        if not matches:
            return []
        weeks = self._cells(start, end, now)
        out = []
        for m in matches:
            counts = {label: sum(c["leads"] for c in cells if all(c.get(k) == v for k, v in m.items()))
                      for label, cells in weeks.items()}
            out.append({"weeks": {w: n for w, n in counts.items() if n},
                        "examples": self.newest(start, end, examples, **m)})
        return out

    def newest(self, start: datetime, end: datetime, limit: int, **fields: str | None) -> list[dict[str, Any]]:
        """The newest `limit` leads of the period with these decision fields, as rows to show."""
        return self.drill(start, end, now=start, limit=limit, count=False, **fields)[1]

    def recurrences(self, start: datetime, end: datetime, *, within_days: int = 30, limit: int = 100,
                    district: str | None = None, category: str | None = None) -> list[dict[str, Any]]:
        """Resolved work orders (办结) followed, within 30 days, by leads of [start, end) of the same
        item at the same place (street, else district): the fix did not hold. One row per resolved
        lead with the leads that came back, the most first (from the week summaries)."""
        if within_days != 30:
            raise ValueError("the week summaries hold recurrences within 30 days")
        rows: dict[str, dict[str, Any]] = {}
        for doc in self.summaries.get(weeks_between(start, end)).values():
            for r in doc["recurrences"]:
                if (district and r.get("district") != district) or (category and r.get("category") != category):
                    continue
                row = rows.setdefault(r["_id"], {k: r.get(k) for k in ("_id", "item", "district", "street",
                                                                         "resolved_at")} | {"leads": []})
                row["leads"].extend(r["leads"])
        found = []
        for row in rows.values():
            row["leads"].sort(key=lambda x: (x["t"], x["id"]))
            found.append({**row, "n": len(row["leads"])})
        found.sort(key=lambda r: (-r["n"], r["resolved_at"], r["_id"]))
        return [to_shanghai(r) for r in found[:limit]]

    def count(self, start: datetime, end: datetime, **fields: str | None) -> int:
        """Leads of the period with these decision fields (merged and rejected left out)."""
        out = self._one([*self.match(start, end, **fields), {"$count": "n"}])
        return int(out.get("n", 0))

    def drill(self, start: datetime, end: datetime, *, now: datetime, metric: str = "leads", limit: int = 200,
              count: bool = True, **fields: str | None) -> tuple[int, list[dict[str, Any]]]:
        """The leads behind one number of the page: how many, and the newest `limit` of them."""
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}")
        pipeline = self.match(start, end, **fields)
        if metric == "late":
            pipeline.append({"$match": {"$or": [{"facts.late": 1},
                                                {"state": "dispatched", "facts.due_at": {"$lt": now}}]}})
        elif METRICS[metric]:
            pipeline.append({"$match": METRICS[metric]})
        rows = [{"$sort": {"discovered_at": -1}}, {"$limit": limit}, {"$project": _ROW}]
        if not count:
            return 0, [to_shanghai(r) for r in self.leads.aggregate([*pipeline, *rows])]
        out = self._one([*pipeline, {"$facet": {"n": [{"$count": "n"}], "rows": rows}}])
        total = out["n"][0]["n"] if out.get("n") else 0
        return total, out.get("rows", [])
