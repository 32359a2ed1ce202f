"""Bilibili video search (docs/platforms.md, "Bilibili"): wbi/search/type, page + page_size, numPages."""

from __future__ import annotations

import html
from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from civicwatch.models import Post
from simulator.faults import Fault
from simulator.posts import matches_query
from simulator.render import page_of

HOST = "api.bilibili.com"
PAGE_SIZE = 20


def _title(post: Post, query: str) -> str:
    title = html.escape(post.title or post.text[:20])
    for term in query.split():
        title = title.replace(term, f'<em class="keyword">{term}</em>')
    return title


def search(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    if fault and fault.kind in ("blocked", "rate_limited"):
        return JSONResponse({"code": -412, "message": "请求被拦截", "ttl": 1, "data": None})
    if fault and fault.kind == "malformed":
        return Response('{"code":0,"data":{"result":[{"bvid":"BV', media_type="application/json")
    query = request.query_params.get("keyword", "")
    page = int(request.query_params.get("page", "1") or 1)
    size = int(request.query_params.get("page_size", str(PAGE_SIZE)) or PAGE_SIZE)
    hits = [p for p in posts if matches_query(p, query)]
    num_pages = max(1, min(50, -(-len(hits) // size)))
    chunk, _ = page_of(hits, page, size, fault)
    if fault and fault.kind == "empty":
        chunk = []
    result = [{"type": "video", "id": 100000 + i, "aid": 100000 + i, "bvid": p.post_id,
               "arcurl": f"http://www.bilibili.com/video/{p.post_id}", "title": _title(p, query),
               "description": p.text, "author": p.author, "mid": 5678, "pic": "//i1.hdslb.com/x.jpg",
               "duration": "4:2", "pubdate": int(p.published_at.timestamp()),
               "senddate": int(p.published_at.timestamp())} for i, p in enumerate(chunk)]
    return JSONResponse({"code": 0, "message": "0", "ttl": 1, "data": {
        "page": page, "pagesize": size, "numResults": len(hits), "numPages": num_pages, "result": result}})
