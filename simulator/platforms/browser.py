"""Platforms whose pages build their content with JavaScript (xiaohongshu, douyin).

The page carries its results base64-encoded and a script renders them into the DOM, so a
plain HTTP client sees no posts: only a real browser (scrapy-playwright + Chromium) does.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from civicwatch.models import Post
from simulator.faults import Fault
from simulator.posts import matches_query
from simulator.render import page_of, relative_time

XHS_HOST = "www.xiaohongshu.com"
DOUYIN_HOST = "www.douyin.com"
PAGE_SIZE = 10

_RENDER = """
<script>
(function () {
  const bytes = Uint8Array.from(atob(document.getElementById('state').textContent), c => c.charCodeAt(0));
  const state = JSON.parse(new TextDecoder().decode(bytes));
  const list = document.getElementById('feeds');
  for (const it of state.items) {
    const el = document.createElement('section');
    el.className = 'note-item';
    for (const [k, v] of Object.entries(it)) { el.dataset[k] = v; }
    const t = document.createElement('div'); t.className = 'title'; t.textContent = it.title || ''; el.appendChild(t);
    const d = document.createElement('div'); d.className = 'desc'; d.textContent = it.desc; el.appendChild(d);
    list.appendChild(el);
  }
  const end = document.createElement('div');
  end.className = state.next ? 'more' : 'no-more';
  end.dataset.next = state.next || '';
  document.body.appendChild(end);
})();
</script>"""


def _page(items: list[dict[str, object]], next_page: int | None) -> HTMLResponse:
    state = base64.b64encode(json.dumps({"items": items, "next": next_page}, ensure_ascii=False).encode()).decode()
    return HTMLResponse(f'<html><head><meta charset="utf-8"></head><body><div id="feeds"></div>'
                        f'<script type="text/plain" id="state">{state}</script>{_RENDER}</body></html>')


def _search(request: Request, posts: list[Post], now: datetime, fault: Fault | None, query: str,
            item: callable) -> Response:  # type: ignore[valid-type]
    page = int(request.query_params.get("page", "1") or 1)
    if fault and fault.kind in ("blocked", "captcha", "rate_limited"):
        return HTMLResponse('<html><body><div class="captcha">请完成安全验证</div></body></html>', status_code=461)
    if fault and fault.kind == "login_required":
        return HTMLResponse('<html><body><div class="login-container">登录后查看搜索结果</div></body></html>')
    hits = [p for p in posts if matches_query(p, query)]
    chunk, more = page_of(hits, page, PAGE_SIZE, fault)
    return _page([item(p, now) for p in chunk], page + 1 if more else None)


def xiaohongshu(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    def item(p: Post, now: datetime) -> dict[str, object]:
        return {"id": p.post_id, "title": p.title or "", "desc": p.text, "user": p.author,
                "time": relative_time(p.published_at, now) if (now - p.published_at).days < 1
                else f"{p.published_at:%m-%d}", "timeMs": int(p.published_at.timestamp() * 1000),
                "ip": p.ip_region or ""}
    return _search(request, posts, now, fault, request.query_params.get("keyword", ""), item)


def douyin(request: Request, posts: list[Post], now: datetime, fault: Fault | None) -> Response:
    query = request.url.path.rsplit("/", 1)[-1]
    from urllib.parse import unquote

    def item(p: Post, now: datetime) -> dict[str, object]:
        return {"id": p.post_id, "title": "", "desc": p.text, "user": p.author,
                "created": int(p.published_at.timestamp()), "ip": p.ip_region or ""}
    return _search(request, posts, now, fault, unquote(query), item)
