"""Config loading: valid files load; broken ones fail with file, line, field and problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from civicwatch.config import Settings, get_settings, load_config, load_platforms
from civicwatch.exceptions import ConfigError

CONFIG = Path(__file__).resolve().parents[1] / "config"


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
