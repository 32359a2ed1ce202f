"""Weibo: m.weibo.cn mobile search, newest first (type=61), paging by cardlistInfo.page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import scrapy
from scrapy.http import Response

from civicwatch.models import Post
from spiders.base import PlatformSpider
from spiders.utils.text import strip_html
from spiders.utils.times import TimeFormatError, parse_time

SEARCH = ("https://m.weibo.cn/api/container/getIndex?containerid={cid}&page_type=searchall&page={page}")
_RENDER = re.compile(r"\$render_data\s*=\s*\[(.*)\]\[0\]", re.S)


def iter_mblogs(cards: Any) -> Iterator[dict[str, Any]]:
    """Post cards (type 9) at any depth; users, topics and ads are skipped."""
    for card in cards if isinstance(cards, list) else []:
        if not isinstance(card, dict):
            continue
        if card.get("card_type") == 9 and isinstance(card.get("mblog"), dict):
            yield card["mblog"]
        yield from iter_mblogs(card.get("card_group"))


class WeiboSpider(PlatformSpider):
    name = "weibo"
    platform = "weibo"

    def search_request(self, keyword: str, page: int) -> scrapy.Request:
        cid = quote(f"100103type=61&q={keyword}", safe="")
        return scrapy.Request(SEARCH.format(cid=cid, page=page), callback=self.parse_search,
                              cb_kwargs={"keyword": keyword, "page": page}, dont_filter=True)

    def to_post(self, mblog: dict[str, Any], keyword: str, response: Response, text: str | None = None) -> Post:
        now = self.fetch_time(response)
        region = mblog.get("region_name") or None
        return Post(
            platform="weibo", post_id=str(mblog["id"]), url=f"https://m.weibo.cn/detail/{mblog['id']}",
            author=str((mblog.get("user") or {}).get("screen_name") or ""),
            text=text if text is not None else strip_html(mblog.get("text")),
            published_at=parse_time(mblog.get("created_at"), now),
            ip_region=region.replace("发布于", "").strip() if region else None,
            fetched_at=now, keyword=keyword,
        )

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        body = self.json_body(response)
        if body is None:
            return
        if body.get("ok") == -100:
            self.record_outcome("login_required", response, str(body.get("url", "")))
            return
        data = body.get("data")
        if body.get("ok") == 0 and isinstance(data, dict) and data.get("cards") == []:
            self.record_outcome("empty", response)
            return
        if body.get("ok") != 1 or not isinstance(data, dict):
            self.record_outcome("malformed", response, f"ok={body.get('ok')!r}")
            return
        posts: list[Post] = []
        long_texts: list[Post] = []
        for mblog in iter_mblogs(data.get("cards")):
            try:
                post = self.to_post(mblog, keyword, response)
            except (AttributeError, KeyError, TypeError, ValueError, TimeFormatError) as exc:
                self.record_outcome("malformed", response, f"post skipped: {exc}")
                continue
            (long_texts if mblog.get("isLongText") else posts).append(post)
        self.record_outcome("ok" if posts or long_texts else "empty", response)
        for post in self.new_posts(keyword, posts):
            yield post
        for post in self.new_posts(keyword, long_texts):  # the search card cuts long texts: fetch all
            yield scrapy.Request(f"https://m.weibo.cn/detail/{post.post_id}", callback=self.parse_detail,
                                 cb_kwargs={"post": post}, dont_filter=True)
        info = data.get("cardlistInfo")
        info = info if isinstance(info, dict) else {}
        if self.keep_paging(keyword, page, posts + long_texts, info.get("page") is not None):
            yield self.search_request(keyword, page + 1)
        elif info.get("page") is None:
            self.record_outcome("end", response)

    def parse_detail(self, response: Response, post: Post) -> Iterator[Post]:
        m = _RENDER.search(response.text)
        try:
            status = json.loads(m.group(1))["status"] if m else None
            text = strip_html(status["text"]) if status else None
        except (ValueError, KeyError, TypeError):
            text = None
        if text is None:
            self.record_outcome("malformed", response, "detail page without $render_data")
            yield post  # the truncated text is better than losing the post
            return
        yield post.model_copy(update={"text": text})
