"""Embedded servers' addresses in the data dir: other commands on the same data dir find them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pymongo
import pytest
import redis
from typer.testing import CliRunner

from civicwatch import addresses
from civicwatch.settings import get_settings
from crawlers.cli import app
from crawlers.embedded import free_port

ROOT = Path(__file__).resolve().parents[1]


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_file_of_a_process_that_is_gone_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIVICWATCH_MONGO_URI", raising=False)
    monkeypatch.delenv("CIVICWATCH_REDIS_URL", raising=False)
    addresses.path(tmp_path).write_text(json.dumps({"pid": dead_pid(), "mongo_uri": "mongodb://127.0.0.1:1/"}))
    assert addresses.read_live(tmp_path) == {}
    assert get_settings(data_dir=tmp_path).mongo_uri is None


def test_a_port_that_does_not_answer_is_ignored(tmp_path: Path) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"
    addresses.path(tmp_path).write_text(json.dumps({"pid": os.getpid(), "redis_url": closed}))
    assert addresses.read_live(tmp_path) == {}


@pytest.mark.parametrize("body", ["", "{", "[]", '{"pid": "x"}', '{"mongo_uri": 3}'])
def test_a_broken_file_is_ignored(tmp_path: Path, body: str) -> None:
    addresses.path(tmp_path).write_text(body)
    assert addresses.read_live(tmp_path) == {}


def test_set_variables_win_over_the_file(tmp_path: Path, redis_url: str) -> None:
    addresses.write(tmp_path, redis_url=redis_url)
    assert get_settings(data_dir=tmp_path).redis_url == redis_url
    assert get_settings(data_dir=tmp_path, redis_url="redis://elsewhere:6379/0").redis_url == \
        "redis://elsewhere:6379/0"
    addresses.remove(tmp_path)
    assert not addresses.path(tmp_path).exists()


@pytest.mark.e2e
def test_embedded_up_is_found_by_other_commands_and_forgotten_when_it_stops(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("CIVICWATCH_MONGO_URI", "CIVICWATCH_REDIS_URL")}
    env["CIVICWATCH_DATA_DIR"] = str(tmp_path)
    up = subprocess.Popen([sys.executable, "-m", "crawlers.cli", "embedded", "up"], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, text=True)
    try:
        printed = {}
        for _ in range(2):
            name, _, value = (up.stdout.readline() if up.stdout else "").strip().partition("=")
            printed[name] = value
        deadline = time.monotonic() + 30
        while not addresses.path(tmp_path).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        monkeypatch.delenv("CIVICWATCH_MONGO_URI", raising=False)
        monkeypatch.delenv("CIVICWATCH_REDIS_URL", raising=False)
        monkeypatch.setenv("CIVICWATCH_DATA_DIR", str(tmp_path))
        settings = get_settings()
        assert settings.mongo_uri == printed["CIVICWATCH_MONGO_URI"]
        assert settings.redis_url == printed["CIVICWATCH_REDIS_URL"]
        pymongo.MongoClient(settings.mongo_uri, serverSelectionTimeoutMS=2000).admin.command("ping")
        assert redis.Redis.from_url(settings.redis_url).ping()
        # a command that needs the database finds it instead of asking for CIVICWATCH_MONGO_URI
        result = CliRunner().invoke(app, ["sources"], env={"COLUMNS": "160"})
        assert result.exit_code == 0, result.output
        assert "source health" in result.output
    finally:
        up.send_signal(signal.SIGTERM)
        up.wait(timeout=30)
    assert not addresses.path(tmp_path).exists()
    assert get_settings().mongo_uri is None
