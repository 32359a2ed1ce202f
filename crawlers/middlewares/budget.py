"""Caps a planned round at its request budget and counts every request against its query.

Requests past `request_budget_per_round` are dropped (IgnoreRequest) and their query is marked
cut (and truncated, for crawlers/extensions/crawlstate.py), so neither its watermark nor its
completeness moves past the posts it did not read; pages, detail pages and retries all
count, as a platform counts them. Every request carries the round number (ROUND_HEADER), which
the simulator's rate limit counts by. Only crawls given a RoundPlan (crawlers/planning.py).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from civicwatch.models import Post
from civicwatch.queries import ROUND_HEADER
from crawlers.planning import SETTING, RoundPlan, board_query

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


class PlannerBudgetMiddleware:
    def __init__(self, plan: RoundPlan, crawler: Crawler) -> None:
        self.plan = plan
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PlannerBudgetMiddleware:
        plan = crawler.settings.get(SETTING)
        if not isinstance(plan, RoundPlan):
            raise NotConfigured
        return cls(plan, crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        query = query_of(request)
        if self.plan.sent >= self.plan.budget:
            self.plan.log.cut += 1
            self.stats.inc_value("civicwatch/planner/cut")
            if query is not None:
                self.plan.cut.add(query)
                # Posts past the cut are unread: the query's watermark must not move past them.
                truncated = getattr(self.crawler.spider, "truncated_keywords", None)
                if isinstance(truncated, set):
                    truncated.add(query)
            if self.plan.log.cut == 1:
                logger.info("%s round %d: budget of %d requests spent; the rest waits for the next round",
                            self.plan.platform, self.plan.round_no, self.plan.budget)
            raise IgnoreRequest(f"request budget of {self.plan.budget} spent")
        self.plan.sent += 1
        self.stats.inc_value("civicwatch/planner/requests")
        if query is not None:
            self.plan.ask(query).requests += 1
        request.headers[ROUND_HEADER] = str(self.plan.round_no)
