"""Admin pages (admin role only; every other role gets 403): users, the audit log across leads,
and the health of every source platform."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from civicwatch.clock import SHANGHAI
from civicwatch.exceptions import FormInputError, UserError
from review.auth import require_viewer
from review.healthcharts import legend, stacked_bars
from review.render import PLATFORM_NAMES, render
from review.security import csrf_form
from sinks.health import HealthStore
from sinks.users import ROLES, User

router = APIRouter()
AUDIT_PAGE = 50
OUTCOME_NAMES = {"ok": "正常", "empty": "空结果", "end": "到底", "login_required": "需登录", "rate_limited": "限流",
                 "blocked": "封禁", "captcha": "验证码", "signature_rejected": "签名被拒", "not_found": "已删除",
                 "malformed": "解析失败", "slow": "响应慢", "unreachable": "无法连接"}


def require_admin(request: Request) -> User:
    """Dependency: an admin; a verifier or viewer is refused with 403."""
    user = require_viewer(request)
    if not user.can("admin"):
        raise HTTPException(status_code=403, detail="只有管理员可以打开管理页面。")
    return user


@router.get("/admin")
def admin_home(user: User = Depends(require_admin)) -> Response:
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/users")
def users_page(request: Request, user: User = Depends(require_admin)) -> Response:
    return render(request, "admin_users.html", {
        "users": request.app.state.users.all(), "roles": ROLES, "token": request.session.pop("new_token", None),
    })


@router.post("/admin/users")
def users_action(request: Request, user: User = Depends(require_admin),
                 form: dict[str, str] = Depends(csrf_form)) -> Response:
    """One change to one user: add, role, disable/enable, reset password, new API token."""
    users = request.app.state.users
    action, name = form.get("action", ""), form.get("name", "").strip()
    try:
        if action == "add":
            users.add(name, form.get("role", ""), form.get("password", ""))
            flash = f"已添加用户 {name}。"
        elif action == "role":
            if name == user.name and form.get("role") != "admin":
                raise FormInputError("不能降低自己的管理员角色（请由另一位管理员操作）。")
            users.set_role(name, form.get("role", ""))
            flash = f"已将 {name} 的角色改为 {form.get('role')}。"
        elif action in ("disable", "enable"):
            if name == user.name:
                raise FormInputError("不能停用自己的账号。")
            users.set_disabled(name, action == "disable")
            flash = f"已{'停用' if action == 'disable' else '启用'}用户 {name}。"
        elif action == "password":
            users.set_password(name, form.get("password", ""))
            flash = f"已重置 {name} 的密码。"
        elif action == "token":
            request.session["new_token"] = {"name": name, "token": users.issue_token(name)}
            flash = f"已为 {name} 生成新的 API 令牌（旧令牌失效），只显示这一次。"
        else:
            raise FormInputError("未知的操作。")
    except UserError as exc:
        raise FormInputError(str(exc)) from None
    request.session["flash"] = flash
    return RedirectResponse("/admin/users", status_code=303)


def _day(value: str | None, default: datetime) -> datetime:
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").replace(tzinfo=SHANGHAI)
    except ValueError:
        return default


@router.get("/admin/audit")
def audit_page(request: Request, user: User = Depends(require_admin)) -> Response:
    """Who did what when, across every lead's history."""
    app = request.app.state
    params = request.query_params
    today = app.now().astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    since = _day(params.get("since"), today - timedelta(days=6))
    until = _day(params.get("until"), today) + timedelta(days=1)
    actor = (params.get("actor") or "").strip() or None
    include_system = params.get("system") == "1"
    try:
        page = max(1, int(params.get("page") or 1))
    except ValueError:
        page = 1
    rows, total = app.leads.audit(since=since, until=until, actor=actor, include_system=include_system,
                                  offset=(page - 1) * AUDIT_PAGE, limit=AUDIT_PAGE)
    kept = {"since": since.strftime("%Y-%m-%d"), "until": (until - timedelta(days=1)).strftime("%Y-%m-%d"),
            **({"actor": actor} if actor else {}), **({"system": "1"} if include_system else {})}
    return render(request, "admin_audit.html", {
        "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // AUDIT_PAGE)), "form": kept,
        "page_url": lambda n: "/admin/audit?" + urlencode({**kept, "page": n}),
    })


@router.get("/admin/sources")
def sources_page(request: Request, user: User = Depends(require_admin)) -> Response:
    """Every platform's health: state and why, changes, last success, backoff, outcomes per hour."""
    app = request.app.state
    now = app.now()
    health = HealthStore(app.store.db)
    rows: list[dict[str, Any]] = []
    for row in health.table(now):
        hours = health.outcomes_by_hour(row["platform"], now - timedelta(hours=24))
        columns = [(at.strftime("%H:00"), counts) for at, counts in hours]
        seen = sorted({o for _, counts in hours for o in counts})
        # A platform that never had a good round (or a new post) has no such field yet.
        rows.append({"last_success": None, "last_new_post": None, "since": None, "backoff_s": 0, "errors_total": 0,
                     **row, "changes": health.changes(row["platform"]), "hours": hours,
                     "chart": stacked_bars(columns, OUTCOME_NAMES), "legend": legend(seen, OUTCOME_NAMES)})
    return render(request, "admin_sources.html", {
        "rows": rows, "outcome_names": OUTCOME_NAMES, "platforms": PLATFORM_NAMES,
    })
