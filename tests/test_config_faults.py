"""Hostile or mistaken config fails at load with one line naming both places of a repeat, the
bad selector or the too-deep rule (issue 16, item 11)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from civicwatch.config import Settings, load_config, load_platforms
from civicwatch.config.forums import load_forums
from civicwatch.config.rules import load_rules
from civicwatch.exceptions import ConfigError, RuleSyntaxError

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    shutil.copytree(CONFIG, tmp_path / "config")
    return tmp_path / "config"


def _line(path: Path, needle: str, nth: int = 1) -> int:
    lines = [i + 1 for i, text in enumerate(path.read_text(encoding="utf-8").splitlines()) if needle in text]
    return lines[nth - 1]


def _append_under(path: Path, anchor: str, extra: str) -> None:
    """Insert `extra` (whole lines) right after the first line containing `anchor`."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, text in enumerate(lines) if anchor in text)
    path.write_text("".join(lines[:at + 1]) + extra + "".join(lines[at + 1:]), encoding="utf-8")


def test_second_catalogue_item_with_the_same_code(config_dir: Path) -> None:
    cat = config_dir / "catalogue.yaml"
    _append_under(cat, "  DL02:", "  HJ01: [HJ, STHJ, urgent, 又一个HJ01]\n")
    first, second = _line(cat, "  HJ01:", 2), _line(cat, "  HJ01:", 1)  # the copy is written earlier
    first, second = min(first, second), max(first, second)
    with pytest.raises(ConfigError) as err:
        load_config(Settings(config_dir=config_dir))
    assert err.value.line == second and err.value.field == "items.HJ01"
    assert f"duplicate key 'HJ01' (first at line {first})" in str(err.value)
    assert str(err.value).startswith(f"{cat}:{second}: ")


