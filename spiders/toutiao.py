"""Toutiao: the legacy search JSON (offset + count), the shape most scripts still use.

Shapes vary (article_url/display_url, publish_time/behot_time); `shark_decision: reject` is a
block. The current so.toutiao.com page is JavaScript-rendered and would go through the browser.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from civicwatch.models import Post
from spiders.base import PlatformSpider
from spiders.utils.text import strip_html
from spiders.utils.times import TimeFormatError, parse_time

SEARCH = "https://www.toutiao.com/api/search/content/"
COUNT = 20


class ToutiaoSpider(PlatformSpider):
    name = "toutiao"
    platform = "toutiao"

    def search_request(self, keyword: str, page: int) -> scrapy.Request:
        query = urlencode({"aid": 24, "app_name": "web_search", "offset": (page - 1) * COUNT, "format": "json",
                           "keyword": keyword, "count": COUNT, "pd": "synthesis", "cur_tab": 1})
        return scrapy.Request(f"{SEARCH}?{query}", callback=self.parse_search, dont_filter=True,
                              cb_kwargs={"keyword": keyword, "page": page})

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        body = self.json_body(response)
        if body is None:
            return
        if body.get("shark_decision") == "reject":
            self.record_outcome("blocked", response, "shark_decision reject")
            return
        data = body.get("data")
        if not isinstance(data, list):
            self.record_outcome("malformed", response, "no data list")
            return
        now = self.fetch_time(response)
        posts: list[Post] = []
        for item in data:
            try:
                url = str(item.get("article_url") or item["display_url"])
                posts.append(Post(
                    platform="toutiao", post_id=hashlib.sha1(url.encode()).hexdigest()[:16], url=url,
                    author=str(item.get("source") or item.get("media_name") or ""),
                    title=strip_html(item.get("title")) or None, text=strip_html(item.get("abstract")),
                    published_at=parse_time(item.get("publish_time") or item["behot_time"], now),
                    fetched_at=now, keyword=keyword))
            except (AttributeError, KeyError, TypeError, ValueError, TimeFormatError) as exc:
                self.record_outcome("malformed", response, f"item skipped: {exc}")
        self.record_outcome("ok" if posts else "empty", response)
        yield from self.new_posts(keyword, posts)
        more = bool(isinstance(body, dict) and body.get("has_more"))
        if self.keep_paging(keyword, page, posts, more):
            yield self.search_request(keyword, page + 1)
        elif not more:
            self.record_outcome("end", response)
