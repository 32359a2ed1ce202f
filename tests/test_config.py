"""Config loading: valid files load; broken ones fail with file, line, field and problem."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from civicwatch.config import Settings, get_settings, load_config, load_platforms
from civicwatch.exceptions import ConfigError, RuleSyntaxError

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config"


def test_shipped_config_loads_with_reference_codes() -> None:
    config = load_config(Settings(config_dir=CONFIG))
    assert config.catalogue.items["DL02"].department == "JTYS"
    assert config.catalogue.items["DL02"].sla == "urgent"
    assert config.catalogue.sla_minutes == {"urgent": 30, "general": 120}
    names = {d.name for d in config.gazetteer.districts}
    assert {"南山区", "大鹏新区", "深汕特别合作区"} <= names
    assert "粤海街道" in config.gazetteer.street_index()
    for platform in config.platforms.enabled().values():
        assert platform.keywords, "every platform gets the default search keywords"
    assert {r.name: r.kind for r in config.rules.rules}["广告联系方式"] == "exclude"
    assert "@exclusion" in config.rules.rules[0].expr and "exclusion" in config.rules.groups
    assert set(config.classifier.items) <= set(config.catalogue.items)
    scoring = config.classifier.scoring
    assert (scoring.lead_threshold, scoring.include_bonus) == (1.0, 0.5)
    assert (scoring.complaint.weight, scoring.complaint.max_words) == (0.6, 4)
    assert (scoring.danger.weight, scoring.danger.max_words) == (0.5, 2)
    assert (scoring.noise.weight, scoring.noise.max_words) == (1.2, 3)
    assert "老人" in scoring.generic_danger
    assert {f.name for f in config.forums} >= {"szbbs", "govboard"}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "platforms.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_wrong_value_names_file_line_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "search_keywords: [深圳]\nplatforms:\n  weibo:\n    interval_seconds: -5\n")
    with pytest.raises(ConfigError) as err:
        load_platforms(path)
    assert err.value.line == 4
    assert err.value.field == "platforms.weibo.interval_seconds"
    assert str(err.value).startswith(f"{path}:4: field 'platforms.weibo.interval_seconds': ")
    assert "greater than 0" in str(err.value)


def test_unknown_field_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "search_keywords: [深圳]\nplatforms:\n  weibo:\n    intervall_seconds: 5\n")
    with pytest.raises(ConfigError) as err:
        load_platforms(path)
    assert err.value.line == 4 and "intervall_seconds" in (err.value.field or "")


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "search_keywords: [深圳\nplatforms:\n  weibo: {}\n")
    with pytest.raises(ConfigError) as err:
        load_platforms(path)
    assert err.value.path == str(path)
    assert err.value.line is not None and "invalid YAML" in str(err.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_platforms(tmp_path / "nope.yaml")


def test_catalogue_item_with_unknown_department(tmp_path: Path) -> None:
    shutil.copytree(CONFIG, tmp_path / "config")
    cat = tmp_path / "config" / "catalogue.yaml"
    cat.write_text(cat.read_text(encoding="utf-8").replace("DL02: [DL, JTYS,", "DL02: [DL, NOPE,"),
                   encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown department 'NOPE'"):
        load_config(Settings(config_dir=tmp_path / "config"))


def test_bad_environment_variable_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICWATCH_MAX_DELIVERIES", "zero")
    with pytest.raises(ConfigError) as err:
        get_settings()
    assert err.value.field == "CIVICWATCH_MAX_DELIVERIES"


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(CONFIG, tmp_path / "config")
    return tmp_path / "config"


def _edit(path: Path, old: str, new: str) -> int:
    """Replace `old` (once) in the file; the 1-based line where the replacement starts."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def test_a_rule_syntax_error_stops_load_config_with_its_line(tmp_path: Path) -> None:
    cfg = _copy(tmp_path)
    line = _edit(cfg / "rules.yaml", "expr: '@place AND @subject AND @event'", "expr: '@place AND (@subject'")
    with pytest.raises(RuleSyntaxError) as err:
        load_config(Settings(config_dir=cfg))
    assert err.value.path == str(cfg / "rules.yaml") and err.value.line == line
    assert err.value.rule == "明确诉求" and "unclosed parenthesis" in str(err.value)


def test_an_unknown_group_in_a_rule_is_a_syntax_error(tmp_path: Path) -> None:
    cfg = _copy(tmp_path)
    _edit(cfg / "rules.yaml", "expr: '@place AND @subject AND @event'", "expr: '@place AND @nowhere'")
    with pytest.raises(RuleSyntaxError, match="unknown group '@nowhere'"):
        load_config(Settings(config_dir=cfg))


