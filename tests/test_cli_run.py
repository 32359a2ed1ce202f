"""`civicwatch run` start-up: a broken config file is one error line and EX_CONFIG, never a retry."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from crawlers.cli import main

CONFIG = Path(__file__).resolve().parents[1] / "config"


@pytest.fixture
def broken_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    rules = config / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace(
        "expr: '@place AND @subject AND @event'", "expr: '@place AND (@subject'"), encoding="utf-8")
    monkeypatch.setenv("CIVICWATCH_CONFIG_DIR", str(config))
    monkeypatch.setenv("CIVICWATCH_DATA_DIR", str(tmp_path / "data"))
    return config


@pytest.mark.parametrize("args", [["run", "--once"], ["run"], ["worker"]], ids=["once", "polling", "worker"])
def test_a_broken_rules_file_is_one_line_and_exit_78(broken_config: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    if args == ["worker"]:  # a worker needs the crawl's servers named; they are never reached
        monkeypatch.setenv("CIVICWATCH_MONGO_URI", "mongodb://127.0.0.1:9/")
        monkeypatch.setenv("CIVICWATCH_REDIS_URL", "redis://127.0.0.1:9/0")
    monkeypatch.setattr(sys, "argv", ["civicwatch", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    err = capsys.readouterr().err
    assert exit_.value.code == 78, err
    assert err.count("\n") == 1 and err.startswith("error: ") and "rules.yaml" in err and "明确诉求" in err
    assert "round failed" not in err and "Traceback" not in err
    assert not (broken_config.parent / "data").exists(), "nothing was started"


def test_an_unknown_platform_is_a_config_error(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["civicwatch", "run", "--once", "--platforms", "weibo,myspace"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 78
    assert "unknown platform(s) myspace" in capsys.readouterr().err
