"""Property-based: whatever a platform sends, a parser yields posts or counts an outcome; it never raises.

Derandomized so CI is repeatable; explore more with HYPOTHESIS_SEED-free runs of higher max_examples.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from civicwatch.models import Post
from spiders.bilibili import BilibiliSpider
from spiders.kuaishou import KuaishouSpider
from spiders.tieba import TiebaSpider
from spiders.toutiao import ToutiaoSpider
from spiders.weibo import WeiboSpider
from spiders.zhihu import ZhihuSpider

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)

WEIBO_OK = {"ok": 1, "data": {"cardlistInfo": {"page": 2}, "cards": [
    {"card_type": 9, "mblog": {"id": "1", "created_at": "5分钟前", "text": "南山<b>井盖</b>",
                               "user": {"screen_name": "a"}}},
    {"card_type": 11, "card_group": [{"card_type": 9, "mblog": {
        "id": "2", "created_at": "Sat Jan 14 18:34:32 +0800 2023", "text": "x"}}]}]}}
TIEBA_OK = {"no": 0, "error": "success", "data": {"card_list": [
    {"cardInfo": "thread", "data": {"tid": "9", "title": "t", "content": "c", "time": 1773552643}}],
    "page": {"has_more": 1}}}


def spider(cls: type) -> Any:
    crawler = get_crawler(cls)
    crawler._apply_settings()
    s = cls.from_crawler(crawler, keywords=["南山"])
    return s


def run(s: Any, body: bytes, status: int = 200, html: bool = False) -> list[Any]:
    url = "https://m.weibo.cn/api/container/getIndex?page=1"
    cls = HtmlResponse if html else TextResponse
    response = cls(url=url, body=body, status=status, encoding="utf-8", request=Request(url))
    return list(s.parse_search(response, keyword="南山", page=1))


def outcomes(s: Any) -> int:
    return sum(v for k, v in s.crawler.stats.get_stats().items() if k.startswith("source/outcome/"))


def mutate(doc: Any, path: list[Any], value: Any) -> Any:
    """Replace the value at a (possibly wrong) path with an arbitrary JSON value."""
    if not path:
        return value
    if isinstance(doc, dict) and doc:
        key = list(doc)[path[0] % len(doc)] if isinstance(path[0], int) else path[0]
        return {**doc, key: mutate(doc.get(key), path[1:], value)}
    if isinstance(doc, list) and doc:
        i = path[0] % len(doc) if isinstance(path[0], int) else 0
        return [*doc[:i], mutate(doc[i], path[1:], value), *doc[i + 1:]]
    return value


@pytest.mark.slow  # hundreds of generated bodies through the spiders
@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode), st.sampled_from([200, 403, 429, 432, 500]))
def test_random_bodies_never_raise(body: bytes, status: int) -> None:
    for cls in (WeiboSpider, TiebaSpider, BilibiliSpider, ZhihuSpider, KuaishouSpider, ToutiaoSpider):
        s = spider(cls)
        out = run(s, body, status)
        assert all(isinstance(x, (Post, Request)) for x in out)
        assert outcomes(s) >= 1  # every response is classified


@pytest.mark.slow  # hundreds of generated bodies through the spiders
@settings(max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 5) | st.sampled_from(["data", "cards", "mblog", "card_list", "page"]),
                max_size=5), json_values, st.sampled_from(["weibo", "tieba"]), st.booleans())
def test_mutated_real_shapes_never_raise(path: list[Any], value: Any, platform: str, truncate: bool) -> None:
    cls, doc = (WeiboSpider, WEIBO_OK) if platform == "weibo" else (TiebaSpider, TIEBA_OK)
    body = json.dumps(mutate(doc, path, value)).encode()
    if truncate:
        body = body[: len(body) // 2]
    s = spider(cls)
    out = run(s, body)
    posts = [x for x in out if isinstance(x, Post)]
    assert all(p.platform == platform for p in posts)
    assert outcomes(s) >= 1


GOV_OK = {"code": 0, "data": {"next": 2, "rows": [
    {"msgId": "7", "link": "/m/7", "subject": "噪音", "nick": "a", "body": "南山<b>工地</b>", "createdAt": "5分钟前"}]}}
JSON_FORUM = {"name": "fuzzboard", "format": "json", "list_url": "https://wz.example-gov.cn/api?b={board}&page={page}",
              "boards": ["x"], "items": {"path": "data.rows"}, "next_page": {"path": "data.next"},
              "fields": {"post_id": {"path": "msgId"}, "url": {"path": "link"}, "published_at": {"path": "createdAt"},
                         "title": {"path": "subject"}},
              "detail": {"fields": {"text": {"path": "data.body"}}}}


@pytest.mark.slow  # hundreds of generated bodies through the spiders
@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 5) | st.sampled_from(["data", "rows", "msgId", "link", "createdAt"]), max_size=4),
       json_values, st.booleans(), st.sampled_from([200, 404, 429, 500]))
def test_generic_forum_json_listing_and_detail_never_raise(path: list[Any], value: Any, truncate: bool,
                                                           status: int) -> None:
    from civicwatch.config.forums import ForumDefinition
    from spiders.forum import ForumSpider

    d = ForumDefinition.model_validate(JSON_FORUM)
    body = json.dumps(mutate(GOV_OK, path, value)).encode()
    body = body[: len(body) // 2] if truncate else body
    s = spider(ForumSpider)
    url = "https://wz.example-gov.cn/api?b=x&page=1"
    listing = TextResponse(url=url, body=body, status=status, encoding="utf-8", request=Request(url))
    out = list(s.parse_list(listing, d=d, board="x", page=1))
    assert all(isinstance(x, Request) for x in out)  # posts wait for their detail page
    assert all(p.post_id and p.post_id != "None" for p in (r.cb_kwargs.get("post") for r in out) if p)
    assert outcomes(s) >= 1
    post = Post(platform="forum", post_id="7", url="https://wz.example-gov.cn/m/7", author="a", text="列表里的字",
                published_at="2026-11-21T10:00:00+08:00", keyword="fuzzboard:x")
    before = outcomes(s)
    detail = TextResponse(url=post.url, body=body, status=status, encoding="utf-8", request=Request(post.url))
    got = list(s.parse_detail(detail, d=d, post=post))
    assert all(isinstance(x, Post) and x.post_id == "7" for x in got) and len(got) <= 1
    assert outcomes(s) == before + 1  # every detail answer is classified exactly once


def test_generic_forum_skips_items_without_an_id_and_counts_them() -> None:
    from civicwatch.config.forums import ForumDefinition
    from spiders.forum import ForumSpider

    d = ForumDefinition.model_validate({**JSON_FORUM, "detail": None})
    rows = [{**GOV_OK["data"]["rows"][0], "msgId": None}, GOV_OK["data"]["rows"][0]]  # type: ignore[index]
    s = spider(ForumSpider)
    url = "https://wz.example-gov.cn/api?b=x&page=1"
    body = json.dumps({"data": {"rows": rows}}).encode()
    out = list(s.parse_list(TextResponse(url=url, body=body, encoding="utf-8", request=Request(url)),
                            d=d, board="x", page=1))
    assert [p.post_id for p in out if isinstance(p, Post)] == ["7"]
    assert s.crawler.stats.get_value("source/outcome/malformed") == 1


# Pieces of the markup the HTML parsers look for, to be shuffled into hostile pages.
_MARKUP = st.sampled_from([
    "<html>", "</html>", "<body>", '<div class="card-wrap" mid="1">', '<p class="txt">', "</p>", "</div>",
    '<section class="note-item" data-id="1" data-time="3小时前" data-created="x">', "</section>",
    '<div class="desc">', '<div class="no-more">', '<div class="captcha">', '<a class="next" href="?page=2">',
    '<ul id="thread_list">', '<li class="j_thread_list" data-field=\'{"id": ', "'>", "</li>", "</ul>",
    '<div class="l_post">', '<span class="tail-info">', "2026-11-21 10:00", "IP属地:广东", "</span>",
    '<div class="txt-box"><h3><a href="/link?url=x">', "</a></h3>", '<span class="s2">', "<script>",
    "&lt;", "&#x27;", "南山井盖", "\x00", "<!--", "-->", '"', "'",
])


@pytest.mark.slow  # hundreds of generated pages through the HTML parsers
@settings(max_examples=120, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_MARKUP | st.text(max_size=8), max_size=30).map("".join), st.sampled_from([200, 404, 432]))
def test_html_parsers_never_raise(page: str, status: int) -> None:
    from spiders.douyin import DouyinSpider
    from spiders.pages import WechatSpider, WeiboHtmlSpider
    from spiders.xiaohongshu import XiaohongshuSpider

    url = "https://example.org/search?page=1"
    response = HtmlResponse(url=url, body=page.encode(), status=status, encoding="utf-8", request=Request(url))
    cases = [(cls, lambda s: s.parse_search(response, keyword="南山", page=1))
             for cls in (WechatSpider, WeiboHtmlSpider, XiaohongshuSpider, DouyinSpider)]
    cases += [(TiebaSpider, lambda s: s.parse_board(response, board="深圳", offset=0)),
              (TiebaSpider, lambda s: s.parse_thread(response, tid="1", board="深圳"))]
    for cls, parse in cases:
        s = spider(cls)
        out = list(parse(s))
        assert all(isinstance(x, (Post, Request)) for x in out)
        assert outcomes(s) >= 1, cls.__name__  # every page is classified
