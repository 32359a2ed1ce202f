"""The generic spider: every board defined in config/forums/*.yaml, no code per forum.

A definition gives the listing URL template, paging, the item selector and a field mapping
(CSS/XPath for HTML, dotted paths for JSON), optionally a detail page per item, and the time
format (see crawlers/config/forums.py and README "Adding a forum").
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import scrapy
from parsel import Selector as Parsel
from scrapy.http import Response

from civicwatch.clock import SHANGHAI
from civicwatch.config.forums import ForumDefinition, Selector, load_forums
from civicwatch.models import Post
from spiders.base import PlatformSpider
from spiders.utils.text import strip_html
from spiders.utils.times import TimeFormatError, parse_time


def _walk(doc: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(doc, dict):
            doc = doc.get(part)
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return None
    return doc


def extract(node: Any, sel: Selector) -> Any:
    """A value from an HTML node (parsel) or a JSON object, per the definition's selector."""
    if sel.path is not None:
        value = _walk(node, sel.path)
        values = value if isinstance(value, list) and sel.join else [value]
    else:
        found = node.css(sel.css) if sel.css is not None else node.xpath(sel.xpath)
        values = [v.strip() for v in found.getall() if v.strip()]
    if sel.regex:
        values = [m.group(1) for v in values if isinstance(v, str) and (m := re.search(sel.regex, v))]
    if sel.join:
        return " ".join(str(v) for v in values if v is not None) or None
    return values[0] if values else None


class ForumSpider(PlatformSpider):
    name = "forum"
    platform = "forum"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("keywords", [])  # boards, not searches
        super().__init__(**kwargs)
        self.definitions = load_forums(self.config_dir / "forums")

    async def start(self) -> AsyncIterator[Any]:
        if self.settings.getbool("CIVICWATCH_WORKER"):
            return  # a scale-out worker only takes requests others queued
        for d in self.definitions:
            for board in d.boards:
                yield self.list_request(d, board, d.first_page)

    def list_request(self, d: ForumDefinition, board: str, page: int) -> scrapy.Request:
        return scrapy.Request(d.list_url.format(board=board, page=page), callback=self.parse_list,
                              cb_kwargs={"d": d, "board": board, "page": page}, dont_filter=True)

    def _time(self, d: ForumDefinition, raw: Any, response: Response) -> datetime:
        if d.time_format == "auto":
            return parse_time(raw, self.fetch_time(response))
        return datetime.strptime(str(raw), d.time_format).replace(tzinfo=SHANGHAI)

    def parse_list(self, response: Response, d: ForumDefinition, board: str, page: int) -> Iterator[Any]:
        if self.refused(response):
            return
        try:
            root: Any = json.loads(response.text) if d.format == "json" else Parsel(text=response.text)
        except ValueError as exc:
            self.record_outcome("malformed", response, f"not JSON: {exc}")
            return
        if d.format == "html" and not response.text.rstrip().endswith("</html>"):
            self.record_outcome("malformed", response, "listing cut off")
            return
        items = _walk(root, d.items.path) if d.items.path else (
            root.css(d.items.css) if d.items.css else root.xpath(d.items.xpath))
        if not isinstance(items, list) and not hasattr(items, "getall"):
            self.record_outcome("malformed", response, f"no items at {d.items}")
            return
        keyword = f"{d.name}:{board}"
        posts: list[Post] = []
        for node in items:
            try:
                values = {k: extract(node, sel) for k, sel in d.fields.items()}
                missing = [k for k in ("post_id", "url", "published_at") if values.get(k) in (None, "")]
                if missing:
                    raise KeyError(f"nothing at {', '.join(missing)}")
                values["url"] = response.urljoin(str(values["url"]))
                post = Post(platform=d.platform, post_id=str(values["post_id"]), url=values["url"],
                            author=str(values.get("author") or ""), title=values.get("title"),
                            text=strip_html(values.get("text")) if values.get("text") else "",
                            published_at=self._time(d, values["published_at"], response),
                            fetched_at=self.fetch_time(response), keyword=keyword)
            except (AttributeError, KeyError, TypeError, ValueError, TimeFormatError) as exc:
                self.record_outcome("malformed", response, f"item skipped: {exc}")
                continue
            posts.append(post)
        self.record_outcome("ok" if posts else "empty", response)
        for post in self.new_posts(keyword, posts):
            if d.detail:
                yield scrapy.Request(post.url, callback=self.parse_detail, cb_kwargs={"d": d, "post": post})
            else:
                yield post
        more = d.next_page is not None and bool(extract(root, d.next_page))
        if self.keep_paging(keyword, page - d.first_page + 1, posts, more, max_pages=d.max_pages):
            yield self.list_request(d, board, page + 1)
        elif not more:
            self.record_outcome("end", response)

    def parse_detail(self, response: Response, d: ForumDefinition, post: Post) -> Iterator[Post]:
        if response.status in (404, 410):
            self.record_outcome("not_found", response, "deleted")
            return
        if self.refused(response):
            return
        assert d.detail is not None
        problem = f"HTTP {response.status} on a detail page" if response.status >= 400 else None
        if problem is None:
            try:
                node: Any = Parsel(text=response.text) if d.format == "html" else json.loads(response.text or "{}")
                update = {k: extract(node, sel) for k, sel in d.detail.fields.items()}
                if update.get("text"):
                    update["text"] = strip_html(str(update["text"]))
                post = post.model_copy(update={k: v for k, v in update.items() if v})
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                problem = f"detail page: {exc}"
        # On a problem the listing's text is still better than losing the post.
        self.record_outcome("malformed" if problem else "ok", response, problem or "")
        yield post