def test_two_rules_of_one_name_are_rejected(tmp_path: Path) -> None:
    cfg = _copy(tmp_path)
    _edit(cfg / "rules.yaml", "- name: 外地求助", "- name: 广告联系方式")
    with pytest.raises(ConfigError, match=r"duplicate rule name '广告联系方式' \(first at line \d+\)") as err:
        load_config(Settings(config_dir=cfg))
    assert err.value.field == "rules.1.name" and err.value.path.endswith("rules.yaml")


def test_no_rules_file_means_no_rules(tmp_path: Path) -> None:
    cfg = _copy(tmp_path)
    (cfg / "rules.yaml").unlink()
    assert load_config(Settings(config_dir=cfg)).rules.rules == []


def test_a_classifier_item_missing_from_the_catalogue_names_its_line(tmp_path: Path) -> None:
    cfg = _copy(tmp_path)
    line = _edit(cfg / "classifier.yaml", "  JS03: [", "  XX99: [没有这个事项]\n  JS03: [")
    with pytest.raises(ConfigError) as err:
        load_config(Settings(config_dir=cfg))
    assert str(err.value).startswith(f"{cfg / 'classifier.yaml'}:{line}: field 'items.XX99': ")
    assert "XX99" in err.value.problem and "catalogue" in err.value.problem


@pytest.mark.parametrize("old, new, field, problem", [
    ("lead_threshold: 1.0 ", "lead_threshold: high ", "scoring.lead_threshold", "valid number"),
    ("noise: {weight: 1.2, max_words: 3}", "noise: {weight: -1.2, max_words: 3}", "scoring.noise.weight",
     "greater than or equal to 0"),
    ("  include_bonus: 0.5\n", "", "scoring.include_bonus", "Field required"),
])
def test_scoring_knobs_are_validated(tmp_path: Path, old: str, new: str, field: str, problem: str) -> None:
    cfg = _copy(tmp_path)
    _edit(cfg / "classifier.yaml", old, new)
    with pytest.raises(ConfigError) as err:
        load_config(Settings(config_dir=cfg))
    assert err.value.path == str(cfg / "classifier.yaml") and err.value.line is not None
    assert err.value.field == field and problem in err.value.problem


# Every command that reads the config directory, with what it needs to get as far as reading it
# (a worker refuses to start without server addresses; nothing listens at these).
COMMANDS = {
    "classify": ["classify", "simulator/data/sample_posts.jsonl", "-o", "{tmp}/out.jsonl"],
    "evaluate": ["evaluate", "simulator/data/sample_posts.jsonl"],
    "rules test": ["rules", "test", "深圳"],
    "run --once": ["run", "--once"],
    "demo": ["demo"],
    "review": ["review", "--port", "0"],
    "worker": ["worker"],
}
BREAKAGES = {
    "rules.yaml": ("expr: '@place AND @subject AND @event'", "expr: '@place AND'"),
    "classifier.yaml": ("  JS03: [", "  XX99: [没有这个事项]\n  JS03: ["),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_every_command_that_reads_config_fails_with_one_line(tmp_path: Path, name: str) -> None:
    """A broken rules.yaml or classifier.yaml: exit 78 and one line naming the file and line."""
    cfg = _copy(tmp_path)
    line = _edit(cfg / name, *BREAKAGES[name])
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICWATCH_")}
    env.update(CIVICWATCH_CONFIG_DIR=str(cfg), CIVICWATCH_DATA_DIR=str(tmp_path / "data"),
               CIVICWATCH_MONGO_URI="mongodb://127.0.0.1:9", CIVICWATCH_REDIS_URL="redis://127.0.0.1:9")
    # All at once: each is a second or two of start-up.
    running = {command: subprocess.Popen(
        [sys.executable, "-m", "crawlers.cli", *(a.format(tmp=tmp_path) for a in args)], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for command, args in COMMANDS.items()}
    for command, process in running.items():
        try:
            _, stderr = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        lines = [x for x in stderr.splitlines() if x.strip()]
        assert process.returncode == ConfigError.exit_code, f"{command}: exit {process.returncode}\n{stderr}"
        assert len(lines) == 1 and "Traceback" not in stderr, f"{command}:\n{stderr}"
        assert f"{cfg / name}:{line}:" in lines[0], f"{command}: {lines[0]}"
