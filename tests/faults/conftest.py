"""Fixtures of the fault tests: the console's (tests/review/conftest.py), and a MongoDB-wire
server of a test's own that it may stop and start again."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pymongo
import pymongo.errors
import pytest

from crawlers.embedded import free_port
from tests.review.conftest import console_config, live_mongo_uri, store, users

__all__ = ["RestartableMongo", "console_config", "live_mongo_uri", "mongo", "store", "users"]


class RestartableMongo:
    """A SecantusDB server of this test's own, stopped and started on one port and one data dir
    (the relay keeps its URI, as a deployment's would)."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.storage = tmp / "mongo"
        self.storage.mkdir(parents=True, exist_ok=True)
        self.uri = f"mongodb://127.0.0.1:{self.port}/"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        exe = str(Path(sys.executable).with_name("secantusd-py"))
        self.proc = subprocess.Popen([exe, "--host", "127.0.0.1", "--port", str(self.port), "--storage-path",
                                      str(self.storage), "--log-level", "WARNING"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client: pymongo.MongoClient = pymongo.MongoClient(self.uri, serverSelectionTimeoutMS=300)
        deadline = time.monotonic() + 60
        try:
            while True:
                try:
                    client.admin.command("ping")
                    return
                except pymongo.errors.PyMongoError:
                    assert time.monotonic() < deadline and self.proc.poll() is None, "secantusd did not start"
                    time.sleep(0.1)
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)


@pytest.fixture
def mongo(tmp_path: Path) -> Iterator[RestartableMongo]:
    server = RestartableMongo(tmp_path)
    server.start()
    yield server
    server.stop()
