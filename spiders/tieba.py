"""Tieba: PC search JSON (mo/q/search/multsearch), paging by pn until has_more is 0; and forum
listings (`/f?kw=…`, HTML, 50 threads a page) for the boards in config, each thread read from its
page (`/p/{tid}`) for the first floor's time, text and IP属地."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import quote, urlencode

import scrapy
from scrapy.http import Response

from civicwatch.models import Post
from spiders.base import POST_KEY_META, PlatformSpider
from spiders.utils.text import strip_html
from spiders.utils.times import TimeFormatError, parse_time

SEARCH = "https://tieba.baidu.com/mo/q/search/multsearch"
PAGE_SIZE = 20
BOARD_PAGE = 50
_TAIL_TIME = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


class TiebaSpider(PlatformSpider):
    name = "tieba"
    platform = "tieba"

    def __init__(self, boards: Iterable[str] | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if boards is None:
            platform = self.platform_config()
            boards = platform.boards if platform and kwargs.get("keywords") != [] else []
        if isinstance(boards, str):
            boards = [b.strip() for b in boards.split(",") if b.strip()]
        self.boards: list[str] = list(boards)

    async def start(self) -> AsyncIterator[Any]:
        if self.settings.getbool("CIVICWATCH_WORKER"):
            return  # a scale-out worker only takes requests others queued
        async for request in super().start():
            yield request
        for board in self.boards:
            yield self.board_request(board, 0)

    def board_request(self, board: str, offset: int) -> scrapy.Request:
        return scrapy.Request(f"https://tieba.baidu.com/f?kw={quote(board)}&ie=utf-8&pn={offset}",
                              callback=self.parse_board, cb_kwargs={"board": board, "offset": offset},
                              dont_filter=True)

    def parse_board(self, response: Response, board: str, offset: int) -> Iterator[Any]:
        if response.status == 429 or "贴吧404" in response.text:
            self.record_outcome("rate_limited", response, f"HTTP {response.status}")
            return
        if not response.css("ul#thread_list") or not response.text.rstrip().endswith("</html>"):
            self.record_outcome("malformed", response, "no thread list, or the page is cut off")
            return
        threads = response.css("li.j_thread_list")
        bad = 0
        for li in threads:
            try:
                tid = str(json.loads(li.attrib.get("data-field", ""))["id"])
            except (ValueError, KeyError, TypeError):
                bad += 1
                continue
            yield scrapy.Request(f"https://tieba.baidu.com/p/{tid}", callback=self.parse_thread,
                                 cb_kwargs={"tid": tid, "board": board}, meta={POST_KEY_META: f"tieba:{tid}"})
        if bad:
            self.record_outcome("malformed", response, f"{bad} threads without a readable data-field")
        self.record_outcome("listed" if threads else "empty", response)
        page = offset // BOARD_PAGE + 1
        if response.css("a.next") and page < self.max_pages:
            yield self.board_request(board, offset + BOARD_PAGE)
        elif response.css("a.next"):
            self.truncated_keywords.add(f"吧:{board}")
        else:
            self.record_outcome("end", response)

    def parse_thread(self, response: Response, tid: str, board: str) -> Iterator[Post]:
        if response.status == 404:
            self.record_outcome("not_found", response, "thread deleted")
            return
        first = response.css("div.l_post")[:1]
        tails = [t.strip() for t in first.css("span.tail-info::text").getall()]
        when = next((t for t in tails if _TAIL_TIME.match(t)), None)
        region = next((t.split(":", 1)[1] for t in tails if t.startswith("IP属地")), None)
        text = " ".join(first.css("div.d_post_content ::text").getall()).strip()
        if not first or when is None:
            self.record_outcome("malformed", response, "thread page without a first floor")
            return
        keyword = f"吧:{board}"
        try:
            post = Post(platform="tieba", post_id=tid, url=f"https://tieba.baidu.com/p/{tid}",
                        author=(first.css("a.p_author_name::text").get() or "").strip(),
                        title=(response.css("h3.core_title_txt::text").get() or "").strip() or None,
                        text=text, published_at=parse_time(when, self.fetch_time(response)),
                        ip_region=region, fetched_at=self.fetch_time(response), keyword=keyword)
        except (ValueError, TimeFormatError) as exc:
            self.record_outcome("malformed", response, str(exc))
            return
        self.record_outcome("ok", response)
        yield from self.new_posts(keyword, [post])

    def search_request(self, keyword: str, page: int) -> scrapy.Request:
        query = urlencode({"word": keyword, "pn": page, "rn": PAGE_SIZE, "come_from": "search"})
        return scrapy.Request(f"{SEARCH}?{query}", callback=self.parse_search,
                              cb_kwargs={"keyword": keyword, "page": page}, dont_filter=True)

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        if "贴吧404" in response.text:  # Tieba's over-the-limit page, whatever the status
            self.record_outcome("rate_limited", response, "贴吧404 page")
            return
        body = self.json_body(response)
        if body is None:
            return
        if str(body.get("no")) != "0":
            outcome = "login_required" if "登录" in str(body.get("error")) else "malformed"
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
