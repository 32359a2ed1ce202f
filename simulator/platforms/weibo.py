"""m.weibo.cn mobile search JSON (docs/platforms.md, "Weibo mobile search")."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from civicwatch.clock import SHANGHAI
from civicwatch.models import Post
from simulator.faults import Fault
from simulator.render import page_of, relative_time

HOST = "m.weibo.cn"
PAGE_SIZE = 10
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def weibo_time(dt: datetime, now: datetime) -> str:
    """Recent posts show relative times; older ones the RFC-like form with offset."""
    if (now - dt).total_seconds() < 3600:
        return relative_time(dt, now)
    d = dt.astimezone(SHANGHAI)
    return f"{_DAYS[d.weekday()]} {_MONTHS[d.month - 1]} {d.day:02d} {d:%H:%M:%S} +0800 {d.year}"


def mblog(post: Post, now: datetime) -> dict[str, object]:
    text = post.text
    html = f'{text[:140]}...<a href="/status/{post.post_id}">全文</a>' if len(text) > 140 else text
    return {
        "id": post.post_id, "idstr": post.post_id, "mid": post.post_id, "bid": "",
        "created_at": weibo_time(post.published_at, now), "text": html, "textLength": len(text),
        "isLongText": len(text) > 140, "source": "iPhone客户端",
        "region_name": f"发布于 {post.ip_region}" if post.ip_region else None,
        "reposts_count": 0, "comments_count": 0, "attitudes_count": 0,
        "user": {"id": abs(hash(post.author)) % 10**10, "screen_name": post.author},
    }


def query_of(request: Request) -> str:
    containerid = request.query_params.get("containerid", "")
    inner = parse_qs(containerid.split("type", 1)[-1].split("&", 1)[-1]) if "q=" in containerid else {}
    return (inner.get("q") or [""])[0]


def search(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    page = int(request.query_params.get("page", "1") or 1)
    if fault and fault.kind in ("rate_limited", "blocked"):
        return Response("<html>访问频繁</html>", status_code=432 if fault.kind == "rate_limited" else 403)
    if fault and fault.kind == "login_required":
        return JSONResponse({"ok": -100, "url": "https://passport.weibo.com/sso/signin"})
    if fault and fault.kind == "malformed":
        return Response('{"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": {"id": ', media_type="application/json")
    from simulator.posts import matches_query

    hits = [p for p in posts if matches_query(p, query_of(request))]
    chunk, has_next = page_of(hits, page, PAGE_SIZE, fault)
    if fault and fault.kind == "empty":
        chunk, has_next = [], False
    if not chunk and page == 1:
        return JSONResponse({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}})
    cards = [{"card_type": 9, "itemid": p.post_id, "mblog": mblog(p, now)} for p in chunk]
    if len(cards) > 2:  # real result pages wrap some cards in groups and mix in users
        cards = [cards[0], {"card_type": 11, "card_group": cards[1:3]}, {"card_type": 10, "user": {}},
                 *cards[3:]]
    return JSONResponse({"ok": 1, "data": {
        "cardlistInfo": {"containerid": request.query_params.get("containerid"), "total": len(hits),
                         "page": page + 1 if has_next else None},
        "cards": cards}})


def detail(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    post_id = request.path_params["post_id"]
    if fault and fault.kind == "malformed":
        return Response('<html><script>var $render_data = [{"status": {"id": "', media_type="text/html")
    for p in posts:
        if p.post_id == post_id:
            status = {**mblog(p, now), "text": p.text, "isLongText": False}
            data = json.dumps({"status": status}, ensure_ascii=False)
            body = f"<html><script>var $render_data = [{data}][0] || {{}};</script></html>"
            return Response(body, media_type="text/html")
    return Response("<html>404</html>", status_code=404)
