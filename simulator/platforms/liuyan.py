"""People's Daily 领导留言板 (docs/platforms.md): a board page for the WAF cookie, then a POSTed
thread list per board (`fid`) paged by `lastItem` (the last tid seen), newest first."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from civicwatch.models import Post
from simulator.faults import Fault

HOST = "liuyan.people.com.cn"
COOKIE = "waf_token"


def board_page(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    response = HTMLResponse("<html><body>领导留言板</body></html>")
    response.set_cookie(COOKIE, "ok")
    return response


async def threads(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    if COOKIE not in request.cookies:
        return Response("forbidden", status_code=403)
    if fault and fault.kind == "rate_limited":
        return Response("too many requests", status_code=429)
    if fault and fault.kind == "malformed":
        return Response('{"result": "success", "responseData": [{"tid": ', media_type="application/json")
    form = await request.form()
    last = str(form.get("lastItem") or "")
    size = int(str(form.get("pageSize") or 10))
    ordered = sorted(posts, key=lambda p: int(p.post_id), reverse=True)  # tids only grow
    if last:
        ordered = [p for p in ordered if int(p.post_id) < int(last)]
    rows = [{"tid": int(p.post_id), "subject": p.title or "", "content": p.text,
             "dateline": int(p.published_at.timestamp()), "typeName": "投诉", "stateInfo": "待回复",
             "nickName": p.author, "answerContent": ""} for p in ordered[:size]]
    return JSONResponse({"result": "success", "resultDesc": "", "responseData": rows})