def test_platform_listed_twice(tmp_path: Path) -> None:
    path = tmp_path / "platforms.yaml"
    path.write_text("search_keywords: [深圳]\nplatforms:\n  weibo: {}\n  tieba: {}\n  weibo:\n"
                    "    enabled: false\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"duplicate key 'weibo' \(first at line 3\)") as err:
        load_platforms(path)
    assert err.value.line == 5


def test_merge_keys_may_override(tmp_path: Path) -> None:
    path = tmp_path / "platforms.yaml"
    path.write_text("search_keywords: [深圳]\nplatforms:\n  weibo: &slow {interval_seconds: 900}\n"
                    "  tieba:\n    <<: *slow\n    interval_seconds: 60\n", encoding="utf-8")
    assert load_platforms(path).platforms["tieba"].interval_seconds == 60


def test_duplicate_rule_names_name_both_lines(config_dir: Path) -> None:
    rules = config_dir / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    name = re.search(r"^  - name: (\S+)", text, re.M).group(1)  # type: ignore[union-attr]
    rules.write_text(text + f"  - name: {name}\n    kind: tag\n    expr: 噪音\n", encoding="utf-8")
    first, second = _line(rules, f"- name: {name}", 1), _line(rules, f"- name: {name}", 2)
    with pytest.raises(ConfigError) as err:
        load_rules(rules)
    assert err.value.line == second
    assert f"duplicate rule name '{name}' (first at line {first})" in str(err.value)


def test_duplicate_street_code_names_both_lines(config_dir: Path) -> None:
    gaz = config_dir / "gazetteer.yaml"
    text = gaz.read_text(encoding="utf-8")
    codes = re.findall(r'code: "(\d{12})"', text)
    gaz.write_text(text.replace(f'code: "{codes[5]}"', f'code: "{codes[1]}"'), encoding="utf-8")
    first, second = _line(gaz, f'code: "{codes[1]}"', 1), _line(gaz, f'code: "{codes[1]}"', 2)
    with pytest.raises(ConfigError) as err:
        load_config(Settings(config_dir=config_dir))
    assert err.value.line == second and re.fullmatch(r"districts\.\d+\.streets\.\d+\.code", err.value.field or "")
    assert f"duplicate street code '{codes[1]}' (first at line {first})" in str(err.value)


def test_two_forum_files_with_one_name(config_dir: Path) -> None:
    forums = config_dir / "forums"
    shutil.copy(forums / "szbbs.yaml", forums / "zz_copy.yaml")
    with pytest.raises(ConfigError) as err:
        load_forums(forums)
    assert err.value.path == str(forums / "zz_copy.yaml") and err.value.field == "name"
    assert f"duplicate forum name 'szbbs' (first in {forums / 'szbbs.yaml'}:" in str(err.value)


@pytest.mark.parametrize("old, new, problem", [
    ('regex: "normalthread_(\\\\d+)"', 'regex: "normalthread_(\\\\d+"', "bad regex"),
    ('regex: "normalthread_(\\\\d+)"', 'regex: "normalthread_\\\\d+"', "needs a (group)"),
    ('items: {css: "tbody[id^=normalthread_]"}', 'items: {css: "tbody[[id"}', "bad CSS selector"),
    ('items: {css: "tbody[id^=normalthread_]"}', 'items: {xpath: "//tbody[@id"}', "bad XPath"),
    ('title: {css: "th a.s.xst::text"}', 'title: {css: "th a::nonsense"}', "bad CSS selector"),
])
def test_bad_forum_selector_fails_at_load_with_its_line(config_dir: Path, old: str, new: str,
                                                        problem: str) -> None:
    path = config_dir / "forums" / "szbbs.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(problem)) as err:
        load_forums(config_dir / "forums")
    assert err.value.line == _line(path, new.split(":")[0].strip())


@pytest.mark.parametrize("expr", ["(" * 200 + "噪音" + ")" * 200, "NOT " * 500 + "噪音",
                                  "title:" * 300 + "噪音"])
def test_deeply_nested_rule_is_a_clear_error(tmp_path: Path, expr: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(f"rules:\n  - name: deep\n    expr: '{expr}'\n", encoding="utf-8")
    with pytest.raises(RuleSyntaxError, match="nested deeper than 32 levels") as err:
        load_rules(path)
    assert err.value.rule == "deep" and err.value.path == str(path)


def test_nesting_up_to_the_limit_still_parses(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - name: ok\n    expr: '" + "(" * 32 + "噪音" + ")" * 32 + "'\n", encoding="utf-8")
    assert len(load_rules(path).rules) == 1


def test_deeply_nested_yaml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "platforms.yaml"
    path.write_text("search_keywords: " + "[" * 20000 + "]" * 20000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nested too deeply|maximum nesting depth"):  # PyYAML or libyaml
        load_platforms(path)


def _civicwatch(config_dir: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CIVICWATCH_CONFIG_DIR": str(config_dir), "CIVICWATCH_DATA_DIR": str(tmp_path / "data"),
           "CIVICWATCH_TIME_SCALE": "0"}
    return subprocess.run([sys.executable, "-m", "crawlers.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_platform_without_a_spider_is_one_error_line(config_dir: Path, tmp_path: Path) -> None:
    path = config_dir / "platforms.yaml"
    _append_under(path, "platforms:", "  nosuch:\n    interval_seconds: 60\n")
    result = _civicwatch(config_dir, tmp_path, "run", "--once", "--platforms", "nosuch")
    assert result.returncode == 78, result.stderr
    said = "".join(result.stderr.split("\n"))  # (line wrapping is item 14's test)
    assert said.count("error:") == 1 and "no spider for platform(s) nosuch (spider 'nosuch')" in said, said
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_forum_definition_stops_run_before_it_starts(config_dir: Path, tmp_path: Path) -> None:
    path = config_dir / "forums" / "szbbs.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"tbody[id^=normalthread_]"', '"tbody[[id"'),
                    encoding="utf-8")
    result = _civicwatch(config_dir, tmp_path, "run", "--once", "--platforms", "forum")
    assert result.returncode == 78, result.stderr
    said = "".join(result.stderr.split("\n"))
    assert said.count("error:") == 1 and "bad CSS selector" in said and "Traceback" not in said, said
    assert not (tmp_path / "data").exists()  # nothing was started
