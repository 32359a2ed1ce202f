"""Item 12 of issue 16: `civicwatch classify` skips bad lines by number and checks its output first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from civicwatch.exceptions import OutputFileError

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"platform": "tieba", "post_id": "7", "url": "https://tieba.baidu.com/p/7", "author": "a",
        "title": "盐田区沙头角街道路灯不亮", "text": "这条路晚上路灯全灭一个星期了，骑车看不清",
        "published_at": "2026-11-20T20:00:00+08:00"}


def line(**changes: str) -> bytes:
    return json.dumps({**GOOD, **changes}, ensure_ascii=False).encode("utf-8") + b"\n"


def classify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawlers.cli", "classify", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_bad_lines_are_named_and_skipped(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(line(post_id="1")
                    + b'{"platform": "tieba", "text": "\xff\xfe bad"}\n'  # 2: not UTF-8
                    + b"[" * 200_000 + b"\n"  # 3: nested too deep
                    + b'"' + b"x" * (2 << 20) + b'"\n'  # 4: too long
                    + line(post_id="5"))
    result = classify(str(src), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for n in (2, 3, 4):
        assert f"{src}:{n}: skipped" in result.stderr
    assert f"{src}:1:" not in result.stderr and f"{src}:5:" not in result.stderr
    assert [json.loads(x)["post_id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["1", "5"]


def test_an_unwritable_output_fails_before_any_work(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(line())
    result = classify(str(src), "-o", str(tmp_path / "no" / "such" / "dir" / "out.jsonl"))
    assert result.returncode == OutputFileError.exit_code
    assert "Traceback" not in result.stderr and "cannot be written" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.glob("**/*.tmp"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_output_fails_before_any_work(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(line())
    out.write_text("old\n")
    out.chmod(0o444)
    result = classify(str(src), "-o", str(out))
    assert result.returncode == OutputFileError.exit_code and "Traceback" not in result.stderr
    assert out.read_text() == "old\n"


def test_the_input_is_never_the_output(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(line())
    for spelling in (str(src), str(tmp_path / "." / "in.jsonl")):
        result = classify(str(src), "-o", spelling)
        assert result.returncode == OutputFileError.exit_code and "is the input file" in result.stderr
    assert src.read_bytes() == line()


def test_dash_writes_to_stdout(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(line())
    result = classify(str(src), "-o", "-")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["post_id"] == "7"
    assert not (ROOT / "-").exists()
