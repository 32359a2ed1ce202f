"""Kuaishou: the search feed (REST), paging by `pcursor` until it says there is no more.

Production needs the `__NS_hxfalcon` signature the page computes (a browser) or a licensed
channel; `result: 50` (unsigned) is counted as a rejected signature, `result: 2` as rate limiting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from civicwatch.models import Post
from spiders.base import PlatformSpider
from spiders.utils.times import TimeFormatError, parse_time

FEED = "https://www.kuaishou.com/rest/v/search/feed"
LAST = {"no_more", "", None}


class KuaishouSpider(PlatformSpider):
    name = "kuaishou"
    platform = "kuaishou"

    def search_request(self, keyword: str, page: int, cursor: str = "1") -> scrapy.Request:
        return scrapy.Request(FEED, method="POST", body=json.dumps({"keyword": keyword, "pcursor": cursor,
                                                                    "page": "search"}),
                              headers={"Content-Type": "application/json"}, callback=self.parse_search,
                              dont_filter=True, cb_kwargs={"keyword": keyword, "page": page})

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        body = self.json_body(response)
        if body is None:
            return
        if body.get("result") == 2:
            self.record_outcome("rate_limited", response, "result 2")
            return
        if body.get("result") == 50:
            self.record_outcome("signature_rejected", response, "result 50")
            return
        feeds = body.get("feeds")
        if body.get("result") != 1 or not isinstance(feeds, list):
            self.record_outcome("malformed", response, f"result={body.get('result')!r}")
            return
        now = self.fetch_time(response)
        posts: list[Post] = []
        for feed in feeds:
            try:
                photo = feed["photo"]
                posts.append(Post(platform="kuaishou", post_id=str(photo["id"]),
                                  url=f"https://www.kuaishou.com/short-video/{photo['id']}",
                                  author=str((feed.get("author") or {}).get("name") or ""),
                                  text=str(photo.get("originCaption") or photo.get("caption") or ""),
                                  published_at=parse_time(photo["timestamp"], now), fetched_at=now, keyword=keyword))
            except (AttributeError, KeyError, TypeError, ValueError, TimeFormatError) as exc:
                self.record_outcome("malformed", response, f"feed skipped: {exc}")
        self.record_outcome("ok" if posts else "empty", response)
        yield from self.new_posts(keyword, posts)
        cursor = body.get("pcursor")
        more = cursor not in LAST
        if self.keep_paging(keyword, page, posts, more):
            yield self.search_request(keyword, page + 1, str(cursor))
        elif not more:
            self.record_outcome("end", response)
