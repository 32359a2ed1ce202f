"""Bilibili: video search (search_type=video, order=pubdate), paging by page until numPages.

Production needs the WBI-signed request a browser makes (w_rid/wts) or a licensed channel;
civicwatch does not compute platform signatures (README, Platforms).
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

SEARCH = "https://api.bilibili.com/x/web-interface/wbi/search/type"


class BilibiliSpider(PlatformSpider):
    name = "bilibili"
    platform = "bilibili"

    def search_request(self, keyword: str, page: int) -> scrapy.Request:
        query = urlencode({"search_type": "video", "keyword": keyword, "page": page, "page_size": 20,
                           "order": "pubdate"})
        return scrapy.Request(f"{SEARCH}?{query}", callback=self.parse_search, dont_filter=True,
                              headers={"Referer": "https://www.bilibili.com/"},
                              cb_kwargs={"keyword": keyword, "page": page})

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        body = self.json_body(response)
        if body is None:
            return
        if body.get("code") == -412:
            self.record_outcome("blocked", response, "code -412")
            return
        data = body.get("data")
        if body.get("code") != 0 or not isinstance(data, dict) or not isinstance(data.get("result", []), list):
            self.record_outcome("malformed", response, f"code={body.get('code')!r}")
            return
        now = self.fetch_time(response)
        posts: list[Post] = []
        for item in data.get("result") or []:
            try:
                posts.append(Post(
                    platform="bilibili", post_id=str(item["bvid"]),
                    url=str(item.get("arcurl") or f"https://www.bilibili.com/video/{item['bvid']}"),
                    author=str(item.get("author") or ""), title=strip_html(item.get("title")) or None,
                    text=strip_html(item.get("description")), published_at=parse_time(item["pubdate"], now),
                    fetched_at=now, keyword=keyword))
            except (AttributeError, KeyError, TypeError, ValueError, TimeFormatError) as exc:
                self.record_outcome("malformed", response, f"item skipped: {exc}")
        self.record_outcome("ok" if posts else "empty", response)
        yield from self.new_posts(keyword, posts)
        pages = data.get("numPages")
        more = isinstance(pages, int) and page < pages
        if self.keep_paging(keyword, page, posts, more):
            yield self.search_request(keyword, page + 1)
        elif not more:
            self.record_outcome("end", response)
