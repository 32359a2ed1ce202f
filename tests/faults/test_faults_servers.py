"""Item 3 of issue 16: a down MongoDB or Redis is one clear line and exit 69, within bounded
time-outs, not a hang or a page of tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from civicwatch.exceptions import ServerUnavailableError
from crawlers.embedded import free_port

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]


def run_once(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # The process's own timeout only bounds a hang of the old code; the time-outs under test are
    # a few seconds (sinks/servers.py).
    return subprocess.run([sys.executable, "-m", "crawlers.cli", "run", "--once", "--platforms", "tieba"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "CIVICWATCH_DATA_DIR": str(tmp_path / "data"), **env})


def test_redis_down_is_one_line_and_exit_69(tmp_path: Path, mongo_uri: str) -> None:
    result = run_once(tmp_path, CIVICWATCH_MONGO_URI=mongo_uri, CIVICWATCH_REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == ServerUnavailableError.exit_code, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "Redis at 127.0.0.1:1 is not answering" in result.stderr


def test_mongo_down_is_one_line_and_exit_69(tmp_path: Path, redis_url: str) -> None:
    port = free_port()  # nothing listens there
    result = run_once(tmp_path, CIVICWATCH_MONGO_URI=f"mongodb://u:secret@127.0.0.1:{port}/",
                      CIVICWATCH_REDIS_URL=redis_url)
    assert result.returncode == ServerUnavailableError.exit_code, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "secret" not in result.stderr
    assert f"MongoDB at 127.0.0.1:{port} is not answering" in result.stderr
