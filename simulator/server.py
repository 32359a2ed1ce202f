"""The platform simulator: an HTTP server answering for the platforms' hosts (contract 3).

Requests arrive through crawlers.middlewares.simulator with the platform's host in the
X-Civicwatch-Host header (or as the Host header itself). Its clock is fixed (`now`, default
ten minutes after the newest post) and sent as the Date header, so relative times render and
parse the same on every run.

Like a platform, it can limit requests per polling interval (`requests_per_round`): its clock
does not move, so an interval is the crawl's round, which every request of a planned round names
in the ROUND_HEADER (unplanned requests share one count). Past the limit a platform answers with
its own rate-limit response (the `rate_limited` fault's); `/__sim__/health` counts them.
"""

from __future__ import annotations

import asyncio
import email.utils
import inspect
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from civicwatch.exceptions import AddressInUseError
from civicwatch.models import Post
from civicwatch.queries import ROUND_HEADER
from simulator.faults import Fault, FaultBook
from simulator.platforms import bilibili, browser, feeds, forum, liuyan, pages, tieba, weibo, zhihu
from simulator.posts import load_posts

Handler = Callable[[Request, list[Post], datetime, Fault | None], Response]

# (host, path) → (platform, handler, page parameter)
ROUTES: dict[tuple[str, str], tuple[str, Handler, str]] = {
    (weibo.HOST, "/api/container/getIndex"): ("weibo", weibo.search, "page"),
    (tieba.HOST, "/mo/q/search/multsearch"): ("tieba", tieba.search, "pn"),
    (tieba.HOST, "/f"): ("tieba", tieba.board, "pn"),
    (bilibili.HOST, "/x/web-interface/wbi/search/type"): ("bilibili", bilibili.search, "page"),
    (zhihu.HOST, "/api/v4/search_v3"): ("zhihu", zhihu.search, "offset"),
    (pages.WEIBO_S_HOST, "/weibo"): ("weibo", pages.weibo_search, "page"),
    (pages.SOGOU_HOST, "/weixin"): ("wechat", pages.sogou, "page"),
    (feeds.KUAISHOU_HOST, "/rest/v/search/feed"): ("kuaishou", feeds.kuaishou, "page"),
    (feeds.TOUTIAO_HOST, "/api/search/content/"): ("toutiao", feeds.toutiao, "offset"),
    (browser.XHS_HOST, "/search_result"): ("xiaohongshu", browser.xiaohongshu, "page"),
    (liuyan.HOST, "/pro-dfbbs-front/forum/list"): ("liuyan", liuyan.board_page, "page"),
    (liuyan.HOST, "/pro-dfbbs-front/threads/queryThreadsList"): ("liuyan", liuyan.threads, "page"),
    (forum.DISCUZ_HOST, "/forum.php"): ("forum", forum.discuz, "page"),
    (forum.GOV_HOST, "/api/messages"): ("forum", forum.gov, "page"),
}
PREFIX_ROUTES: dict[tuple[str, str], tuple[str, Handler, str]] = {
    (weibo.HOST, "/detail/"): ("weibo", weibo.detail, "page"),
    (tieba.HOST, "/p/"): ("tieba", tieba.thread, "pn"),
    (browser.DOUYIN_HOST, "/search/"): ("douyin", browser.douyin, "page"),
}


def default_now(posts: dict[str, list[Post]]) -> datetime:
    newest = max((p.published_at for ps in posts.values() for p in ps), default=datetime.now(UTC))
    return newest + timedelta(minutes=10)


