"""The embedded servers' addresses, written to the data dir while they run.

A process that starts embedded servers (`civicwatch embedded up`, or `run`, `review`, `demo` on
embedded defaults) records their URIs in `<data dir>/servers.json`; any other command on the same
data dir with CIVICWATCH_MONGO_URI / CIVICWATCH_REDIS_URL unset then uses those servers instead
of trying to start a second pair on the same files (which SecantusDB refuses). A file whose
process is gone or whose ports do not answer is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

FILE = "servers.json"
FIELDS = ("mongo_uri", "redis_url")


def path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE


def write(data_dir: Path, **uris: str | None) -> None:
    """Record this process's servers (atomically: readers never see half a file)."""
    target = path(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    body = {"pid": os.getpid(), **{k: v for k, v in uris.items() if k in FIELDS and v}}
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(body), encoding="utf-8")
    tmp.replace(target)


def remove(data_dir: Path) -> None:
    """Forget the file if this process wrote it."""
    target = path(data_dir)
    with contextlib.suppress(OSError, ValueError):
        if json.loads(target.read_text(encoding="utf-8")).get("pid") == os.getpid():
            target.unlink()


def _answers(uri: str) -> bool:
    parts = urlsplit(uri)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=0.3):
            return True
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_live(data_dir: Path) -> dict[str, str]:
    """The recorded URIs whose process is alive and whose port answers; {} otherwise."""
    try:
        body = json.loads(path(data_dir).read_text(encoding="utf-8"))
        pid = int(body["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not _alive(pid):
        return {}
    return {k: body[k] for k in FIELDS if isinstance(body.get(k), str) and _answers(body[k])}
