"""Books a planned round back into the planner's state when its crawl closes.

Counts, per query, the answers that were not refusals and the leads the filter chain kept (a
post carries the query that found it as `keyword`); a lead's text names the streets and
landmarks the planner asks again soon. At spider close, crawlers/planning.py `close_round`
stores it all; the same figures go to Prometheus per platform and query kind. Only crawls given
a RoundPlan (crawlers/planning.py). With CIVICWATCH_SCALE_OUT, workers download some of the
round's requests: `SharedRoundTallies` counts what they found in the round's Redis hash
(sinks/rounds.py), and the planning process folds it in before booking.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from prometheus_client import Counter
from pymongo.errors import PyMongoError
from redis.exceptions import RedisError
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from civicwatch.clock import now_shanghai
from civicwatch.models import DecidedPost
from crawlers.middlewares.budget import query_of, shared_round
from crawlers.pipelines.servers import failed_server
from crawlers.planning import SETTING, RoundPlan, close_round, merge_shared, planner_for
from crawlers.services import Services
from filters.planner import Planner
from sinks.planner import PlannerStore
from sinks.rounds import SharedRound

logger = logging.getLogger(__name__)
REQUESTS = Counter("civicwatch_planner_requests_total", "Requests a planned round sent, by query kind",
                   ["platform", "kind"])
LEADS = Counter("civicwatch_planner_leads_total", "Leads planned queries found, by query kind",
                ["platform", "kind"])
CUT = Counter("civicwatch_planner_cut_requests_total", "Requests the round's budget refused", ["platform"])
# Statuses and bodies that are a platform's refusal, not an answer (spiders/base.py `refused`).
REFUSALS = frozenset({401, 403, 418, 429, 432})


def refusal(response: Response) -> bool:
    if response.status in REFUSALS:
        return True
    return response.status != 200 and b"\xe8\xb4\xb4\xe5\x90\xa7404" in response.body[:2000]  # 贴吧404


E = TypeVar("E", "PlannerExtension", "SharedRoundTallies")


def _connected(crawler: Crawler, ext: E) -> E:
    """Both extensions count a round's answers, leads and close the same way."""
    crawler.signals.connect(ext.response_received, signal=signals.response_received)
    crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
    crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
    return ext


class PlannerExtension:
    def __init__(self, plan: RoundPlan, store: PlannerStore, shared: SharedRound | None = None) -> None:
        self.plan = plan
        self.store = store
        self.shared = shared

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PlannerExtension:
        plan = crawler.settings.get(SETTING)
        if not isinstance(plan, RoundPlan):
            raise NotConfigured
        store = PlannerStore(Services.from_crawler(crawler).store.db)  # a board-only round logs its budget
        return _connected(crawler, cls(plan, store, shared_round(crawler)))

    def response_received(self, response: Response, request: Request, **_: Any) -> None:
        query = query_of(request)
        if query is None:
            return
        if refusal(response):
            self.plan.refused.add(query)
        else:
            self.plan.ask(query).answers += 1

    def item_scraped(self, item: Any, **_: Any) -> None:
        if not isinstance(item, DecidedPost) or item.post.keyword is None:
            return
        self.plan.ask(item.post.keyword).leads += 1
        self.plan.lead_texts.append(f"{item.post.title or ''} {item.post.text}")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        plan = self.plan
        # A round whose store or seen-set failed read posts it did not keep: its queries stay due.
        failed = failed_server(spider.crawler.stats) is not None
        truncated = set(getattr(spider, "truncated_keywords", ()))
        try:
            if self.shared is not None:
                truncated |= merge_shared(plan, self.shared.collect())
            close_round(plan, self.store, now_shanghai(), finished=reason == "finished" and not failed,
                        truncated=truncated, failed=failed)
        except RedisError as exc:  # the round's shared half is lost: booked as failed, so still due
            logger.warning("%s round %d: workers' tallies not read (%s)", plan.platform, plan.round_no,
                           type(exc).__name__)
            close_round(plan, self.store, now_shanghai(), finished=False, truncated=truncated, failed=True)
        except PyMongoError as exc:  # MongoDB went away: the round is failed anyway, say it once
            logger.warning("%s round %d not booked in the planner: %s", plan.platform, plan.round_no,
                           type(exc).__name__)
        for query, asked in plan.asked.items():
            kind = plan.kind_of(query)
            REQUESTS.labels(plan.platform, kind).inc(asked.requests)
            LEADS.labels(plan.platform, kind).inc(asked.leads)
        CUT.labels(plan.platform).inc(plan.log.cut)


class SharedRoundTallies:
    """In a worker: what the requests it downloaded for a planned round found, into Redis."""

    def __init__(self, shared: SharedRound, planner: Planner | None) -> None:
        self.shared = shared
        self.planner = planner

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRoundTallies:
        shared = shared_round(crawler)
        if shared is None or isinstance(crawler.settings.get(SETTING), RoundPlan):
            raise NotConfigured  # not a worker: the planning process counts for itself
        config = Services.from_crawler(crawler).config
        platform = config.platforms.platforms.get(shared.platform)
        planner = planner_for(config, shared.platform, platform) if platform is not None else None
        return _connected(crawler, cls(shared, planner))

    def response_received(self, response: Response, request: Request, **_: Any) -> None:
        query = query_of(request)
        if query is not None:
            if refusal(response):
                self.shared.flag("refused", {query})
            else:
                self.shared.tally("answers", query)

    def item_scraped(self, item: Any, **_: Any) -> None:
        if not isinstance(item, DecidedPost) or item.post.keyword is None:
            return
        self.shared.tally("leads", item.post.keyword)
        # Only the gazetteer names a lead mentions leave this process, never its text.
        for name in self.planner.follow_ups(f"{item.post.title or ''} {item.post.text}") if self.planner else ():
            self.shared.tally("follow", name)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.shared.flag("truncated", set(getattr(spider, "truncated_keywords", ())))
