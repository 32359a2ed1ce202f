"""Server-rendered search pages: s.weibo.com (`weibo_html`, platform weibo) and Sogou WeChat
article search (`wechat`). Both read plain HTML; neither logs in, solves captchas or signs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from civicwatch.models import Post
from spiders.base import PlatformSpider
from spiders.utils.times import TimeFormatError, parse_time


class HtmlSearchSpider(PlatformSpider):
    """A search results page: classify it, read its cards, follow its next link."""

    result_css = ""
    next_css = ""

    def page_url(self, keyword: str, page: int) -> str:
        raise NotImplementedError

    def blocked(self, response: Response) -> str | None:
        return None

    def card(self, node: Any, keyword: str, response: Response) -> Post:
        raise NotImplementedError

    def search_request(self, keyword: str, page: int) -> scrapy.Request:
        return scrapy.Request(self.page_url(keyword, page), callback=self.parse_search, dont_filter=True,
                              cb_kwargs={"keyword": keyword, "page": page})

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        if self.refused(response):
            return
        if outcome := self.blocked(response):
            self.record_outcome(outcome, response, "interstitial instead of results")
            return
        if not response.text.rstrip().endswith("</html>"):
            self.record_outcome("malformed", response, "page cut off")
            return
        nodes = response.css(self.result_css)
        posts: list[Post] = []
        for node in nodes:
            try:
                posts.append(self.card(node, keyword, response))
            except (AttributeError, KeyError, TypeError, ValueError, TimeFormatError) as exc:
                self.record_outcome("malformed", response, f"card skipped: {exc}")
        self.record_outcome("ok" if posts else "empty", response)
        yield from self.new_posts(keyword, posts)
        more = bool(response.css(self.next_css))
        if self.keep_paging(keyword, page, posts, more):
            yield self.search_request(keyword, page + 1)
        elif not more:
            self.record_outcome("end", response)


class WeiboHtmlSpider(HtmlSearchSpider):
    """s.weibo.com: needs a cookie in production (never farmed); a login page is a login wall."""

    name = "weibo_html"
    platform = "weibo"
    result_css = "div.card-wrap[mid]"
    next_css = "a.next"

    def page_url(self, keyword: str, page: int) -> str:
        return "https://s.weibo.com/weibo?" + urlencode({"q": keyword, "page": page})

    def blocked(self, response: Response) -> str | None:
        if response.css("div.card-wrap, div.card-no-result"):
            return None
        return "login_required" if response.text.rstrip().endswith("</html>") else None

    def card(self, node: Any, keyword: str, response: Response) -> Post:
        mid = node.attrib["mid"]
        full = node.css('p[node-type="feed_list_content_full"] ::text').getall()
        text = "".join(full or node.css("p.txt ::text").getall()).strip()
        now = self.fetch_time(response)
        return Post(platform="weibo", post_id=mid, url=f"https://m.weibo.cn/detail/{mid}",
                    author=node.css("a[nick-name]::attr(nick-name)").get() or "", text=text,
                    published_at=parse_time(node.css("div.from a::text").get(), now), fetched_at=now,
                    keyword=keyword)


class WechatSpider(HtmlSearchSpider):
    """Sogou WeChat article search (shape unverified, see simulator/platforms/pages.py)."""

    name = "wechat"
    platform = "wechat"
    result_css = "ul.news-list > li"
    next_css = "a#sogou_next"

    def page_url(self, keyword: str, page: int) -> str:
        return "https://weixin.sogou.com/weixin?" + urlencode({"type": 2, "query": keyword, "page": page})

    def blocked(self, response: Response) -> str | None:
        return "captcha" if response.css("#seccodeForm") or "antispider" in response.url else None

    def card(self, node: Any, keyword: str, response: Response) -> Post:
        url = node.css("div.txt-box h3 a::attr(href)").get()
        if not url:
            raise ValueError("card without a link")
        now = self.fetch_time(response)
        return Post(platform="wechat", post_id=hashlib.sha1(url.encode()).hexdigest()[:16], url=url,
                    author=node.css("a.account::text").get() or "",
                    title=(node.css("div.txt-box h3 a::text").get() or "").strip() or None,
                    text=(node.css("p.txt-info::text").get() or "").strip(),
                    published_at=parse_time(node.css("span[data-time]::attr(data-time)").get(), now),
                    fetched_at=now, keyword=keyword)
