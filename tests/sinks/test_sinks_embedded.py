"""Embedded servers: clear error on a shared data dir, nothing left running after stop or SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from civicwatch.exceptions import EmbeddedServerError
from crawlers.embedded import EmbeddedServers


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie of ours still answers kill(0); it is not running.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def _wait_gone(pids: list[int], seconds: float = 20.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


@pytest.mark.slow
def test_second_server_on_the_same_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    with EmbeddedServers(tmp_path, redis=False) as first:
        assert first.mongo_uri
        with pytest.raises(EmbeddedServerError, match="in use by another civicwatch"):
            EmbeddedServers(tmp_path, redis=False).start()


@pytest.mark.slow
def test_stop_leaves_no_process(tmp_path: Path) -> None:
    servers = EmbeddedServers(tmp_path).start()
    pids = servers.pids
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    servers.stop()
    assert _wait_gone(pids, 1.0) == []
    assert servers.pids == []


@pytest.mark.slow
def test_children_die_when_the_parent_is_sigkilled(tmp_path: Path) -> None:
    script = ("import sys, time; from pathlib import Path; from crawlers.embedded import EmbeddedServers\n"
              "s = EmbeddedServers(Path(sys.argv[1]), mongo=False).start()\n"
              "print(*s.pids, flush=True); time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert pids and all(_alive(p) for p in pids)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        assert _wait_gone(pids) == []
    finally:
        if parent.poll() is None:
            parent.kill()
