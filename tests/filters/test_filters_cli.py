"""`civicwatch classify` and `civicwatch evaluate` on files written for these tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e  # the CLI as a subprocess
FIELDS = {"platform", "post_id", "is_lead", "score", "district", "street", "category", "item",
          "department", "urgency", "dup_of", "text_masked", "matched", "reasons"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawlers.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_classify_writes_one_decision_per_post_and_reports_bad_lines(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    good = {"platform": "tieba", "post_id": "7", "url": "https://tieba.baidu.com/p/7", "author": "a",
            "title": "盐田区沙头角街道路灯不亮", "text": "这条路晚上路灯全灭一个星期了，骑车看不清",
            "published_at": "2026-11-20T20:00:00+08:00", "label": {"is_lead": True}}
    src.write_text(json.dumps(good, ensure_ascii=False) + "\n{not json\n"
                   + json.dumps({**good, "post_id": "8", "published_at": "yesterday"}, ensure_ascii=False)
                   + "\n", encoding="utf-8")
    result = run("classify", str(src), "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 0, result.stderr
    assert f"{src}:2:" in result.stderr and f"{src}:3:" in result.stderr
    rows = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and set(rows[0]) == FIELDS
    assert rows[0]["is_lead"] and rows[0]["item"] == "CS04" and rows[0]["district"] == "盐田区"


def test_evaluate_reports_figures_on_the_sample_posts() -> None:
    result = run("evaluate", "simulator/data/sample_posts.jsonl", "--no-misses")
    assert result.returncode == 0, result.stderr
    for metric in ("lead_precision", "lead_recall", "district_accuracy", "department_accuracy",
                   "urgent_recall", "dup_f1", "pii_leaks"):
        assert metric in result.stdout



def test_evaluate_puts_the_models_corpus_figures_beside_the_files() -> None:
    manifest = json.loads((ROOT / "models" / "manifest.json").read_text(encoding="utf-8"))
    result = subprocess.run([sys.executable, "-m", "crawlers.cli", "evaluate", "simulator/data/sample_posts.jsonl",
                             "--no-misses"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert f"corpus {manifest['folds']}-fold" in result.stdout
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in result.stdout.splitlines() if line.count("│") == 4}
    for metric in ("lead_precision", "lead_recall", "department_accuracy", "dup_f1"):
        assert rows[metric][1] == f"{manifest['mean_metrics'][metric]:.3f}", rows[metric]

def test_a_broken_rule_file_is_one_clear_line(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.mkdir()
    for name in ("catalogue.yaml", "gazetteer.yaml", "platforms.yaml", "classifier.yaml"):
        (cfg / name).write_text((ROOT / "config" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (cfg / "rules.yaml").write_text("rules:\n  - name: 坏规则\n    expr: '深圳 AND'\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "crawlers.cli", "rules", "test", "深圳"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "CIVICWATCH_CONFIG_DIR": str(cfg)})
    assert result.returncode == 78  # EX_CONFIG, ConfigError.exit_code
    assert "坏规则" in result.stderr and "position" in result.stderr and "Traceback" not in result.stderr
