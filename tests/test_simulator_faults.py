"""`civicwatch simulator` with a taken port or a posts file that is not UTF-8 JSON lines: one
error line, no traceback, even when stderr is a pipe (issue 16, item 14)."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from civicwatch.exceptions import DataFileError
from simulator.posts import MAX_WARNINGS, load_posts

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "simulator" / "data" / "sample_posts.jsonl"


def _simulator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawlers.cli", "simulator", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture
def taken_port() -> Iterator[int]:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    yield holder.getsockname()[1]
    holder.close()


@pytest.fixture
def deep_dir(tmp_path: Path) -> Path:
    """A long directory name, so every message is wider than 80 columns."""
    d = tmp_path / ("a-rather-long-directory-name-for-posts-" * 2)
    d.mkdir()
    return d


def test_port_taken_is_one_line(taken_port: int) -> None:
    result = _simulator("--posts", str(SAMPLE), "--port", str(taken_port))
    assert result.returncode == 69
    line = _one_error_line(result)
    assert f"cannot listen on 127.0.0.1:{taken_port}" in line and "--port" in line


def test_posts_file_not_utf8_is_one_line(deep_dir: Path) -> None:
    path = deep_dir / "posts.jsonl"
    good = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    path.write_bytes(good.encode() + b"\n" + "深圳噪音".encode("gbk") + b"\n")
    result = _simulator("--posts", str(path))
    assert result.returncode == 65
    line = _one_error_line(result)
    assert line.startswith(f"error: {path}:2: not UTF-8") and len(line) > 80


@pytest.mark.parametrize("body", ["platform,post_id,text\nweibo,1,噪音\n",
                                  json.dumps([{"platform": "weibo", "post_id": "1"}]) + "\n"])
def test_posts_file_not_jsonl_is_one_line(deep_dir: Path, body: str) -> None:
    path = deep_dir / "posts.csv"
    path.write_text(body, encoding="utf-8")
    result = _simulator("--posts", str(path))
    assert result.returncode == 65
    line = _one_error_line(result)
    assert line.startswith(f"error: {path}:1: no line is a post") and len(line) > 80


def test_url_line_is_one_line_on_a_pipe(deep_dir: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "crawlers.cli", "simulator", "--posts", str(SAMPLE)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
    finally:
        os.kill(proc.pid, signal.SIGINT)
        proc.communicate(timeout=30)
    assert first.startswith("simulator at http://127.0.0.1:") and "export CIVICWATCH_SIMULATOR=http://" in first


def test_some_bad_lines_are_skipped_with_capped_warnings(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "posts.jsonl"
    good = SAMPLE.read_text(encoding="utf-8").splitlines()[:3]
    path.write_text("\n".join(good + ["not json"] * (MAX_WARNINGS + 5)) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="simulator.posts"):
        posts = load_posts(path)
    assert sum(len(v) for v in posts.values()) == 3
    assert len(caplog.records) == MAX_WARNINGS + 1 and "5 more lines skipped" in caplog.records[-1].getMessage()


def test_loader_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text("\n\n{\"platform\": \"weibo\"}\n", encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_posts(path)
    assert err.value.line == 3 and "field 'post_id'" in str(err.value)
