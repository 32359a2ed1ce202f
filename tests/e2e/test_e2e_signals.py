"""Stopping `civicwatch run` with SIGINT or SIGTERM leaves no child process behind."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from simulator.server import SimulatorServer
from tests.e2e.cli import POSTS, civicwatch_started, clean_env

pytestmark = pytest.mark.e2e



def _wait_for_children(proc: psutil.Process, names: tuple[str, ...], timeout: float) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = proc.children(recursive=True)
        cmdlines = " ".join(" ".join(k.cmdline()) for k in kids if k.is_running())
        if all(n in cmdlines for n in names):
            return kids
        if not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE:
            break
        time.sleep(0.2)
    raise AssertionError(f"embedded servers did not start: {[k.cmdline() for k in proc.children(True)]}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_stops_run_and_every_child(tmp_path: Path, signum: int) -> None:
    sim = SimulatorServer(POSTS, port=0)
    sim.start()
    env = clean_env(CIVICWATCH_DATA_DIR=str(tmp_path / "data"), CIVICWATCH_SIMULATOR=sim.url,
                    CIVICWATCH_TIME_SCALE="0.01")
    proc = civicwatch_started(env, "run", "--platforms", "weibo", "--since", "2026-11-20T00:00:00+08:00",
                              stdout=subprocess.DEVNULL)
    try:
        parent = psutil.Process(proc.pid)
        kids = _wait_for_children(parent, ("secantusd", "redis"), timeout=60)
        time.sleep(1.0)  # let a polling round get going
        proc.send_signal(signum)
        proc.wait(timeout=60)
        gone, alive = psutil.wait_procs(kids, timeout=10)
        assert not alive, f"left running: {[p.cmdline() for p in alive]}"
    finally:
        if proc.poll() is None:
            proc.kill()
        sim.stop()
