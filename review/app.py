"""The verification console: `create_app(config, store)` builds the FastAPI app.

Pages live in review/views/ (one module per page family), templates in review/templates/,
CSS/JS in review/static/ (served locally; the CSP allows no remote source). Errors become
responses in one place, handle_exception below.
"""

from __future__ import annotations

import logging
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
from civicwatch.exceptions import (
    CivicwatchError,
    FormInputError,
    InvalidInputError,
    LeadNotFound,
    LeadTooLargeError,
    LoginRequired,
    ServerUnavailableError,
    StaleLeadError,
    TransitionError,
    UserError,
)
from civicwatch.models import LeadState
from review.auth import LoginThrottle
from review.limits import BodyLimitMiddleware
from review.render import STATE_NAMES, make_templates, render
from review.security import SecureHeadersMiddleware, session_secret
from sinks.leads import LeadService
from sinks.servers import SERVER_DOWN_ERRORS, server_down
from sinks.users import UserStore

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
SESSION_MAX_AGE_SECONDS = 12 * 3600  # one working shift


def create_app(config: Config, store: Any, *, leads: Any = None, users: UserStore | None = None,
               now: Callable[[], datetime] | None = None, secret: str | None = None,
               https_only: bool = False, redis: Any = None) -> FastAPI:
    """Build the console on a Store; `leads` defaults to a LeadService over the same store;
    `redis` (the work-order link's client) is reported by /api/health when given."""
    from review.views import discover_routers

    now = now or now_shanghai
    app = FastAPI(title="civicwatch 核实台", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.config = config
    app.state.store = store
    app.state.redis = redis
    app.state.leads = leads if leads is not None else LeadService(
        store, config.catalogue, now=now, text_max_chars=config.settings.review_text_max_chars)
    app.state.users = users or UserStore.from_store(store)
    app.state.now = now
    app.state.login_throttle = LoginThrottle()
    app.state.templates = make_templates(config)

    app.add_middleware(
        SessionMiddleware, secret_key=secret or session_secret(config.settings),
        session_cookie="civicwatch_session", max_age=SESSION_MAX_AGE_SECONDS,
        same_site="strict", https_only=https_only,
    )
    app.add_middleware(BodyLimitMiddleware)  # 413 for a body over review/limits.py's cap
    app.add_middleware(SecureHeadersMiddleware)  # added last = outermost: covers every response
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in discover_routers():
        app.include_router(router)
    _add_error_handlers(app)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _bad_input(exc: CivicwatchError) -> str:
    return f"输入有误：{exc}"


# What a person reads on the error page, by exception class (the nearest class in the MRO wins).
_PAGE_TEXT: dict[type[CivicwatchError], Callable[[Any], str]] = {
    LeadNotFound: lambda exc: f"线索不存在：{exc}",
    StaleLeadError: lambda exc: "这条线索在您查看之后已被其他审核员处理或修改，请返回刷新后再操作。",
    LeadTooLargeError: lambda exc: "这条线索的记录已过大（早期未限长的文字使其接近数据库单条 16 MB 上限），"
                                   "无法再记录新的处理步骤，线索未改动。请联系管理员归档其历史。",
    TransitionError: lambda exc: (f"线索当前状态「{_state_name(exc.from_state)}」不允许转为"
                                  f"「{_state_name(exc.to_state)}」。"),
    InvalidInputError: _bad_input,
    FormInputError: _bad_input,
    UserError: _bad_input,
    LoginRequired: lambda exc: "请先登录。",
    ServerUnavailableError: lambda exc: "数据库或消息服务暂时无法连接，请稍后再试。",
    CivicwatchError: lambda exc: "服务器出错了，请稍后再试。",
}


def _state_name(value: str) -> str:
    try:
        return STATE_NAMES[LeadState(value)]
    except (ValueError, KeyError):
        return value


def _page_text(exc: CivicwatchError) -> str:
    return next(_PAGE_TEXT[cls](exc) for cls in type(exc).__mro__ if cls in _PAGE_TEXT)


def _json_detail(exc: CivicwatchError) -> str:
    if isinstance(exc, LeadNotFound):
        return f"lead {exc} not found"
    return str(exc) or _page_text(exc)


async def handle_exception(request: Request, exc: Exception) -> Response:
    """The one place an error becomes a response: our exceptions answer with their own `status`,
    as JSON {"detail": …} under /api/ and as an error page otherwise; HTTPException likewise."""
    headers: dict[str, str] | None
    if isinstance(exc, StarletteHTTPException):
        status, headers, detail = exc.status_code, exc.headers, exc.detail
        text = detail if isinstance(detail, str) else "请求无法处理。"
        if status == 404 and text == "Not Found":
            text = "页面不存在。"
    elif isinstance(exc, CivicwatchError):
        status, headers, detail, text = exc.status, None, _json_detail(exc), _page_text(exc)
        if status >= 500:
            logger.error("%(path)s failed: %(error)s", {"path": request.url.path, "error": exc}, exc_info=exc)
        if isinstance(exc, LoginRequired):
            if not _wants_json(request):
                target = request.url.path
                return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
            headers = {"WWW-Authenticate": "Bearer"}
    else:  # registered for the two classes above only
        raise exc
    # Without a session (an error before SessionMiddleware ran) the page cannot be rendered.
    if _wants_json(request) or "session" not in request.scope:
        field = getattr(exc, "field", None)  # bad input names its field (InvalidInputError)
        return JSONResponse({"detail": detail, **({"field": field} if field else {})}, status_code=status,
                            headers=headers)
    return render(request, "error.html", {"status": status, "detail": text}, status_code=status)


async def handle_server_down(request: Request, exc: Exception) -> Response:
    """MongoDB or Redis stopped answering under a request: 503 and the plain page (or JSON) that
    says so, not a bare "Internal Server Error"."""
    return await handle_exception(request, server_down(exc))


def _add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CivicwatchError, handle_exception)
    app.add_exception_handler(StarletteHTTPException, handle_exception)
    for error in SERVER_DOWN_ERRORS:
        app.add_exception_handler(error, handle_server_down)
