"""Who is asking: the signed session names a user and a session id, re-read from Mongo on
every request.

Re-reading means a disabled account, a changed role or an ended session (log-out, password
change) takes effect at once: a copy of the cookie kept from before stops working.
"""

from __future__ import annotations

import time
from collections.abc import Callable

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
    """Slows password guessing without letting anyone lock a user out.

    Failures are counted per (client address, name) and per client address, each within
    `window_s`: `limit` failures for one name, or `client_limit` for all names together (a
    spray over many names), refuse that client until its failures age out of the window. A
    name is never locked for everyone, so the right password from another client still works.
    Behind a proxy the client address must be the real one (uvicorn's forwarded headers).
    In-process memory; one console process per deployment.
    """

    def __init__(self, limit: int = 5, client_limit: int = 20, window_s: float = 300.0, *,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.client_limit = client_limit
        self.window_s = window_s
        self.clock = clock
        self.max_keys = max_keys  # beyond this many counters, aged ones are swept
        self._failures: dict[tuple[str, str | None], list[float]] = {}

    def _recent(self, key: tuple[str, str | None], now: float) -> list[float]:
        recent = [t for t in self._failures.get(key, []) if now - t < self.window_s]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return recent

    def blocked(self, client: str, name: str) -> bool:
        now = self.clock()
        return (len(self._recent((client, name), now)) >= self.limit
                or len(self._recent((client, None), now)) >= self.client_limit)

    def failed(self, client: str, name: str) -> None:
        now = self.clock()
        for key in ((client, name), (client, None)):
            self._failures[key] = [*self._recent(key, now), now]
        if len(self._failures) > self.max_keys:
            self._sweep(now)

    def succeeded(self, client: str, name: str) -> None:
        # Only this name's count: a known account must not reset a client's spray count.
        self._failures.pop((client, name), None)

    def _sweep(self, now: float) -> None:
        for key in list(self._failures):
            self._recent(key, now)
        excess = len(self._failures) - self.max_keys
        if excess > 0:  # still many live counters (many addresses): forget the stalest
            for key in sorted(self._failures, key=lambda k: self._failures[k][-1])[:excess]:
                del self._failures[key]
