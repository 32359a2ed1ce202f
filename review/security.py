"""Console hardening: session secret, CSRF tokens, secure response headers, safe links.

Scraped text is hostile; templates autoescape it and links pass through `safe_url` first.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civicwatch.config import Settings
from civicwatch.keys import read_or_create_secret

CSRF_FIELD = "csrf_token"
CSRF_SESSION_KEY = "csrf"

# No remote sources, no inline script or style: everything comes from /static.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
])
SECURE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def session_secret(settings: Settings) -> str:
    """CIVICWATCH_REVIEW_SECRET, else a random key generated once and kept under data_dir
    (0600, so other local users cannot forge sessions)."""
    return settings.review_secret or read_or_create_secret(Path(settings.data_dir) / "review_secret")


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return token


async def csrf_form(request: Request) -> dict[str, str]:
    """FastAPI dependency for every form POST: the form, once its CSRF token matched the session's."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(CSRF_SESSION_KEY)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(status_code=403, detail="表单已失效（CSRF 校验失败），请刷新页面后重试。")
    return {k: v for k, v in form.items() if isinstance(v, str)}


def safe_url(url: str | None) -> str | None:
    """The URL when it is absolute http(s), else None (no javascript:, data:, relative tricks)."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


class SecureHeadersMiddleware:
    """Adds the security headers to every HTTP response (pages, errors, static files)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", [])
                           if h[0].lower() not in {name for name, _ in SECURE_HEADERS}]
                message["headers"] = headers + SECURE_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)
