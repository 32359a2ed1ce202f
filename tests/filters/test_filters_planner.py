"""The query planner's logic: candidates, containment, the coverage guarantee, the budget, follow-ups
and the bandit, on a small in-memory platform with real search semantics."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from civicwatch.config import PlannerConfig, load_config
from civicwatch.queries import QueryState
from filters.planner import Asked, Candidate, Planner, candidate_queries


@pytest.fixture(scope="module")
def gazetteer():  # type: ignore[no-untyped-def]
    return load_config().gazetteer


@dataclass
class FakePost:
    t: int          # publication order; visible from round `t // per_round + 1`
    text: str
    lead: bool


@dataclass
class FakePlatform:
    """Search semantics as the simulator's: every term in the text, newest first, pages of 10,
    paging stops at the query's watermark or at max_pages (then the watermark stays)."""

    posts: list[FakePost]
    page_size: int = 10
    max_pages: int = 10
    watermarks: dict[str, int] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    stored: set[int] = field(default_factory=set)
    _hits: dict[str, list[FakePost]] = field(default_factory=dict)

    def ask(self, query: str, round_no: int, allowance: int) -> tuple[Asked, list[str]]:
        if query not in self._hits:
            self._hits[query] = sorted((p for p in self.posts if all(t in p.text for t in query.split())),
                                       key=lambda p: -p.t)
        hits = [p for p in self._hits[query] if p.t <= round_no * 1000]  # what has been posted by now
        mark = self.watermarks.get(query, -1)
        asked, texts, page = Asked(), [], 0
        while True:
            if asked.requests >= allowance:
                return asked, texts  # cut by the budget: incomplete
            chunk = hits[page * self.page_size:(page + 1) * self.page_size]
            page += 1
            asked.requests += 1
            asked.answers += 1
            for p in chunk:
                if p.t > mark and p.t not in self.seen:
                    self.seen.add(p.t)
                    if p.lead:
                        self.stored.add(p.t)
                        asked.leads += 1
                        texts.append(p.text)
            reached = not chunk or chunk[-1].t <= mark or page * self.page_size >= len(hits)
            if reached:
                asked.complete = True
                if hits:
                    self.watermarks[query] = max(mark, hits[0].t)
                return asked, texts
            if page >= self.max_pages:
                return asked, texts


@dataclass
class Run:
    planner: Planner
    platform: FakePlatform
    states: dict[str, QueryState] = field(default_factory=dict)
    logs: list = field(default_factory=list)
    spent: list[int] = field(default_factory=list)
    asked: list[dict[str, Asked]] = field(default_factory=list)

    def round(self, round_no: int) -> None:
        self.states = self.planner.states(self.states, round_no)
        log = self.planner.plan(round_no, self.states)
        left = self.planner.budget
        asked: dict[str, Asked] = {}
        texts: list[str] = []
        for pq in log.planned:  # the crawl's hard cap: what is left of the budget, no more
            a, found = self.platform.ask(pq.query, round_no, left)
            left -= a.requests
            asked[pq.query] = a
            texts += found
        self.planner.record(round_no, self.states, asked, texts)
        self.logs.append(log)
        self.spent.append(self.planner.budget - left)
        self.asked.append(asked)


def corpus(names: list[str], n: int, rounds: int, seed: int = 1, lead_share: float = 0.2) -> list[FakePost]:
    rng = random.Random(seed)
    posts = []
    for i in range(n):
        # half of the posts are there from the start, the rest arrive over the rounds
        t = rng.randrange(0, 1000) if i < n // 2 else rng.randrange(1000, rounds * 1000)
        place = rng.choice(names)
        posts.append(FakePost(t, f"今天在{place}这边{'井盖丢了没人管' if rng.random() < lead_share else '喝了杯咖啡'}",
                              lead=False))
        posts[-1].lead = "井盖" in posts[-1].text
    return posts


