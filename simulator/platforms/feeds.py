"""Kuaishou search feed (REST, pcursor paging) and Toutiao legacy search JSON (offset paging)."""

from __future__ import annotations

import json
from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from civicwatch.models import Post
from simulator.faults import Fault
from simulator.posts import matches_query

KUAISHOU_HOST = "www.kuaishou.com"
TOUTIAO_HOST = "www.toutiao.com"
PAGE = 20


async def kuaishou(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    if fault and fault.kind == "rate_limited":
        return JSONResponse({"result": 2})
    if fault and fault.kind == "blocked":
        return JSONResponse({"result": 50})
    if fault and fault.kind == "malformed":
        return Response('{"result": 1, "feeds": [{"photo": ', media_type="application/json")
    body = json.loads(await request.body() or b"{}")
    cursor = int(body.get("pcursor") or 1)
    hits = [p for p in posts if matches_query(p, str(body.get("keyword", "")))]
    chunk = hits[(cursor - 1) * PAGE: cursor * PAGE]
    feeds = [{"type": 1, "author": {"id": f"a{i}", "name": p.author},
              "photo": {"id": p.post_id, "caption": p.text[:30], "originCaption": p.text,
                        "timestamp": int(p.published_at.timestamp() * 1000)}} for i, p in enumerate(chunk)]
    more = cursor * PAGE < len(hits)
    return JSONResponse({"result": 1, "pcursor": str(cursor + 1) if more else "no_more", "feeds": feeds})


def toutiao(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    if fault and fault.kind in ("blocked", "rate_limited"):
        return JSONResponse({"data": None, "shark_decision": "reject"})
    if fault and fault.kind == "malformed":
        return Response('{"data": [{"title": ', media_type="application/json")
    offset = int(request.query_params.get("offset", "0") or 0)
    query = request.query_params.get("keyword", "")
    hits = [p for p in posts if matches_query(p, query)]
    data = []
    for i, p in enumerate(hits[offset:offset + PAGE]):
        item: dict[str, object] = {"title": (p.title or "").replace(query, f"<em>{query}</em>"),
                                   "abstract": p.text, "source": p.author}
        item["article_url" if i % 2 else "display_url"] = p.url
        item["publish_time" if i % 2 else "behot_time"] = int(p.published_at.timestamp())
        data.append(item)
    return JSONResponse({"data": data, "has_more": int(offset + PAGE < len(hits)), "offset": offset + PAGE})
