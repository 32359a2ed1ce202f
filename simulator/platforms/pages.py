"""Server-rendered search pages: s.weibo.com and Sogou WeChat (docs/platforms.md,
"Weibo PC search", "WeChat articles via Sogou").

The Sogou markup is *shape invented* (the research has no real capture): `ul.news-list > li`
with `div.txt-box h3 a`, `p.txt-info`, `a.account` and the unix time in a `data-time`.
"""

from __future__ import annotations

import html
from datetime import datetime

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from civicwatch.models import Post
from simulator.faults import Fault
from simulator.posts import matches_query
from simulator.render import page_of, relative_time

WEIBO_S_HOST = "s.weibo.com"
SOGOU_HOST = "weixin.sogou.com"
PAGE = 10


def _weibo_time(p: Post, now: datetime) -> str:
    if (now - p.published_at).total_seconds() < 3600:
        return relative_time(p.published_at, now)
    if p.published_at.date() == now.date():
        return f"今天 {p.published_at:%H:%M}"
    return f"{p.published_at.month:02d}月{p.published_at.day:02d}日 {p.published_at:%H:%M}"


def weibo_search(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    if fault and fault.kind in ("login_required", "blocked"):
        return HTMLResponse('<html><body><div class="login-box">请登录</div></body></html>')
    if fault and fault.kind == "malformed":
        return HTMLResponse('<html><body><div class="card-wrap" mid="1"><div class="card"><p class="txt">')
    page = int(request.query_params.get("page", "1") or 1)
    hits = [p for p in posts if matches_query(p, request.query_params.get("q", ""))]
    chunk, more = page_of(hits, page, PAGE, fault)
    if not chunk:
        return HTMLResponse('<html><body><div class="card card-no-result">抱歉，未找到相关结果。</div></body></html>')
    cards = "".join(
        f'<div class="card-wrap" mid="{p.post_id}"><div class="card"><div class="card-feed"><div class="content">'
        f'<div class="info"><div></div><div><a class="name" nick-name="{html.escape(p.author)}">'
        f'{html.escape(p.author)}</a></div></div>'
        f'<p class="txt" node-type="feed_list_content">{html.escape(p.text[:60])}</p>'
        f'<p class="txt" node-type="feed_list_content_full">{html.escape(p.text)}</p>'
        f'<div class="from"><a href="//weibo.com/1/{p.post_id}">{_weibo_time(p, now)}</a><a>iPhone客户端</a></div>'
        f'</div></div></div></div>' for p in chunk)
    nxt = f'<a class="next" href="/weibo?page={page + 1}">下一页</a>' if more else ""
    return HTMLResponse(f'<html><body><div id="pl_feedlist_index">{cards}</div><div class="m-page">{nxt}</div>'
                        f'</body></html>')


def sogou(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    if fault and fault.kind in ("captcha", "blocked", "rate_limited"):
        return HTMLResponse('<html><body><form id="seccodeForm">请输入验证码</form></body></html>')
    page = int(request.query_params.get("page", "1") or 1)
    hits = [p for p in posts if matches_query(p, request.query_params.get("query", ""))]
    chunk, more = page_of(hits, page, PAGE, fault)
    items = "".join(
        f'<li id="sogou_vr_{p.post_id}"><div class="txt-box">'
        f'<h3><a href="{html.escape(p.url)}">{html.escape(p.title or "")}</a></h3>'
        f'<p class="txt-info">{html.escape(p.text)}</p><div class="s-p"><a class="account">{html.escape(p.author)}</a>'
        f'<span class="s2" data-time="{int(p.published_at.timestamp())}"></span></div></div></li>' for p in chunk)
    nxt = f'<a id="sogou_next" href="?page={page + 1}">下一页</a>' if more else ""
    return HTMLResponse(f'<html><body><ul class="news-list">{items}</ul>{nxt}</body></html>')
