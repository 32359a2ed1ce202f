"""Scale-out components: the expiring shared dupefilter, the worker's keep-alive, and a planned
round's budget and tallies shared with workers in Redis."""

from __future__ import annotations

import pytest
import redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured
from scrapy.utils.test import get_crawler

from civicwatch.queries import ROUND_HEADER
from crawlers.extensions.planner import SharedRoundTallies
from crawlers.middlewares.budget import PlannerBudgetMiddleware
from crawlers.planning import SETTING as PLAN_SETTING
from crawlers.planning import merge_shared, open_round
from crawlers.scaleout import ExpiringRedisDupeFilter, WorkerKeepAlive, scale_out_settings
from crawlers.services import Services
from sinks.planner import PlannerStore
from sinks.rounds import SharedRound


def test_the_shared_dupefilter_expires_after_the_configured_ttl(redis_url: str, redis_client: redis.Redis) -> None:
    settings = {**scale_out_settings(redis_url), "CIVICWATCH_DUPEFILTER_TTL_S": 120}
    crawler = get_crawler(Spider, settings)
    spider = crawler._create_spider("weibo")
    dupefilter = ExpiringRedisDupeFilter.from_spider(spider)
    assert dupefilter.ttl_seconds == 120
    assert not dupefilter.request_seen(Request("https://m.weibo.cn/a"))
    assert dupefilter.request_seen(Request("https://m.weibo.cn/a"))
    assert 0 < redis_client.ttl(dupefilter.key) <= 120


def test_the_keep_alive_is_only_for_workers() -> None:
    with pytest.raises(NotConfigured):
        WorkerKeepAlive.from_crawler(get_crawler(Spider))
    crawler = get_crawler(Spider, {"CIVICWATCH_WORKER": True})
    with pytest.raises(DontCloseSpider):
        WorkerKeepAlive.from_crawler(crawler).spider_idle(crawler._create_spider("w"))


# --- a planned round shared with workers (sinks/rounds.py) -------------------------------------

def test_processes_sharing_a_round_spend_one_budget(redis_url: str, redis_client: redis.Redis) -> None:
    planning = SharedRound(redis.Redis.from_url(redis_url), "weibo")
    worker = SharedRound(redis.Redis.from_url(redis_url), "weibo")  # another connection, as another process
    assert worker.take("南山") is None  # no round open: nothing to spend from
    planning.begin(7, budget=5)
    taken = [planning.take("南山"), worker.take("蛇口"), worker.take("蛇口"), planning.take(None),
             worker.take("蛇口"), worker.take("蛇口"), planning.take("南山")]
    assert taken == [7, 7, 7, 7, 7, 0, 0]
    worker.tally("answers", "蛇口", 3)
    worker.flag("refused", {"西丽"})
    got = planning.collect()
    assert (got.round_no, got.sent, got.over) == (7, 5, 2)
    assert got.counts["requests"] == {"南山": 1, "蛇口": 3} and got.counts["answers"] == {"蛇口": 3}
    assert got.flags["cut"] == {"蛇口", "南山"} and got.flags["refused"] == {"西丽"}
    planning.begin(8, budget=5)  # the next round starts from nothing
    assert planning.collect().sent == 0 and planning.take("南山") == 8


def _worker_crawler(services: Services, **extra: object) -> Crawler:
    from spiders.weibo import WeiboSpider

    return get_crawler(WeiboSpider, {**services.scrapy_settings(), **extra})


def test_a_worker_spends_the_planned_rounds_budget_and_its_tallies_reach_the_booking(services: Services) -> None:
    platform = services.config.platforms.platforms["weibo"].model_copy(update={"request_budget_per_round": 4})
    plan = open_round(PlannerStore(services.store.db), services.config, "weibo", platform)
    planning = _worker_crawler(services, **{PLAN_SETTING: plan, "CIVICWATCH_SCALE_OUT": True})
    PlannerBudgetMiddleware.from_crawler(planning)  # opens the shared round
    worker = PlannerBudgetMiddleware.from_crawler(_worker_crawler(services, CIVICWATCH_WORKER=True))
    query = plan.searches[0]
    sent = []
    for page in range(6):
        request = Request(f"https://m.weibo.cn/api?page={page}", cb_kwargs={"keyword": query})
        try:
            worker.process_request(request)
        except IgnoreRequest:
            continue
        sent.append(request.headers[ROUND_HEADER].decode())
    assert sent == [str(plan.round_no)] * 4  # the budget held across processes, each request in the round
    shared = SharedRound(services.redis, "weibo")
    shared.tally("answers", query, 4)
    shared.tally("leads", query, 1)
    shared.tally("follow", "桃源村")
    truncated = merge_shared(plan, shared.collect())
    asked = plan.asked[query]
    assert (asked.requests, asked.answers, asked.leads, plan.sent) == (4, 4, 1, 4)
    assert query in plan.cut and truncated == set() and "桃源村" in plan.lead_texts


def test_without_scale_out_there_is_no_shared_round(services: Services) -> None:
    with pytest.raises(NotConfigured):
        PlannerBudgetMiddleware.from_crawler(_worker_crawler(services))
    with pytest.raises(NotConfigured):
        SharedRoundTallies.from_crawler(_worker_crawler(services))
