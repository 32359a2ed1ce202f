"""Douyin: the web search page, rendered by Chromium (a_bogus/msToken are the page's own)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from scrapy.http import Response

from civicwatch.models import Post
from spiders.browser import BrowserSpider
from spiders.utils.times import parse_time


class DouyinSpider(BrowserSpider):
    name = "douyin"
    platform = "douyin"

    def search_url(self, keyword: str, page: int) -> str:
        return f"https://www.douyin.com/search/{quote(keyword)}?type=general&sort_type=2&page={page}"

    def to_post(self, node: Any, keyword: str, response: Response) -> Post:
        aweme_id = node.attrib["data-id"]
        now = self.fetch_time(response)
        return Post(platform="douyin", post_id=aweme_id, url=f"https://www.douyin.com/video/{aweme_id}",
                    author=node.attrib.get("data-user", ""), text=node.css("div.desc::text").get() or "",
                    published_at=parse_time(node.attrib["data-created"], now),
                    ip_region=node.attrib.get("data-ip") or None, fetched_at=now, keyword=keyword)
