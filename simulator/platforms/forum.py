"""Local forums for the generic spider: a Discuz!-style HTML board and a JSON message board."""

from __future__ import annotations

import html
from datetime import datetime

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from civicwatch.models import Post
from simulator.faults import Fault
from simulator.render import relative_time

DISCUZ_HOST = "bbs.example-forum.cn"
GOV_HOST = "wz.example-gov.cn"
PAGE = 20


def discuz(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    if request.query_params.get("mod") == "viewthread":
        tid = request.query_params.get("tid", "")
        for p in posts:
            if p.post_id == tid:
                return HTMLResponse(f'<html><body><table><tr><td class="t_f" id="postmessage_{tid}">'
                                    f'{html.escape(p.text)}</td></tr></table></body></html>')
        return HTMLResponse("<html><body>抱歉，指定的主题不存在或已被删除</body></html>", status_code=404)
    if fault and fault.kind == "malformed":
        return HTMLResponse('<html><body><table id="threadlisttableid"><tbody id="normalthread_')
    page = int(request.query_params.get("page", "1") or 1)
    chunk = posts[(page - 1) * PAGE: page * PAGE]
    rows = "".join(
        f'<tbody id="normalthread_{p.post_id}"><tr><th><a class="s xst" '
        f'href="https://{DISCUZ_HOST}/forum.php?mod=viewthread&amp;tid={p.post_id}">'
        f'{html.escape(p.title or "")}</a></th>'
        f'<td class="by"><cite><a>{html.escape(p.author)}</a></cite>'
        f'<em><span title="{p.published_at:%Y-%m-%d %H:%M}">{relative_time(p.published_at, now)}</span></em>'
        f'</td></tr></tbody>'
        for p in chunk)
    nxt = f'<a class="nxt" href="?page={page + 1}">下一页</a>' if page * PAGE < len(posts) else ""
    return HTMLResponse(f'<html><body><table id="threadlisttableid"><tbody id="separatorline"></tbody>{rows}'
                        f'</table><div class="pg">{nxt}</div></body></html>')


def gov(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    if fault and fault.kind == "malformed":
        return Response('{"data": {"rows": [{"msgId": ', media_type="application/json")
    page = int(request.query_params.get("page", "1") or 1)
    size = int(request.query_params.get("size", "20") or 20)
    chunk = posts[(page - 1) * size: page * size]
    rows = [{"msgId": p.post_id, "link": f"https://{GOV_HOST}/message/{p.post_id}", "subject": p.title,
             "nick": p.author, "body": p.text, "createdAt": f"{p.published_at:%Y-%m-%d %H:%M:%S}"} for p in chunk]
    return JSONResponse({"code": 0, "data": {"rows": rows, "next": page + 1 if page * size < len(posts) else None}})
