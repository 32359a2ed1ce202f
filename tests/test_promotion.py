"""The promoted model's pointer (civicwatch/promotion.py) and the rule that allows a promotion
(crawlers/learning.py `judge`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civicwatch.exceptions import ConfigError
from civicwatch.promotion import models_dir, read_pointer, write_pointer
from civicwatch.settings import PROJECT_ROOT, get_settings
from crawlers.cli import app as cli
from crawlers.learning import Figures, judge

AT = datetime(2026, 12, 1, 9, 0)


@pytest.fixture(autouse=True)
def _no_model_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIVICWATCH_MODEL_PATH", raising=False)


def promote(data_dir: Path, name: str = "m1.npz") -> Path:
    models_dir(data_dir).mkdir(parents=True, exist_ok=True)
    (models_dir(data_dir) / name).write_bytes(b"x")
    write_pointer(data_dir, file_name=name, version="m1", at=AT, figures={}, previous="shipped")
    return models_dir(data_dir) / name


def test_settings_use_the_promoted_model_when_no_path_is_given(tmp_path: Path) -> None:
    assert get_settings(data_dir=tmp_path).model_path == PROJECT_ROOT / "models" / "learned.npz"
    promoted = promote(tmp_path)
    assert get_settings(data_dir=tmp_path).model_path == promoted
    assert read_pointer(tmp_path)["previous"] == "shipped"


def test_an_explicit_model_path_wins_over_the_promoted_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    promote(tmp_path)
    assert get_settings(data_dir=tmp_path, model_path=tmp_path / "other.npz").model_path == tmp_path / "other.npz"
    monkeypatch.setenv("CIVICWATCH_MODEL_PATH", str(tmp_path / "env.npz"))
    assert get_settings(data_dir=tmp_path).model_path == tmp_path / "env.npz"


@pytest.mark.parametrize("pointer", ["not json", '{"path": "gone.npz"}', '["m1.npz"]'])
def test_a_broken_or_dangling_pointer_falls_back_to_the_shipped_model(tmp_path: Path, pointer: str) -> None:
    models_dir(tmp_path).mkdir(parents=True)
    (models_dir(tmp_path) / "current.json").write_text(pointer, encoding="utf-8")
    assert get_settings(data_dir=tmp_path).model_path == PROJECT_ROOT / "models" / "learned.npz"


def fig(tp: int, fp: int, fn: int) -> Figures:
    return Figures(tp + fp + fn, tp, fp, fn, {})


@pytest.mark.parametrize(("current", "candidate", "promote_it"), [
    # (frozen, reviews) of each: (tp, fp, fn)
    (((90, 10, 10), (0, 5, 0)), ((90, 10, 10), (0, 1, 0)), True),    # same frozen, fewer reviewed noise kept
    (((90, 10, 10), (0, 5, 0)), ((89, 5, 11), (0, 0, 0)), False),   # F1 up, but a frozen lead lost
    (((90, 10, 10), (0, 5, 0)), ((90, 14, 10), (0, 0, 0)), False),  # frozen F1 falls
    (((90, 10, 10), (0, 0, 0)), ((90, 10, 10), (0, 0, 0)), False),  # no better anywhere
    (((90, 10, 10), (4, 0, 0)), ((90, 10, 10), (3, 0, 1)), False),  # a held-out reviewed lead lost
    (((90, 10, 10), (0, 0, 0)), ((92, 10, 8), (0, 0, 0)), True),    # better on the frozen set alone
])
def test_promotion_needs_no_lost_recall_no_worse_frozen_f1_and_a_higher_f1(
        current: tuple, candidate: tuple, promote_it: bool) -> None:
    verdict = judge({"frozen": fig(*current[0]), "reviews": fig(*current[1])},
                    {"frozen": fig(*candidate[0]), "reviews": fig(*candidate[1])})
    assert verdict.promote is promote_it, verdict.why
    assert len(verdict.why) == 4


@pytest.mark.parametrize("flags", [["--with-reviews"], ["--with-reviews", "--no-hold-back"], ["--hold-back"]])
def test_a_candidate_is_never_written_over_the_shipped_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             flags: list[str]) -> None:
    monkeypatch.setenv("CIVICWATCH_DATA_DIR", str(tmp_path))
    shipped = (PROJECT_ROOT / "models" / "learned.npz").read_bytes()
    result = CliRunner().invoke(cli, ["train", *flags, "--out", str(PROJECT_ROOT / "models")])
    assert result.exit_code == 2 and "--out" in result.output, result.output
    assert (PROJECT_ROOT / "models" / "learned.npz").read_bytes() == shipped


def test_promoting_a_missing_candidate_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICWATCH_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["model", "promote", str(tmp_path / "nothing")])
    assert isinstance(result.exception, ConfigError) and "nothing" in str(result.exception)
    assert read_pointer(tmp_path) is None


def test_model_show_names_the_promoted_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICWATCH_DATA_DIR", str(tmp_path))
    before = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["model", "show"])
    assert before.exit_code == 0 and "models/learned.npz" in before.output, before.output
    models_dir(tmp_path).mkdir(parents=True)
    (models_dir(tmp_path) / "copy.npz").write_bytes((PROJECT_ROOT / "models" / "learned.npz").read_bytes())
    write_pointer(tmp_path, file_name="copy.npz", version="copy", at=AT, figures={}, previous="shipped")
    after = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["model", "show"])
    assert after.exit_code == 0 and "copy.npz" in after.output and "previously shipped" in after.output, after.output
