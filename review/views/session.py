"""Log-in and log-out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from review.auth import current_user, sign_in, sign_out
from review.metrics import LOGIN_FAILURES
from review.render import render
from review.security import csrf_form

router = APIRouter()


def _local_target(target: str | None) -> str:
    # Only same-site paths: "//host" or "https://…" would make the log-in an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if current_user(request):
        return RedirectResponse(_local_target(next), status_code=303)
    return render(request, "login.html", {"next": _local_target(next), "error": None})


@router.post("/login")
def login(request: Request, form: dict[str, str] = Depends(csrf_form)) -> Response:
    name = form.get("username", "").strip()
    target = _local_target(form.get("next"))
    throttle = request.app.state.login_throttle
    client = request.client.host if request.client else "unknown"
    if throttle.blocked(client, name):
        LOGIN_FAILURES.labels("throttled").inc()
        return render(request, "login.html",
                      {"next": target, "error": "登录失败次数过多，请 5 分钟后再试。", "username": name},
                      status_code=429)
    user = request.app.state.users.authenticate(name, form.get("password", ""))
    if user is None:
        throttle.failed(client, name)
        LOGIN_FAILURES.labels("wrong_password").inc()
        return render(request, "login.html",
                      {"next": target, "error": "用户名或密码错误，或账号已停用。", "username": name},
                      status_code=401)
    throttle.succeeded(client, name)
    sign_in(request, user)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, form: dict[str, str] = Depends(csrf_form)) -> Response:
    sign_out(request)
    return RedirectResponse("/login", status_code=303)
