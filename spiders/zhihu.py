"""Zhihu: general search (search_v3, newest first), following `paging.next` until `is_end`.

Production needs the signed, logged-in request the search page makes (x-zse-96) or the Zhihu
Open Platform; civicwatch does not compute platform signatures (README, Platforms).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from civicwatch.models import Post
from spiders.base import PlatformSpider
from spiders.utils.text import strip_html
from spiders.utils.times import TimeFormatError, parse_time

SEARCH = "https://www.zhihu.com/api/v4/search_v3"
URLS = {"answer": "https://www.zhihu.com/question/{qid}/answer/{id}", "article": "https://zhuanlan.zhihu.com/p/{id}",
        "zvideo": "https://www.zhihu.com/zvideo/{id}"}


class ZhihuSpider(PlatformSpider):
    name = "zhihu"
    platform = "zhihu"

    def search_request(self, keyword: str, page: int, url: str | None = None) -> scrapy.Request:
        url = url or f"{SEARCH}?" + urlencode({"t": "general", "q": keyword, "offset": 0, "limit": 20,
                                               "sort": "created_time", "time_interval": "a_week"})
        return scrapy.Request(url, callback=self.parse_search, dont_filter=True,
                              cb_kwargs={"keyword": keyword, "page": page})

    def to_post(self, obj: dict[str, Any], keyword: str, now: Any) -> Post:
        kind = obj["type"]
        question = obj.get("question") if isinstance(obj.get("question"), dict) else {}
        title = obj.get("title") or question.get("name")
        url = URLS.get(kind, URLS["article"]).format(id=obj["id"], qid=question.get("id", ""))
        return Post(platform="zhihu", post_id=str(obj["id"]), url=url,
                    author=str((obj.get("author") or {}).get("name") or ""),
                    title=strip_html(title) or None, text=strip_html(obj.get("content") or obj.get("excerpt")),
                    published_at=parse_time(obj["created_time"], now), fetched_at=now, keyword=keyword)

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        if response.status == 401:
            self.record_outcome("login_required", response, "HTTP 401")
            return
        body = self.json_body(response)
        if body is None:
            return
        if not isinstance(body.get("data"), list):
            self.record_outcome("malformed", response, "no data list")
            return
        now = self.fetch_time(response)
        posts: list[Post] = []
        for entry in body["data"]:
            obj = entry.get("object") if isinstance(entry, dict) and entry.get("type") == "search_result" else None
            if not isinstance(obj, dict):
                continue  # hot_timing, topics, ads
            try:
                posts.append(self.to_post(obj, keyword, now))
            except (AttributeError, KeyError, TypeError, ValueError, TimeFormatError) as exc:
                self.record_outcome("malformed", response, f"item skipped: {exc}")
        self.record_outcome("ok" if posts else "empty", response)
        yield from self.new_posts(keyword, posts)
        paging = body.get("paging") if isinstance(body.get("paging"), dict) else {}
        more = paging.get("is_end") is False and isinstance(paging.get("next"), str)
        if self.keep_paging(keyword, page, posts, more):
            yield self.search_request(keyword, page + 1, url=paging["next"])
        elif not more:
            self.record_outcome("end", response)