# --- candidates -----------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "kind"), [
    ("深圳", "city"), ("南山区", "district"), ("南山", "district"), ("西乡街道", "street"), ("西乡", "street"),
    ("益田村", "estate"), ("白石洲", "estate"), ("岗厦北", "metro"), ("人民南路", "road"),
    ("深圳湾公园", "landmark"), ("京基100", "landmark"),
])
def test_candidate_kinds(gazetteer, query: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    kinds = {c.query: c.kind for c in candidate_queries(gazetteer)}
    assert kinds[query] == kind


def test_operator_keywords_come_first_and_keep_their_gazetteer_kind(gazetteer) -> None:  # type: ignore[no-untyped-def]
    out = candidate_queries(gazetteer, ["深圳", "井盖 深圳", "深圳"], ["吧:深圳"])
    assert out[:2] == [Candidate("深圳", "city", True), Candidate("井盖 深圳", "keyword", True)]
    assert out[-1] == Candidate("吧:深圳", "board")
    assert len({c.query for c in out}) == len(out)
    assert "SZ" not in {c.query for c in out}  # the resolver does not place a post by it either


@pytest.mark.parametrize(("query", "broader"), [
    ("西乡街道", {"西乡"}),
    ("深圳湾公园", {"深圳", "深圳湾"}),
    ("西乡", set()),
    ("井盖 西乡街道", {"西乡", "西乡街道"}),
])
def test_a_query_is_covered_by_the_broader_queries_it_contains(gazetteer, query: str,  # type: ignore[no-untyped-def]
                                                               broader: set[str]) -> None:
    cands = [*candidate_queries(gazetteer), Candidate("井盖 西乡街道", "keyword", True)]
    planner = Planner("weibo", cands, budget=40, period=24)
    assert broader <= set(planner.covered_by[query])
    assert query not in planner.covered_by[query]


# --- the coverage guarantee and the budget --------------------------------------------------

def covered_rounds(run: Run, q: str) -> list[int]:
    broader = run.planner.covered_by.get(q, ())
    return [r for r, asked in enumerate(run.asked, start=1)
            if (q in asked and asked[q].answers) or any(b in asked and asked[b].complete for b in broader)]


@pytest.mark.parametrize(("budget", "period", "rounds"), [(40, 24, 72), (30, 24, 60), (80, 8, 40)])
def test_every_query_is_covered_in_every_period(gazetteer, budget: int, period: int,  # type: ignore[no-untyped-def]
                                                rounds: int) -> None:
    cands = candidate_queries(gazetteer, ["深圳", "南山", "福田"])
    names = [c.query for c in cands]
    run = Run(Planner("weibo", cands, budget=budget, period=period),
              FakePlatform(corpus(names, 3000, rounds)))
    for r in range(1, rounds + 1):
        run.round(r)
    for q in names:
        marks = [0, *covered_rounds(run, q), rounds + 1]
        gaps = [b - a for a, b in zip(marks, marks[1:], strict=False)]
        # covered in rounds 1..P, then again at most P rounds after each time
        assert max(gaps[:-1]) <= period, (q, marks)
        assert gaps[-1] <= period, (q, marks)


@pytest.mark.parametrize("budget", [1, 3, 12, 40])
def test_a_plan_never_expects_more_than_the_budget(gazetteer, budget: int) -> None:  # type: ignore[no-untyped-def]
    cands = candidate_queries(gazetteer, ["深圳"], ["吧:深圳"])
    names = [c.query for c in cands]
    run = Run(Planner("tieba", cands, budget=budget, period=24), FakePlatform(corpus(names, 800, 30)))
    for r in range(1, 31):
        run.round(r)
        assert sum(p.expected_requests for p in run.logs[-1].planned) <= budget
        assert run.spent[-1] <= budget
    assert all(log.planned for log in run.logs)


def test_infeasible_coverage_is_reported_and_the_budget_still_holds(gazetteer) -> None:  # type: ignore[no-untyped-def]
    planner = Planner("wechat", candidate_queries(gazetteer), budget=5, period=24)
    log = planner.plan(1, planner.states({}, 1))
    assert log.coverage_needed > log.budget
    assert sum(p.expected_requests for p in log.planned) <= 5


# --- follow-ups, riding along, the bandit ---------------------------------------------------

def test_a_lead_brings_its_street_and_landmarks_back_next_round(gazetteer) -> None:  # type: ignore[no-untyped-def]
    planner = Planner("weibo", candidate_queries(gazetteer), budget=80, period=24)
    states = planner.states({}, 1)
    planner.record(1, states, {"深圳": Asked(requests=1, answers=1, leads=1, complete=False)},
                   ["宝安区西乡街道益田村门口井盖丢了，深圳的朋友小心"])
    due = {q for q, s in states.items() if s.follow_up_round == 2}
    assert {"西乡街道", "西乡", "益田村"} <= due
    assert not due & {"深圳", "宝安区", "宝安"}  # where it happened, not the district or the city
    plan = {p.query: p.reason for p in planner.plan(2, states).planned}
    assert {"西乡街道", "益田村"} <= set(plan)
    planner.record(2, states, {"益田村": Asked(requests=1, answers=1, complete=True)})
    assert states["益田村"].follow_up_round is None


def test_a_complete_broader_query_carries_the_narrower_ones(gazetteer) -> None:  # type: ignore[no-untyped-def]
    planner = Planner("weibo", candidate_queries(gazetteer), budget=40, period=24)
    states = planner.states({}, 1)
    planner.record(1, states, {"西乡": Asked(requests=1, answers=1, complete=True)})
    assert planner.deadline("西乡街道", states) == 1 + 24
    planner.record(3, states, {"西乡": Asked(requests=1, answers=1, complete=False)})
    assert planner.deadline("西乡街道", states) == 1 + 24  # an incomplete ask vouches for nothing


def test_the_same_round_plans_the_same_way(gazetteer) -> None:  # type: ignore[no-untyped-def]
    cands = candidate_queries(gazetteer, ["深圳"])
    one, two = (Planner("weibo", cands, budget=40, period=24, config=PlannerConfig(seed=5)) for _ in range(2))
    assert one.plan(3, one.states({}, 1)) == two.plan(3, two.states({}, 1))
    other = Planner("weibo", cands, budget=40, period=24, config=PlannerConfig(seed=6))
    assert other.plan(3, other.states({}, 1)) != one.plan(3, one.states({}, 1))


def test_a_new_hot_spot_is_found_within_the_period_and_asked_more_often(gazetteer) -> None:  # type: ignore[no-untyped-def]
    cands = candidate_queries(gazetteer, ["深圳"])
    names = [c.query for c in cands if c.kind != "estate"]
    hot, period, start, rounds = "益田村", 24, 30, 72
    posts = corpus(names, 2000, rounds, lead_share=0.1)
    # From round 30 on, three complaints a round about one estate nobody has named before.
    posts += [FakePost(r * 1000 + 1 + i, f"{hot}的地下车库又被水淹了，井盖冒水没人管", lead=True)
              for r in range(start - 1, rounds) for i in range(3)]
    run = Run(Planner("weibo", cands, budget=40, period=period), FakePlatform(posts))
    for r in range(1, rounds + 1):
        run.round(r)
    hot_posts = {p.t for p in posts if hot in p.text}
    found_at = next(r for r, asked in enumerate(run.asked, start=1) if hot in asked and asked[hot].leads)
    assert start <= found_at < start + period
    asks = [r for r, asked in enumerate(run.asked, start=1) if hot in asked]
    before = [r for r in asks if r < start]
    after = [r for r in asks if r > found_at]
    assert len(before) <= 2  # coverage only: once a period
    assert len(after) >= 0.6 * (rounds - found_at), (found_at, asks)
    assert len(hot_posts & run.platform.stored) >= 0.9 * len(hot_posts)
