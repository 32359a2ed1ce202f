"""`civicwatch demo` on embedded defaults: a summary, and a second run adds nothing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from civicwatch.config import get_settings, load_config
from civicwatch.models import Post
from filters.chain import FilterChain
from tests.e2e.cli import ROOT, clean_env

pytestmark = pytest.mark.e2e

SAMPLE = ROOT / "simulator" / "data" / "sample_posts.jsonl"


def demo(cwd: Path) -> dict[str, object]:
    env = clean_env(COLUMNS="200")
    result = subprocess.run([sys.executable, "-m", "crawlers.cli", "demo"], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = re.search(r"^\{.*^\}", result.stdout, re.S | re.M)
    assert summary, result.stdout
    return json.loads(summary.group(0))


def test_demo_twice_does_not_duplicate_leads(tmp_path: Path) -> None:
    rows = [json.loads(x) for x in SAMPLE.read_text(encoding="utf-8").splitlines() if x.strip()]
    incidents = {r["label"]["dup_group"] or r["post_id"] for r in rows if r["label"]["is_lead"]}
    # The loop must store exactly the incidents the filter chain keeps (detection quality itself
    # is `civicwatch evaluate`'s to measure); the chain keeps nearly all the sample's incidents.
    chain = FilterChain.from_config(load_config(get_settings()))
    decisions = chain.decide_batch(Post.model_validate({k: v for k, v in r.items() if k != "label"}) for r in rows)
    kept = sum(1 for d in decisions if d.is_lead and d.dup_of is None)
    assert kept >= 0.9 * len(incidents)
    first = demo(tmp_path)
    assert first["leads_total"] == first["leads_new_this_run"] == kept
    assert str(tmp_path / ".civicwatch") in str(first["data_dir"])
    second = demo(tmp_path)
    assert second["leads_total"] == kept and second["leads_new_this_run"] == 0
