"""Caps a planned round at its request budget and counts every request against its query.

Requests past `request_budget_per_round` are dropped (IgnoreRequest) and their query is marked
cut (and truncated, for crawlers/extensions/crawlstate.py), so neither its watermark nor its
completeness moves past the posts it did not read; pages, detail pages and retries all
count, as a platform counts them. Every request carries the round number (ROUND_HEADER), which
the simulator's rate limit counts by. Only crawls given a RoundPlan (crawlers/planning.py), and
with CIVICWATCH_SCALE_OUT every process sharing the crawl: the budget is then one counter in
Redis that the planning process opens and its workers spend from too (sinks/rounds.py).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from civicwatch.models import Post
from civicwatch.queries import ROUND_HEADER
from civicwatch.settings import from_scrapy_settings
from crawlers.planning import SETTING, RoundPlan, board_query
from crawlers.services import Services
from sinks.rounds import SharedRound

logger = logging.getLogger(__name__)


def query_of(request: Request) -> str | None:
    """The planned query a request serves: its search keyword, its board, or its post's keyword."""
    kw: dict[str, Any] = request.cb_kwargs or {}
    if isinstance(kw.get("keyword"), str):
        return kw["keyword"]
    if isinstance(kw.get("board"), str):
        return board_query(kw["board"])
    post = kw.get("post")
    return post.keyword if isinstance(post, Post) else None


def shared_round(crawler: Crawler) -> SharedRound | None:
    """The round's budget in Redis, when the crawl is shared with workers (CIVICWATCH_SCALE_OUT)."""
    settings = from_scrapy_settings(crawler.settings)
    platform = getattr(crawler.spidercls, "platform", None)
    if not (settings.scale_out or settings.worker) or not isinstance(platform, str):
        return None
    return SharedRound(Services.from_crawler(crawler).redis, platform)


class PlannerBudgetMiddleware:
    """In a planned round (a RoundPlan), or in a worker sharing one (its budget in Redis)."""

    def __init__(self, plan: RoundPlan | None, crawler: Crawler, shared: SharedRound | None = None) -> None:
        self.plan = plan
        self.crawler = crawler
        self.stats = crawler.stats
        self.shared = shared
        if plan is not None and shared is not None:  # the planning process opens the shared round
            shared.begin(plan.round_no, plan.budget)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PlannerBudgetMiddleware:
        plan = crawler.settings.get(SETTING)
        plan = plan if isinstance(plan, RoundPlan) else None
        shared = shared_round(crawler)
        if plan is None and (shared is None or not from_scrapy_settings(crawler.settings).worker):
            raise NotConfigured
        return cls(plan, crawler, shared)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        query = query_of(request)
        if self.shared is not None:
            round_no = self.shared.take(query)
            if round_no is None:
                return  # a worker with no round open: nothing planned for this platform now
            if round_no == 0:
                self._cut(query)
            self._count(request, query, round_no)
            return
        assert self.plan is not None
        if self.plan.sent >= self.plan.budget:
            self._cut(query)
        self._count(request, query, self.plan.round_no)

    def _cut(self, query: str | None) -> None:
        self.stats.inc_value("civicwatch/planner/cut")
        if query is not None:
            # Posts past the cut are unread: the query's watermark must not move past them.
            truncated = getattr(self.crawler.spider, "truncated_keywords", None)
            if isinstance(truncated, set):
                truncated.add(query)
        if self.plan is None:  # a worker: the shared round holds the cut (sinks/rounds.py)
            raise IgnoreRequest("request budget of the shared round spent")
        self.plan.log.cut += 1
        if query is not None:
            self.plan.cut.add(query)
        if self.plan.log.cut == 1:
            logger.info("%s round %d: budget of %d requests spent; the rest waits for the next round",
                        self.plan.platform, self.plan.round_no, self.plan.budget)
        raise IgnoreRequest(f"request budget of {self.plan.budget} spent")

    def _count(self, request: Request, query: str | None, round_no: int) -> None:
        self.stats.inc_value("civicwatch/planner/requests")
        if self.plan is not None:
            self.plan.sent += 1
            if query is not None:
                self.plan.ask(query).requests += 1
        request.headers[ROUND_HEADER] = str(round_no)
