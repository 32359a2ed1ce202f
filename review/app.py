"""The verification console: `create_app(config, store)` builds the FastAPI app.

Pages live in review/views/ (one module per page family), templates in review/templates/,
CSS/JS in review/static/ (served locally; the CSP allows no remote source).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from civicwatch.clock import now_shanghai
from civicwatch.config import Config
from civicwatch.exceptions import LeadNotFound, LoginRequired
from review.auth import LoginThrottle
from review.render import make_templates, render
from review.security import SecureHeadersMiddleware, session_secret
from sinks.leads import LeadService
from sinks.users import UserStore

STATIC_DIR = Path(__file__).parent / "static"
SESSION_MAX_AGE_SECONDS = 12 * 3600  # one working shift


def create_app(config: Config, store: Any, *, leads: Any = None, users: UserStore | None = None,
               now: Callable[[], datetime] | None = None, secret: str | None = None,
               https_only: bool = False) -> FastAPI:
    """Build the console on a Store; `leads` defaults to a LeadService over the same store."""
    from review.views import discover_routers

    now = now or now_shanghai
    app = FastAPI(title="civicwatch 核实台", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.config = config
    app.state.store = store
    app.state.leads = leads if leads is not None else LeadService(store, config.catalogue, now=now)
    app.state.users = users or UserStore.from_store(store)
    app.state.now = now
    app.state.login_throttle = LoginThrottle()
    app.state.templates = make_templates(config)

    app.add_middleware(
        SessionMiddleware, secret_key=secret or session_secret(config.settings),
        session_cookie="civicwatch_session", max_age=SESSION_MAX_AGE_SECONDS,
        same_site="strict", https_only=https_only,
    )
    app.add_middleware(SecureHeadersMiddleware)  # added last = outermost: covers every response
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in discover_routers():
        app.include_router(router)
    _add_error_handlers(app)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "需要登录"}, status_code=401)
        target = request.url.path
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request) or "session" not in request.scope:
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        detail = exc.detail if isinstance(exc.detail, str) else "请求无法处理"
        if exc.status_code == 404 and detail == "Not Found":
            detail = "页面不存在。"
        return render(request, "error.html", {"status": exc.status_code, "detail": detail},
                      status_code=exc.status_code)

    @app.exception_handler(LeadNotFound)
    async def lead_not_found(request: Request, exc: LeadNotFound) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": f"lead {exc} not found"}, status_code=404)
        return render(request, "error.html", {"status": 404, "detail": f"线索不存在：{exc}"},
                      status_code=404)
