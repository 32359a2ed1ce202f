"""Tieba PC search JSON (docs/platforms.md, "Baidu Tieba")."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from civicwatch.config import get_settings, load_gazetteer
from civicwatch.models import Post
from simulator.faults import Fault
from simulator.posts import matches_query
from simulator.render import page_of

HOST = "tieba.baidu.com"
PAGE_SIZE = 10
BOARD_PAGE = 50


def search(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    page = int(request.query_params.get("pn", "1") or 1)
    size = int(request.query_params.get("rn", str(PAGE_SIZE)) or PAGE_SIZE)
    if fault and fault.kind == "rate_limited":
        return Response("Too Many Requests", status_code=429)
    if fault and fault.kind == "blocked":
        return HTMLResponse("<html><title>贴吧404</title><body>很抱歉，您要访问的页面不存在。</body></html>")
    if fault and fault.kind == "login_required":
        return JSONResponse({"no": 110000, "error": "未登录", "data": {}})
    if fault and fault.kind == "malformed":
        return Response('{"no":0,"error":"success","data":{"card_list":[{"cardInfo":"thr',
                        media_type="application/json")
    hits = [p for p in posts if matches_query(p, request.query_params.get("word", ""))]
    chunk, has_next = page_of(hits, page, size, fault)
    if fault and fault.kind == "empty":
        chunk, has_next = [], False
    cards = [{"cardInfo": "thread", "cardStyle": "thread", "data": {
        "tid": p.post_id, "title": p.title or "", "content": p.text, "time": int(p.published_at.timestamp()),
        "user": {"show_nickname": p.author, "portrait": "tb.1.x"}, "post_num": 3, "forum_name": "深圳"}}
        for p in chunk]
    return JSONResponse({"no": 0, "error": "success",
                         "data": {"card_list": cards, "page": {"current_page": page, "has_more": int(has_next)}}})


def _field(post: Post) -> str:
    return json.dumps({"id": int(post.post_id) if post.post_id.isdigit() else post.post_id,
                       "author_name": post.author, "author_nickname": post.author, "reply_num": 3},
                      ensure_ascii=False)


@lru_cache(maxsize=1)
def _district_boards() -> dict[str, re.Pattern[str]]:
    """Board name (a district's short or full name) → any of the place names its posts name."""
    gazetteer = load_gazetteer(get_settings().config_dir / "gazetteer.yaml")
    boards: dict[str, re.Pattern[str]] = {}
    for d in gazetteer.districts:
        names = {d.name, d.short, *d.aliases}
        names.update(n for s in d.streets for n in (s.name, s.short, *s.aliases) if len(n) >= 2)
        names.update(n for lm in gazetteer.landmarks if lm.district == d.name
                     for n in (lm.name, *lm.aliases) if len(n) >= 2)
        pattern = re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))
        for board_name in (d.name, d.short):
            boards[board_name] = pattern
    return boards


def on_board(posts: list[Post], name: str) -> list[Post]:
    """A district's board holds the posts that name one of its places; any other board (深圳)
    holds every post, as the city's board gathers them all."""
    places = _district_boards().get(name)
    if places is None:
        return posts
    return [p for p in posts if places.search(f"{p.title or ''} {p.text}")]


def board(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    """Forum listing /f?kw=…&pn=… (50 threads a page, offset paging): the board's posts."""
    offset = int(request.query_params.get("pn", "0") or 0)
    posts = on_board(posts, request.query_params.get("kw", ""))
    if fault and fault.kind == "rate_limited":
        return Response("Too Many Requests", status_code=429)
    if fault and fault.kind == "malformed":
        return HTMLResponse('<html><body><ul id="thread_list"><li class="j_thread_list" data-field=\'{"id": ')
    chunk = posts[offset:offset + BOARD_PAGE]
    items = "".join(
        f'<li class="j_thread_list clearfix" data-field=\'{html.escape(_field(p), quote=True)}\'>'
        f'<div class="threadlist_title"><a class="j_th_tit" href="/p/{p.post_id}">'
        f'{html.escape(p.title or "")}</a></div>'
        f'<div class="threadlist_abs">{html.escape(p.text[:60])}</div>'
        f'<span class="threadlist_reply_date" title="最后回复时间">{p.published_at:%H:%M}</span></li>'
        for p in chunk)
    more = f'<a class="next pagination-item" href="/f?kw=x&pn={offset + BOARD_PAGE}">下一页&gt;</a>' \
        if offset + BOARD_PAGE < len(posts) else ""
    return HTMLResponse(f'<html><body><ul id="thread_list">{items}</ul>{more}</body></html>')


def thread(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    """Thread page /p/{tid}: the first floor with its time and IP属地."""
    tid = request.path_params["post_id"]
    if fault and fault.kind == "deleted":  # listed on the board, gone when opened
        return HTMLResponse("<html><title>贴吧404</title><body>该贴已被删除</body></html>", status_code=404)
    for p in posts:
        if p.post_id == tid:
            region = f'<span class="tail-info">IP属地:{html.escape(p.ip_region)}</span>' if p.ip_region else ""
            return HTMLResponse(
                f'<html><body><h3 class="core_title_txt">{html.escape(p.title or "")}</h3>'
                f'<div class="l_post"><div class="d_author"><a class="p_author_name">{html.escape(p.author)}</a></div>'
                f'<div class="d_post_content">{html.escape(p.text)}</div>'
                f'<span class="tail-info">1楼</span><span class="tail-info">{p.published_at:%Y-%m-%d %H:%M}</span>'
                f'{region}</div></body></html>')
    return HTMLResponse("<html><title>贴吧404</title><body>该贴已被删除</body></html>", status_code=404)
