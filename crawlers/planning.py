"""One planned polling round: the planner (filters/planner.py) chooses, the crawl asks, this books.

`open_round` numbers the platform's next round, loads its query states (sinks/planner.py) and
plans it; the crawl gets the planned searches and boards as spider arguments and the RoundPlan
itself as the PLANNED_ROUND setting, which the budget middleware (crawlers/middlewares/budget.py)
and the planner extension (crawlers/extensions/planner.py) share: the middleware counts and caps
requests per query, the extension counts answers and leads and calls `close_round` when the
spider closes. Board listings are candidates named `吧:<board>`, the key their posts carry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from civicwatch.config import Config, PlatformConfig
from civicwatch.queries import QueryState, RoundLog
from filters.planner import Asked, Candidate, Planner, candidate_queries
from sinks.planner import PlannerStore
from sinks.rounds import RoundTallies

logger = logging.getLogger(__name__)

SETTING = "PLANNED_ROUND"  # an object handed to one crawl, never configuration
BOARD_PREFIX = "吧:"
# Spiders whose platform has searches; the others (forum, liuyan) list boards only.
UNPLANNED_SPIDERS = frozenset({"forum", "liuyan"})


def board_query(board: str) -> str:
    return f"{BOARD_PREFIX}{board}"


def planned(platform: PlatformConfig) -> bool:
    return (platform.spider or "") not in UNPLANNED_SPIDERS


def candidates_for(config: Config, name: str, platform: PlatformConfig) -> list[Candidate]:
    # Only Tieba reads its boards through the search spider (spiders/tieba.py).
    boards = [board_query(b) for b in platform.boards] if (platform.spider or name) == "tieba" else []
    return candidate_queries(config.gazetteer, platform.keywords or [], boards)


def planner_for(config: Config, name: str, platform: PlatformConfig) -> Planner:
    return Planner(name, candidates_for(config, name, platform), budget=platform.request_budget_per_round,
                   period=platform.coverage_period_rounds or config.platforms.planner.coverage_period_rounds,
                   config=config.platforms.planner)


@dataclass
class RoundPlan:
    platform: str
    round_no: int
    planner: Planner | None   # None: a board-only platform, counted and capped but not planned
    states: dict[str, QueryState]
    log: RoundLog
    asked: dict[str, Asked] = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)  # queries the platform refused an answer
    cut: set[str] = field(default_factory=set)      # queries the budget cut short
    lead_texts: list[str] = field(default_factory=list)
    sent: int = 0
    closed: bool = False

    @property
    def budget(self) -> int:
        return self.log.budget

    @property
    def searches(self) -> list[str]:
        return [p.query for p in self.log.planned if p.kind != "board"]

    @property
    def boards(self) -> list[str]:
        return [p.query[len(BOARD_PREFIX):] for p in self.log.planned if p.kind == "board"]

    def kind_of(self, query: str) -> str:
        s = self.states.get(query)
        if s is not None:
            return s.kind
        return "board" if self.planner is None or query.startswith(BOARD_PREFIX) else "keyword"

    def ask(self, query: str) -> Asked:
        return self.asked.setdefault(query, Asked())

    def __deepcopy__(self, memo: dict[int, Any]) -> RoundPlan:
        # Scrapy deep-copies a crawler's settings: the middleware and the extension share this one.
        return self


def open_round(store: PlannerStore, config: Config, name: str, platform: PlatformConfig) -> RoundPlan:
    round_no = store.next_round(name)
    if not planned(platform):  # its spider lists its own boards: only the budget and the round apply
        return RoundPlan(name, round_no, None, {}, RoundLog(name, round_no, platform.request_budget_per_round))
    planner = planner_for(config, name, platform)
    stored = store.load(name)
    states = planner.states(stored, round_no)
    # A new candidate's coverage deadline counts from the round it first appeared: keep that round.
    store.save(s for q, s in states.items() if q not in stored)
    log = planner.plan(round_no, states)
    logger.info("%s round %d: %d queries planned, ~%.0f of %d requests (coverage needs %.1f)", name, round_no,
                len(log.planned), sum(p.expected_requests for p in log.planned), planner.budget,
                log.coverage_needed)
    return RoundPlan(name, round_no, planner, states, log)


def merge_shared(plan: RoundPlan, tallies: RoundTallies) -> set[str]:
    """Fold what every process sharing the round counted (sinks/rounds.py) into `plan`; returns
    the queries a worker read only in part (truncated). Requests are counted by the shared
    budget for every process, this one included; answers and leads there are the workers' own."""
    if tallies.round_no != plan.round_no:
        return set()
    plan.sent = max(plan.sent, tallies.sent)
    plan.log.cut = max(plan.log.cut, tallies.over)
    for query, n in tallies.counts["requests"].items():
        asked = plan.ask(query)
        asked.requests = max(asked.requests, n)
    for query, n in tallies.counts["answers"].items():
        plan.ask(query).answers += n
    for query, n in tallies.counts["leads"].items():
        plan.ask(query).leads += n
    plan.lead_texts.extend(tallies.counts["follow"])  # the names alone: the planner finds them again
    plan.cut |= tallies.flags["cut"]
    plan.refused |= tallies.flags["refused"]
    return set(tallies.flags["truncated"])


