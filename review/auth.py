"""Who is asking: the signed session names a user and a session id, re-read from Mongo on
every request.

Re-reading means a disabled account, a changed role or an ended session (log-out, password
change) takes effect at once: a copy of the cookie kept from before stops working.
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from civicwatch.exceptions import LoginRequired
from sinks.users import User

SESSION_USER_KEY = "user"
SESSION_ID_KEY = "sid"


def current_user(request: Request) -> User | None:
    name = request.session.get(SESSION_USER_KEY)
    if not name:
        return None
    user = request.app.state.users.get(name)
    if user is None or user.disabled or not user.has_session(request.session.get(SESSION_ID_KEY, "")):
        request.session.clear()
        return None
    return user


def require_viewer(request: Request) -> User:
    """Dependency: any signed-in user (every role can read)."""
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    request.state.user = user
    return user


def require_verifier(request: Request) -> User:
    """Dependency: a user who may change leads (verifier or admin)."""
    user = require_viewer(request)
    if not user.can("verifier"):
        raise HTTPException(status_code=403, detail="您的账号是只读角色（查看员），不能处理线索。")
    return user


def sign_in(request: Request, user: User) -> None:
    # A fresh session on log-in: the pre-login CSRF token and anything else are dropped.
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.name
    request.session[SESSION_ID_KEY] = request.app.state.users.open_session(user.name)


def sign_out(request: Request) -> None:
    """Ends this session server-side (other sessions of the user stay open), then clears it."""
    name, session_id = request.session.get(SESSION_USER_KEY), request.session.get(SESSION_ID_KEY)
    if name and session_id:
        request.app.state.users.close_session(name, session_id)
    request.session.clear()


class LoginThrottle:
    """Slows password guessing: after `limit` failures for one name within `window_s`, that name
    is refused until the window passes. In-process memory; one console process per deployment."""

    def __init__(self, limit: int = 5, window_s: float = 300.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._failures: dict[str, list[float]] = {}

    def _recent(self, name: str, now: float) -> list[float]:
        recent = [t for t in self._failures.get(name, []) if now - t < self.window_s]
        if recent:
            self._failures[name] = recent
        else:
            self._failures.pop(name, None)
        return recent

    def blocked(self, name: str, now: float) -> bool:
        return len(self._recent(name, now)) >= self.limit

    def failed(self, name: str, now: float) -> None:
        self._recent(name, now)
        self._failures.setdefault(name, []).append(now)

    def succeeded(self, name: str) -> None:
        self._failures.pop(name, None)
