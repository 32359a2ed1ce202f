"""Secret keys kept under the data dir: created once (mode 0600) unless a setting gives them.

The console's session-signing key (review/security.py) and the key of author hashes
(`author_key`, passed to filters.pii.hash_author) are both read here.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from civicwatch.settings import Settings

AUTHOR_KEY_FILE = "author_secret"


def read_or_create_secret(path: Path) -> str:
    """The secret stored at `path`, else a new random one written there, readable by us only."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        # O_EXCL and 0600 at creation: never a moment when others could read or swap it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secret)
    return secret


def author_key(settings: Settings) -> bytes:
    """The HMAC key of author hashes: CIVICWATCH_AUTHOR_SECRET, else `<data_dir>/author_secret`.

    Changing it changes every author hash from then on (one author's old and new posts no
    longer group together), so keep it with the data.
    """
    secret = settings.author_secret or read_or_create_secret(Path(settings.data_dir) / AUTHOR_KEY_FILE)
    return secret.encode("utf-8")
