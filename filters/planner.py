"""The query planner: what a platform's polling round spends its request budget on.

Pure logic (no I/O): state comes in and goes out as civicwatch.queries.QueryState, stored by
sinks/planner.py; crawlers/extensions/planner.py runs it around every planned crawl.

Search endpoints return only posts that contain the query, so the candidates are every name
that can place a post in Shenzhen (the place resolver's: the city, districts, streets, and the
gazetteer's landmarks split into estates, metro stations, roads and the rest), operators' own
keywords (config/platforms.yaml `search_keywords` / `keywords`) and the platform's board
listings. Each round, in this order and never past the budget:

1. **coverage**: every candidate is covered at least once in every `coverage_period_rounds`
   consecutive rounds of the platform's own polling: it is asked, or a broader candidate that it
   contains was read to the end (a post matching 西乡街道 matches 西乡, so 西乡 read down to its
   watermark has read every 西乡街道 post; `covered_by`). Deadlines are met earliest first, and
   each round spends what the nearest deadlines need on average (the largest, over h, of the
   cost due within h rounds divided by h + 1), so a period's load is spread evenly over it;
2. **follow-ups**: the streets and landmarks a lead's text names are asked again after
   `follow_up_after_rounds`, so the rest of an incident is found while it is fresh;
3. **yield**: the rest goes to the queries most likely to find leads, by discounted Thompson
   sampling of leads per request.

Why discounted Thompson sampling (a Gamma posterior over a Poisson rate of leads per request)
rather than discounted UCB:

- the reward is a count per request, for which Gamma–Poisson is conjugate; a query that took
  three pages counts as three requests, so cheap and costly queries compare per request spent;
- a round asks dozens of queries at once. UCB's index is deterministic, so its batch is the
  top-k of nearly equal exploration bonuses; sampling spreads a batch over queries in proportion
  to the chance that each is the best, with no exploration constant to tune;
- discounting (`yield_half_life_rounds`) lets a query's evidence fade, so its posterior widens
  back to its kind's pooled prior and a quiet place is retried; a place that suddenly has
  problems is found by exploration, by coverage within one period at the latest, and once it
  yields, its sampled rate stays high and it is asked every round while it keeps yielding;
- the sampling is seeded per platform and round (`seed`), so a plan can be replayed exactly.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from civicwatch.config import Gazetteer, PlannerConfig
from civicwatch.queries import PlannedQuery, QueryState, RoundLog

_HAN = re.compile(r"[\u4e00-\u9fff]")
_ESTATES = frozenset({"住宅区", "城中村"})
_METRO = frozenset({"地铁站"})
_ROAD_ENDINGS = ("路", "大道", "大街")
# What a query with no history is expected to cost, in requests (its first page, a second one
# time in two: the first ask reads back to the `since` bound).
DEFAULT_COST = 1.5
# Weight, in requests, of the platform-wide yield in a kind's prior.
KIND_PRIOR_REQUESTS = 5.0
# Kinds a lead's follow-up asks for: where it happened, not the district or the city.
FOLLOW_UP_KINDS = frozenset({"street", "estate", "metro", "road", "landmark"})


@dataclass(frozen=True)
class Candidate:
    query: str
    kind: str
    operator: bool = False  # named by operations staff: asked first among equal deadlines


@dataclass
class Asked:
    """What one query did in one round, as the crawl counted it."""

    requests: int = 0
    answers: int = 0       # responses that were not refusals (a refused ask read nothing)
    leads: int = 0
    complete: bool = False  # read down to its watermark: not cut short, nothing refused


def _landmark_kind(kind: str, term: str) -> str:
    if kind in _METRO:
        return "metro"
    if kind in _ESTATES:
        return "estate"
    return "road" if term.endswith(_ROAD_ENDINGS) else "landmark"


def candidate_queries(gazetteer: Gazetteer, keywords: Iterable[str] = (),
                      boards: Iterable[str] = ()) -> list[Candidate]:
    """Operators' keywords, then every Shenzhen name of the gazetteer, then the boards.

    The names are the place resolver's (filters/places.py): two characters at least, and only
    the city's Chinese names; a name listed twice keeps its first kind.
    """
    kinds: dict[str, str] = {}

    def add(term: str, kind: str) -> None:
        if len(term) >= 2:
            kinds.setdefault(term, kind)

    for alias in (gazetteer.city.name, *gazetteer.city.aliases):
        if _HAN.search(alias):
            add(alias, "city")
    for d in gazetteer.districts:
        for term in (d.name, *d.aliases, d.short):
            add(term, "district")
        for s in d.streets:
            for term in (s.name, *s.aliases, s.short):
                add(term, "street")
    for lm in gazetteer.landmarks:
        for term in (lm.name, *lm.aliases):
            add(term, _landmark_kind(lm.kind, term))
    operators = [k.strip() for k in keywords if k.strip()]
    out = [Candidate(k, kinds.get(k, "keyword"), operator=True) for k in dict.fromkeys(operators)]
    named = {c.query for c in out}
    out += [Candidate(t, k) for t, k in kinds.items() if t not in named]
    out += [Candidate(b, "board") for b in dict.fromkeys(boards) if b not in named]
    return out


@lru_cache(maxsize=32)
def _containment(queries: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """query → the other queries whose every result it returns too (it contains each of their terms).

    Built once per candidate list (a search needs all its terms, so every term of the broader
    query must be inside some term of the narrower one).
    """
    automaton = ahocorasick.Automaton()
    single = [q for q in queries if " " not in q]
    for q in single:
        automaton.add_word(q, q)
    if single:
        automaton.make_automaton()
    multi = [(q, q.split()) for q in queries if " " in q]
    out: dict[str, tuple[str, ...]] = {}
    for q in queries:
        terms = q.split()
        broader: set[str] = set()
        if single:
            for term in terms:
                broader.update(found for _, found in automaton.iter(term))
        broader.update(m for m, parts in multi if all(any(p in t for t in terms) for p in parts))
        broader.discard(q)
        out[q] = tuple(sorted(broader))
    return out


class Planner:
    """Plans and books one platform's rounds; one instance serves any number of rounds."""

    def __init__(self, platform: str, candidates: Sequence[Candidate], *, budget: int, period: int,
                 config: PlannerConfig | None = None) -> None:
        self.platform = platform
        self.candidates = {c.query: c for c in candidates}
        self.budget = budget
        self.period = period
        self.config = config or PlannerConfig()
        self.discount = 0.5 ** (1 / self.config.yield_half_life_rounds)
        searches = tuple(q for q, c in self.candidates.items() if c.kind != "board")
        self.covered_by = _containment(searches)
        self.covers: dict[str, list[str]] = {}  # the inverse: query → the narrower ones it contains
        for narrow, broader in self.covered_by.items():
            for b in broader:
                self.covers.setdefault(b, []).append(narrow)
        self._mentions = ahocorasick.Automaton()
        for q, c in self.candidates.items():
            if c.kind in FOLLOW_UP_KINDS and " " not in q:
                self._mentions.add_word(q, q)
        self._has_mentions = len(self._mentions) > 0
        if self._has_mentions:
            self._mentions.make_automaton()

    # --- state -----------------------------------------------------------------------------

    def states(self, stored: Mapping[str, QueryState], round_no: int) -> dict[str, QueryState]:
        """Every candidate's state; a candidate seen for the first time starts at this round."""
        out: dict[str, QueryState] = {}
        for q, c in self.candidates.items():
            s = stored.get(q)
            if s is None:
                s = QueryState(platform=self.platform, query=q, kind=c.kind, first_round=round_no,
                               decayed_round=round_no)
            out[q] = s
        return out

    def decayed(self, s: QueryState, round_no: int) -> tuple[float, float]:
        factor = self.discount ** max(0, round_no - s.decayed_round)
        return s.decayed_leads * factor, s.decayed_requests * factor

    def deadline(self, q: str, states: Mapping[str, QueryState]) -> int:
        """The last round by which `q` must be covered again."""
        s = states[q]
        last = s.last_asked_round
        for broader in self.covered_by.get(q, ()):
            b = states.get(broader)
            if b is not None and b.last_complete_round is not None:
                last = b.last_complete_round if last is None else max(last, b.last_complete_round)
        return (s.first_round - 1 if last is None else last) + self.period

    def _costs(self, states: Mapping[str, QueryState]) -> dict[str, float]:
        by_kind: dict[str, list[float]] = {}
        for s in states.values():
            if s.cost_per_ask is not None:
                by_kind.setdefault(s.kind, []).append(s.cost_per_ask)
        fallback = {k: sum(v) / len(v) for k, v in by_kind.items()}
        # No estimate above the budget: such a query is sent anyway and cut by the crawl's cap.
        return {q: min(float(self.budget), max(1.0, s.cost_per_ask if s.cost_per_ask is not None
                                               else fallback.get(s.kind, DEFAULT_COST)))
                for q, s in states.items()}

    def _samples(self, states: Mapping[str, QueryState], round_no: int) -> dict[str, float]:
        """One draw of each query's leads per request from its discounted Gamma posterior."""
        decayed = {q: self.decayed(s, round_no) for q, s in states.items()}
        total_l = sum(d[0] for d in decayed.values())
        total_r = sum(d[1] for d in decayed.values())
        overall = (total_l + 0.5) / (total_r + 1.0)
        kind_l: dict[str, float] = {}
        kind_r: dict[str, float] = {}
        for q, (leads, requests) in decayed.items():
            kind = states[q].kind
            kind_l[kind] = kind_l.get(kind, 0.0) + leads
            kind_r[kind] = kind_r.get(kind, 0.0) + requests
        prior = {k: (kind_l[k] + overall * KIND_PRIOR_REQUESTS) / (kind_r[k] + KIND_PRIOR_REQUESTS)
                 for k in kind_l}
        rng = random.Random(f"{self.config.seed}:{self.platform}:{round_no}")
        strength = self.config.prior_requests
        out = {}
        for q in sorted(states):  # a fixed order, so the same seed gives the same draws
            leads, requests = decayed[q]
            shape = max(1e-3, strength * prior[states[q].kind] + leads)
            out[q] = rng.gammavariate(shape, 1.0 / (strength + requests))
        return out

    # --- planning --------------------------------------------------------------------------

    def plan(self, round_no: int, states: Mapping[str, QueryState]) -> RoundLog:
        """The queries for round `round_no`, in the order they should be sent."""
        states = {q: s for q, s in states.items() if q in self.candidates}
        cost = self._costs(states)
        theta = self._samples(states, round_no)
        deadlines = {q: self.deadline(q, states) for q in states}
        # Rides along: a query some broader, last-time-complete candidate contains.
        dependent = {q for q in states
                     if any(states[b].complete for b in self.covered_by.get(q, ()) if b in states)}
        log = RoundLog(platform=self.platform, round=round_no, budget=self.budget)
        spent = 0.0
        chosen: set[str] = set()
        riding: set[str] = set()  # contained in a chosen query expected to be read to the end

        def take(q: str, reason: str) -> None:
            nonlocal spent
            chosen.add(q)
            spent += cost[q]
            log.planned.append(PlannedQuery(q, states[q].kind, reason, round(cost[q], 2), round(theta[q], 4)))
            if states[q].complete:
                riding.update(self.covers.get(q, ()))

        # 1. coverage, earliest deadline first: what is due this round, whatever else waits.
        demand = sorted((deadlines[q] - round_no, cost[q]) for q in states
                        if q not in dependent or deadlines[q] <= round_no)
        need, running = 0.0, 0.0
        for i, (slack, c) in enumerate(demand):
            running += c
            if i + 1 == len(demand) or demand[i + 1][0] != slack:
                need = max(need, running / (max(slack, 0) + 1))
        log.coverage_needed = round(need, 2)
        order = sorted(states, key=lambda q: (deadlines[q], q in dependent, not self.candidates[q].operator,
                                              -theta[q], q))

        def cover(until: float, due_only: bool) -> None:
            for q in order:
                if deadlines[q] > round_no and (due_only or spent >= until):
                    return
                if q in chosen or (q in riding and deadlines[q] > round_no) or spent + cost[q] > self.budget:
                    continue  # a due query that does not fit stays due
                take(q, "coverage")

        cover(self.budget, due_only=True)
        # 2. follow-ups of earlier rounds' leads, up to their share and to what coverage can spare;
        # then the rest of coverage's need (a follow-up is worth most while it is fresh, and
        # coverage has slack until its deadlines).
        follow = sorted((q for q, s in states.items() if s.follow_up_round is not None
                         and s.follow_up_round <= round_no and q not in chosen),
                        key=lambda q: (states[q].follow_up_round, -theta[q], q))
        ceiling = spent + min(self.budget * self.config.follow_up_budget_share, max(0.0, self.budget - need))
        for q in follow:
            if q not in riding and spent + cost[q] <= ceiling:
                take(q, "follow_up")
        cover(need, due_only=False)
        # 3. the rest by sampled yield.
        for q in sorted(states, key=lambda q: (-theta[q], q)):
            if self.budget - spent < 1:
                break
            if q in chosen or q in riding or spent + cost[q] > self.budget:
                continue
            take(q, "yield" if states[q].asks else "explore")
        return log

    # --- booking ---------------------------------------------------------------------------

    def follow_ups(self, text: str) -> list[str]:
        """The street, estate, metro, road and landmark candidates a lead's text names."""
        if not self._has_mentions or not text:
            return []
        return sorted({q for _, q in self._mentions.iter(text)})

    def record(self, round_no: int, states: dict[str, QueryState], asked: Mapping[str, Asked],
               lead_texts: Iterable[str] = ()) -> list[QueryState]:
        """Book a round's outcome into `states` (updated in place); returns the states changed."""
        changed: dict[str, QueryState] = {}
        for q, a in asked.items():
            if a.requests <= 0:
                continue
            s = states.get(q)
            if s is None:  # asked, yet no candidate (given to the spider by hand): booked anyway
                s = states[q] = QueryState(platform=self.platform, query=q, kind="keyword",
                                           first_round=round_no, decayed_round=round_no)
            leads, requests = self.decayed(s, round_no)
            s.decayed_leads, s.decayed_requests = leads + a.leads, requests + a.requests
            s.decayed_round = round_no
            s.requests += a.requests
            s.leads += a.leads
            s.cost_per_ask = float(a.requests) if s.cost_per_ask is None else (s.cost_per_ask + a.requests) / 2
            if a.answers > 0:
                s.asks += 1
                s.last_asked_round = round_no
                s.complete = a.complete
                if a.complete:
                    s.last_complete_round = round_no
                if s.follow_up_round is not None and s.follow_up_round <= round_no:
                    s.follow_up_round = None
            changed[q] = s
        due = round_no + self.config.follow_up_after_rounds
        for text in lead_texts:
            for q in self.follow_ups(text):
                s = states.get(q)
                if s is not None and (s.follow_up_round is None or s.follow_up_round > due):
                    s.follow_up_round = due
                    changed[q] = s
        return list(changed.values())

    # --- reading ---------------------------------------------------------------------------

    def yield_of(self, s: QueryState, round_no: int) -> float:
        """Discounted leads per request (0 when never asked)."""
        leads, requests = self.decayed(s, round_no)
        return leads / requests if requests > 0 else 0.0
