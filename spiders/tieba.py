"""Tieba: PC search JSON (mo/q/search/multsearch), paging by pn until has_more is 0."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from crawlers.models import Post
from spiders.base import PlatformSpider
from spiders.utils.text import strip_html
from spiders.utils.times import TimeFormatError, parse_time

SEARCH = "https://tieba.baidu.com/mo/q/search/multsearch"
PAGE_SIZE = 20


class TiebaSpider(PlatformSpider):
    name = "tieba"
    platform = "tieba"

    def search_request(self, keyword: str, page: int) -> scrapy.Request:
        query = urlencode({"word": keyword, "pn": page, "rn": PAGE_SIZE, "come_from": "search"})
        return scrapy.Request(f"{SEARCH}?{query}", callback=self.parse_search,
                              cb_kwargs={"keyword": keyword, "page": page}, dont_filter=True)

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        if response.status == 429:
            self.record_outcome("rate_limited", response, "HTTP 429")
            return
        if response.status in (401, 403):
            self.record_outcome("blocked", response, f"HTTP {response.status}")
            return
        if b"\xe8\xb4\xb4\xe5\x90\xa7404" in response.body:  # 贴吧404: Tieba's over-the-limit page
            self.record_outcome("rate_limited", response, "贴吧404 page")
            return
        try:
            body = json.loads(response.text)
        except ValueError as exc:
            self.record_outcome("malformed", response, f"not JSON: {exc}")
            return
        if not isinstance(body, dict) or str(body.get("no")) != "0":
            outcome = "login_required" if isinstance(body, dict) and "登录" in str(body.get("error")) else "malformed"
            self.record_outcome(outcome, response, str(body)[:200])
            return
        data = body.get("data")
        cards = data.get("card_list") if isinstance(data, dict) else None
        if not isinstance(cards, list):
            self.record_outcome("malformed", response, "no data.card_list")
            return
        posts: list[Post] = []
        now = self.fetch_time(response)
        for card in cards:
            item = card.get("data") if isinstance(card, dict) and card.get("cardInfo") == "thread" else None
            if not isinstance(item, dict):
                continue
            try:
                posts.append(Post(
                    platform="tieba", post_id=str(item["tid"]), url=f"https://tieba.baidu.com/p/{item['tid']}",
                    author=str((item.get("user") or {}).get("show_nickname") or ""),
                    title=strip_html(item.get("title")) or None, text=strip_html(item.get("content")),
                    published_at=parse_time(item.get("time"), now), fetched_at=now, keyword=keyword))
            except (AttributeError, KeyError, TypeError, ValueError, TimeFormatError) as exc:
                self.record_outcome("malformed", response, f"post skipped: {exc}")
        self.record_outcome("ok" if posts else "empty", response)
        yield from self.new_posts(keyword, posts)
        page_info = data.get("page")
        has_more = isinstance(page_info, dict) and str(page_info.get("has_more")) in ("1", "True", "true")
        if self.keep_paging(keyword, page, posts, has_more):
            yield self.search_request(keyword, page + 1)
        elif not has_more:
            self.record_outcome("end", response)
