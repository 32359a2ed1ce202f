"""What the end-to-end tests share: the served posts, an environment of our own, the CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
POSTS = Path(__file__).parent / "data" / "posts.jsonl"


def expected_leads() -> set[str]:
    """The lead ids of POSTS's labelled leads."""
    rows = [json.loads(line) for line in POSTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {f"lead:{r['platform']}:{r['post_id']}" for r in rows if r["label"]["is_lead"]}


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any CIVICWATCH_* of the caller's shell, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICWATCH_")}
    return {**env, **extra}


def servers_env(mongo_uri: str, redis_url: str, simulator_url: str, data_dir: Path, *,
                db: str | None = None, **extra: str) -> dict[str, str]:
    """An environment on the test's servers and simulator, a database of its own, no waiting."""
    return clean_env(CIVICWATCH_MONGO_URI=mongo_uri, CIVICWATCH_MONGO_DB=db or f"e2e_{uuid.uuid4().hex[:8]}",
                     CIVICWATCH_REDIS_URL=redis_url, CIVICWATCH_SIMULATOR=simulator_url,
                     CIVICWATCH_DATA_DIR=str(data_dir), CIVICWATCH_TIME_SCALE="0", **extra)


def civicwatch(env: dict[str, str], *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """`civicwatch ARGS` to its end, output captured."""
    return subprocess.run([sys.executable, "-m", "crawlers.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def civicwatch_started(env: dict[str, str], *args: str, **popen: Any) -> subprocess.Popen[str]:
    """`civicwatch ARGS` left running (stderr piped unless `popen` says otherwise)."""
    popen.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen([sys.executable, "-m", "crawlers.cli", *args], env=env, cwd=ROOT, text=True, **popen)
