"""Zhihu general search (docs/platforms.md, "Zhihu"): search_v3, offset + limit, paging.is_end / next."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from civicwatch.models import Post
from simulator.faults import Fault
from simulator.posts import matches_query

HOST = "www.zhihu.com"
LIMIT = 20


def _object(post: Post, i: int) -> dict[str, object]:
    kind = ("answer", "article", "zvideo")[i % 3]
    obj: dict[str, object] = {"type": kind, "id": post.post_id, "excerpt": post.text[:50],
                              "content": f"<p>{post.text}</p>", "created_time": int(post.published_at.timestamp()),
                              "author": {"name": post.author, "url_token": "u"}}
    if kind == "answer":
        obj["question"] = {"id": f"q{post.post_id}", "name": post.title or ""}
    else:
        obj["title"] = post.title or ""
    return obj


def search(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    if fault and fault.kind in ("blocked", "login_required"):
        return JSONResponse({"error": {"code": 10003, "message": "请登录"}}, status_code=401)
    if fault and fault.kind == "rate_limited":
        return JSONResponse({"error": {"code": 30001, "message": "rate limit"}}, status_code=429)
    if fault and fault.kind == "malformed":
        return Response('{"data": [{"type": "search_result", "object": {"id": ', media_type="application/json")
    query = request.query_params.get("q", "")
    offset = int(request.query_params.get("offset", "0") or 0)
    hits = [p for p in posts if matches_query(p, query)]
    chunk = [] if fault and fault.kind == "empty" else hits[offset:offset + LIMIT]
    data: list[dict[str, object]] = [{"type": "hot_timing", "object": {}}] if offset == 0 else []
    data += [{"type": "search_result", "highlight": {"title": p.title}, "object": _object(p, offset + i)}
             for i, p in enumerate(chunk)]
    is_end = offset + LIMIT >= len(hits)
    params = dict(request.query_params) | {"offset": str(offset + LIMIT)}
    return JSONResponse({"data": data, "paging": {
        "is_end": is_end, "next": f"https://{HOST}/api/v4/search_v3?{urlencode(params)}"}})
