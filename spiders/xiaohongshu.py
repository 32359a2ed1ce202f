"""Xiaohongshu: the web search page, rendered by Chromium (signed requests are the page's own)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from scrapy.http import Response

from civicwatch.models import Post
from spiders.browser import BrowserSpider
from spiders.utils.times import parse_time


class XiaohongshuSpider(BrowserSpider):
    name = "xiaohongshu"
    platform = "xiaohongshu"

    def search_url(self, keyword: str, page: int) -> str:
        return f"https://www.xiaohongshu.com/search_result?keyword={quote(keyword)}&sort=time_descending&page={page}"

    def to_post(self, node: Any, keyword: str, response: Response) -> Post:
        note_id = node.attrib["data-id"]
        now = self.fetch_time(response)
        # The DOM's time is relative ("3小时前", "11-20"); the note card's ms time is exact.
        raw = node.attrib.get("data-time-ms") or node.attrib.get("data-time")
        return Post(platform="xiaohongshu", post_id=note_id, url=f"https://www.xiaohongshu.com/explore/{note_id}",
                    author=node.attrib.get("data-user", ""), title=node.css("div.title::text").get() or None,
                    text=node.css("div.desc::text").get() or "", published_at=parse_time(raw, now),
                    ip_region=node.attrib.get("data-ip") or None, fetched_at=now, keyword=keyword)
