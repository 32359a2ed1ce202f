"""Issue 13, item 1: the query planner wired into real crawls (in this process, real servers).

The simulator serves our own posts; the planner chooses each round's searches, the budget
middleware caps and counts them, the planner extension books requests and leads per query.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from civicwatch.clock import SHANGHAI
from civicwatch.config import PlatformConfig
from civicwatch.queries import KINDS, PlannedQuery
from crawlers.cli import app
from crawlers.crawl import spider_arguments
from crawlers.planning import RoundPlan, open_round
from crawlers.services import Services
from filters.planner import Asked
from simulator.server import SimulatorServer
from sinks.planner import PlannerStore
from tests.conftest import CrawlResult, crawl_platform

T = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
SINCE = T - timedelta(days=2)
# Name only an estate, a street and a landmark: no district search returns them.
ESTATE_LEAD = "桃源村小区门口的污水井盖冒水两天了，整条路都是臭水，小孩上学只能绕着走"
STREET_LEAD = "西乡街道固戍二路的路灯坏了一整排，晚上黑乎乎的，电动车差点撞到人"
NOISE = "今天在海岸城吃了一家新开的火锅店，味道还可以，就是排队太久"


def row(post_id: str, text: str, minutes_ago: int) -> str:
    at = T - timedelta(minutes=minutes_ago)
    return json.dumps({"platform": "weibo", "post_id": post_id, "url": f"https://m.weibo.cn/detail/{post_id}",
                       "author": "街坊", "text": text, "published_at": at.isoformat()}, ensure_ascii=False)


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[SimulatorServer]:
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join([row("5500000000000001", ESTATE_LEAD, 30), row("5500000000000002", STREET_LEAD, 50),
                               row("5500000000000003", NOISE, 70)]) + "\n", encoding="utf-8")
    server = SimulatorServer(path, now=T + timedelta(minutes=10), requests_per_round=40).start()
    yield server
    server.stop()


def weibo(services: Services, budget: int) -> PlatformConfig:
    return services.config.platforms.platforms["weibo"].model_copy(update={"request_budget_per_round": budget})


def planned_round(services: Services, server: SimulatorServer,
                  platform: PlatformConfig) -> tuple[RoundPlan, CrawlResult]:
    plan = open_round(PlannerStore(services.store.db), services.config, "weibo", platform)
    return plan, crawl_platform(services, "weibo", server.url, SINCE, plan=plan, platform=platform)


def test_spider_arguments_take_the_planned_queries(services: Services) -> None:
    platform = weibo(services, 10)
    plan = open_round(PlannerStore(services.store.db), services.config, "weibo", platform)
    args = spider_arguments(platform, SINCE, plan)
    assert args["keywords"] == plan.searches and 0 < len(plan.searches) <= 10
    assert "boards" not in args  # only Tieba lists boards through its search spider


def test_a_planned_round_stays_within_its_budget_and_books_every_query(services: Services,
                                                                       simulator: SimulatorServer) -> None:
    platform = weibo(services, 12)
    plan, result = planned_round(services, simulator, platform)
    assert plan.sent <= 12 and result.stats.get("civicwatch/planner/requests") == plan.sent
    assert simulator.rate_limited == {}  # the budget holds the round under the simulator's limit
    store = PlannerStore(services.store.db)
    states = store.load("weibo")
    asked = {q: s for q, s in states.items() if s.requests}
    assert set(asked) == set(plan.asked) and sum(s.requests for s in asked.values()) == plan.sent
    assert all(s.last_asked_round == 1 for s in asked.values())
    [log] = store.round_logs("weibo")
    assert log.round == 1 and log.requests == plan.sent and [p.query for p in log.planned] == plan.searches
    # The watermarks are the planned queries' own.
    assert set(services.store.get_watermarks("weibo")) <= set(plan.searches)


def test_a_lead_found_by_a_place_query_counts_for_it_and_brings_its_places_back(
        services: Services, simulator: SimulatorServer) -> None:
    store = PlannerStore(services.store.db)
    platform = weibo(services, 40)
    # Ask the estate now: a follow-up due this round goes before all but due coverage.
    first, _ = planned_round(services, simulator, platform)
    assert "桃源村" not in first.searches
    state = store.load("weibo")["桃源村"]
    state.follow_up_round = 2  # as if a lead of round 1 had named it
    store.save([state])
    plan, result = planned_round(services, simulator, platform)
    assert plan.round_no == 2 and "桃源村" in plan.searches
    assert result.stats.get("civicwatch/leads_count", 0) >= 1
    states = store.load("weibo")
    assert states["桃源村"].leads == 1 and states["桃源村"].requests >= 1
    assert states["桃源村"].complete is True  # read to the end of its results
    leads = {d["_id"] for d in services.store.leads.find({}, {"_id": 1})}
    assert "lead:weibo:5500000000000001" in leads
    # The follow-up due this round was asked; the new lead names the estate, so it is due again next round.
    assert states["桃源村"].follow_up_round == 3


def test_past_the_budget_requests_are_cut_and_not_claimed_complete(services: Services,
                                                                   simulator: SimulatorServer) -> None:
    platform = weibo(services, 2)
    plan = open_round(PlannerStore(services.store.db), services.config, "weibo", platform)
    # Costs are estimates: a plan may hold more than the budget turns out to pay for.
    plan.log.planned += [PlannedQuery(q, "estate", "coverage", 1.0, 0.0) for q in ("桃源村", "西乡街道", "海岸城")]
    crawl_platform(services, "weibo", simulator.url, SINCE, plan=plan, platform=platform)
    assert plan.sent == 2 and plan.log.cut == len(plan.searches) - 2
    assert simulator.rate_limited == {}
    states = PlannerStore(services.store.db).load("weibo")
    cut = [q for q in plan.searches if not plan.asked.get(q, Asked()).requests]
    # Never booked as asked: still due for coverage.
    assert cut and all(q not in states or states[q].last_asked_round is None for q in cut)
    assert not set(cut) & set(services.store.get_watermarks("weibo"))


def test_the_simulator_refuses_past_its_rate_and_the_round_sees_it(services: Services,
                                                                   simulator: SimulatorServer) -> None:
    # An unplanned round (no RoundPlan: no cap) of 45 searches: past 40 requests, refused.
    result = crawl_platform(services, "weibo", simulator.url, SINCE,
                            platform=services.config.platforms.platforms["weibo"].model_copy(
                                update={"keywords": [f"查询{i}" for i in range(45)]}))
    assert simulator.rate_limited == {"weibo": 5}
    assert result.stats.get("source/outcome/rate_limited") == 5


def test_queries_shows_the_next_round_and_the_figures_per_kind(services: Services,
                                                               simulator: SimulatorServer) -> None:
    before = {k: REGISTRY.get_sample_value("civicwatch_planner_requests_total", {"platform": "weibo", "kind": k}) or 0
              for k in KINDS}
    plan, _ = planned_round(services, simulator, weibo(services, 12))
    env = {"CIVICWATCH_MONGO_URI": services.settings.mongo_uri or "", "CIVICWATCH_MONGO_DB": services.settings.mongo_db,
           "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["queries", "--platform", "weibo", "--limit", "5"], env=env)
    assert result.exit_code == 0, result.output
    assert "round 2" in result.output and f"last round 1: {plan.sent}/12 requests" in result.output
    assert "by kind" in result.output and "coverage needs" in result.output
    # The same requests, per kind, as Prometheus counters.
    after = {k: REGISTRY.get_sample_value("civicwatch_planner_requests_total", {"platform": "weibo", "kind": k}) or 0
             for k in KINDS}
    spent: dict[str, int] = {}
    for q, a in plan.asked.items():
        spent[plan.kind_of(q)] = spent.get(plan.kind_of(q), 0) + a.requests
    assert {k: after[k] - before[k] for k in KINDS if after[k] != before[k]} == spent
    bad = CliRunner().invoke(app, ["queries", "--platform", "forum"], env=env)
    assert bad.exit_code != 0 and "no planned platform 'forum'" in str(bad.exception)