def close_round(plan: RoundPlan, store: PlannerStore, at: datetime, *, finished: bool,
                truncated: set[str], failed: bool = False) -> list[QueryState]:
    """Book what every query cost and found; a query is complete when read to its watermark.
    In a `failed` round (posts read but not stored) every query stays due, as one cut short does."""
    if plan.closed:
        return []
    plan.closed = True
    plan.log.requests = plan.sent
    if plan.planner is None:
        store.log_round(plan.log, at)
        return []
    if failed:
        for asked in plan.asked.values():
            asked.answers = 0
    for query in plan.cut:
        asked = plan.ask(query)
        # Cut short by the budget: still due, asked first next round with what it cost now;
        # unless it alone took half a round's budget (it could never finish and would starve the rest).
        if asked.requests < plan.budget / 2:
            asked.answers = 0
    for query, asked in plan.asked.items():
        asked.complete = (finished and asked.answers > 0 and query not in plan.refused
                          and query not in plan.cut and query not in truncated)
    changed = plan.planner.record(plan.round_no, plan.states, plan.asked, plan.lead_texts)
    plan.log.leads = sum(a.leads for a in plan.asked.values())
    store.save(changed)
    store.log_round(plan.log, at)
    return changed


@dataclass
class PlanView:
    """What `civicwatch queries` shows of one platform: its next round and every query's figures."""

    platform: str
    round_no: int                 # the next round's number
    next: RoundLog                # what that round will ask (the same seeded draw as the crawl's)
    states: dict[str, QueryState]
    yields: dict[str, float]      # discounted leads per request, as the planner ranks by
    last: RoundLog | None         # the latest round crawled

    def by_kind(self) -> dict[str, tuple[int, int, int, int]]:
        """kind → (queries, asked this period or before, requests, leads)."""
        out: dict[str, tuple[int, int, int, int]] = {}
        for s in self.states.values():
            n, asked, req, leads = out.get(s.kind, (0, 0, 0, 0))
            out[s.kind] = (n + 1, asked + (s.asks > 0), req + s.requests, leads + s.leads)
        return out


def view_plan(store: PlannerStore, config: Config, name: str, platform: PlatformConfig) -> PlanView:
    """The next round as it would be planned now (read only: nothing is stored)."""
    planner = planner_for(config, name, platform)
    round_no = store.current_round(name) + 1
    states = planner.states(store.load(name), round_no)
    logs = store.round_logs(name)
    return PlanView(name, round_no, planner.plan(round_no, states), states,
                    {q: planner.yield_of(s, round_no) for q, s in states.items()}, logs[-1] if logs else None)
