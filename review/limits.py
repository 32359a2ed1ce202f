"""Request bodies capped: a 20 MB reason used to reach the handlers (500) and grow a lead.

A pure ASGI middleware, so the cap holds for chunked bodies too: a declared Content-Length over
the cap is refused before reading, and reading stops once the body passes it (the body,
at most the cap, is read here and handed on). The answer is 413
with a message saying the limit.
"""

from __future__ import annotations

import json
from typing import Any

MAX_BODY_BYTES = 256 * 1024  # a correction or reason is a few KB; forms and JSON alike

Scope = dict[str, Any]
Receive = Any
Send = Any


class BodyLimitMiddleware:
    def __init__(self, app: Any, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        # Read the whole body (at most the cap, so little) before the app runs: refusing halfway
        # through the app's own read would be caught by its body parser as a plain 400.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"error": f"request body larger than {self.max_bytes // 1024} KB",
                           "field": "body"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