class RateLimits:
    """Requests per platform and round; past `limit`, the platform refuses (thread-safe)."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.counts: dict[tuple[str, str], int] = {}
        self.refused: dict[str, int] = {}
        self._lock = threading.Lock()

    def over(self, platform: str, round_key: str) -> bool:
        if self.limit is None:
            return False
        with self._lock:
            key = (platform, round_key)
            self.counts[key] = self.counts.get(key, 0) + 1
            if self.counts[key] <= self.limit:
                return False
            self.refused[platform] = self.refused.get(platform, 0) + 1
            return True


def build_app(posts_path: Path, now: datetime | None = None, faults: FaultBook | None = None,
              limits: RateLimits | None = None) -> Starlette:
    posts = load_posts(posts_path)
    clock = now or default_now(posts)
    book = faults or FaultBook()
    rate = limits or RateLimits()

    async def dispatch(request: Request) -> Response:
        host = request.headers.get("x-civicwatch-host") or request.url.hostname or ""
        path = request.url.path
        route = ROUTES.get((host, path))
        if route is None:
            for (h, prefix), r in PREFIX_ROUTES.items():
                if h == host and path.startswith(prefix):
                    route = r
                    request.scope["path_params"] = {"post_id": path[len(prefix):]}
        if route is None:
            return Response("not found", status_code=404)
        platform, handler, page_param = route
        page = int(request.query_params.get(page_param, "1") or 1)
        fault = book.take(platform, page, path)
        if rate.over(platform, request.headers.get(ROUND_HEADER, "")):
            fault = Fault(kind="rate_limited")
        if fault and fault.kind == "slow":
            await asyncio.sleep(fault.delay_s)
        response = handler(request, posts.get(platform, []), clock, fault)
        if inspect.isawaitable(response):  # handlers that read a form body are async
            response = await response
        response.headers["Date"] = email.utils.format_datetime(clock.astimezone(UTC), usegmt=True)
        return response

    async def set_fault(request: Request) -> Response:
        body = await request.json()
        try:
            book.set(body["platform"], Fault(kind=body["kind"], page=body.get("page"),
                                             remaining=body.get("remaining"), path=body.get("path"),
                                             delay_s=float(body.get("delay_s", 2.0))))
        except (KeyError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"ok": True})

    async def clear_faults(request: Request) -> Response:
        book.clear(request.query_params.get("platform"))
        return JSONResponse({"ok": True})

    async def health(request: Request) -> Response:
        return JSONResponse({"now": clock.isoformat(), "posts": {k: len(v) for k, v in posts.items()},
                             "requests_per_round": rate.limit, "rate_limited": dict(rate.refused)})

    app = Starlette(routes=[
        Route("/__sim__/faults", set_fault, methods=["POST"]),
        Route("/__sim__/faults", clear_faults, methods=["DELETE"]),
        Route("/__sim__/health", health),
        Route("/{path:path}", dispatch, methods=["GET", "POST"]),
    ])
    app.state.faults = book
    app.state.limits = rate
    app.state.now = clock
    return app


class SimulatorServer:
    """The simulator on a background thread (tests, demo); port 0 picks a free port."""

    def __init__(self, posts_path: Path, port: int = 0, now: datetime | None = None,
                 host: str = "127.0.0.1", requests_per_round: int | None = None) -> None:
        self.faults = FaultBook()
        self.limits = RateLimits(requests_per_round)
        self.app = build_app(Path(posts_path), now, self.faults, self.limits)
        self.host = host
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.bind((host, port))
        except OSError as exc:
            self.sock.close()
            raise AddressInUseError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.port = int(self.sock.getsockname()[1])
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off", date_header=False,
                                                   server_header=False))
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def now(self) -> datetime:
        return self.app.state.now

    def set_fault(self, platform: str, kind: str, **kw: object) -> None:
        self.faults.set(platform, Fault(kind=kind, **kw))  # type: ignore[arg-type]

    @property
    def rate_limited(self) -> dict[str, int]:
        """Requests refused past `requests_per_round`, per platform."""
        return dict(self.limits.refused)

    def clear_faults(self, platform: str | None = None) -> None:
        self.faults.clear(platform)

    def start(self) -> SimulatorServer:
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       name="simulator", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def serve_forever(self) -> None:
        self.server.run(sockets=[self.sock])

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread:
            self.thread.join(timeout=10)
        self.sock.close()
