"""Tieba PC search JSON (platforms.md §3.6 (1))."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from crawlers.models import Post
from simulator.faults import Fault
from simulator.posts import matches_query
from simulator.render import page_of

HOST = "tieba.baidu.com"
PAGE_SIZE = 10


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
        return Response('{"no":0,"error":"success","data":{"card_list":[{"cardInfo":"thr', media_type="application/json")
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
