"""Where "back" goes: the queue URL a reviewer came from, with its filters, as a local path only."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_BACK = "/"
MAX_BACK_CHARS = 1000


def local_back(value: str | None) -> str:
    """`value` when it is a path on this console ("/…", not "//host" or "/\\host"), else "/".

    Only the path and query are kept, so a crafted value can never send the reviewer elsewhere.
    """
    if not value or len(value) > MAX_BACK_CHARS or any(c in value for c in "\\\r\n\t"):
        return DEFAULT_BACK
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return DEFAULT_BACK
    return parts.path + (f"?{parts.query}" if parts.query else "")
