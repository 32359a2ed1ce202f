"""人民网领导留言板: per board (`fid`, from config `boards`), newest threads first, paged by
`lastItem`; tids only grow, so a board's watermark is enough to stop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from civicwatch.models import Post
from spiders.base import PlatformSpider
from spiders.utils.text import strip_html
from spiders.utils.times import TimeFormatError, parse_time

BASE = "https://liuyan.people.com.cn/pro-dfbbs-front"
PAGE_SIZE = 10


class LiuyanSpider(PlatformSpider):
    name = "liuyan"
    platform = "liuyan"

    def __init__(self, boards: Iterable[str] | str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("keywords", [])
        super().__init__(**kwargs)
        if boards is None:
            platform = self.platform_config()
            boards = platform.boards if platform else []
        self.boards = [b.strip() for b in boards.split(",")] if isinstance(boards, str) else list(boards)
        self.boards = [b for b in self.boards if b]

    async def start(self) -> AsyncIterator[Any]:
        if self.settings.getbool("CIVICWATCH_WORKER"):
            return
        for fid in self.boards:
            # The board page sets the WAF cookie the thread list needs.
            yield scrapy.Request(f"{BASE}/forum/list?fid={fid}", callback=self.after_cookie,
                                 cb_kwargs={"fid": fid}, dont_filter=True)

    def list_request(self, fid: str, last: str, page: int) -> scrapy.FormRequest:
        return scrapy.FormRequest(f"{BASE}/threads/queryThreadsList",
                                  formdata={"fid": fid, "lastItem": last, "pageSize": str(PAGE_SIZE)},
                                  headers={"Referer": f"{BASE}/forum/list?fid={fid}",
                                           "X-Requested-With": "XMLHttpRequest"},
                                  callback=self.parse_list, cb_kwargs={"fid": fid, "page": page},
                                  dont_filter=True)

    def after_cookie(self, response: Response, fid: str) -> Iterator[Any]:
        yield self.list_request(fid, "", 1)

    def parse_list(self, response: Response, fid: str, page: int) -> Iterator[Any]:
        body = self.json_body(response)
        if body is None:
            return
        rows = body.get("responseData")
        if body.get("result") != "success" or not isinstance(rows, list):
            self.record_outcome("malformed", response, f"result={body.get('result')!r}")
            return
        keyword = f"fid:{fid}"
        now = self.fetch_time(response)
        posts: list[Post] = []
        for row in rows:
            try:
                tid = str(int(row["tid"]))
                posts.append(Post(platform="liuyan", post_id=tid,
                                  url=f"https://liuyan.people.com.cn/threads/content?tid={tid}",
                                  author=str(row.get("nickName") or ""), title=strip_html(row.get("subject")) or None,
                                  text=strip_html(row.get("content")), published_at=parse_time(row["dateline"], now),
                                  fetched_at=now, keyword=keyword))
            except (AttributeError, KeyError, TypeError, ValueError, TimeFormatError) as exc:
                self.record_outcome("malformed", response, f"thread skipped: {exc}")
        self.record_outcome("ok" if posts else "empty", response)
        yield from self.new_posts(keyword, posts)
        more = len(rows) >= PAGE_SIZE
        if self.keep_paging(keyword, page, posts, more):
            yield self.list_request(fid, posts[-1].post_id, page + 1)
        elif not more:
            self.record_outcome("end", response)
