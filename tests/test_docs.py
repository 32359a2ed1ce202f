"""The README documents every setting and every command, and nothing that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from civicwatch.settings import Settings, setting_name
from crawlers.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def test_every_setting_is_in_the_configuration_table_and_only_those() -> None:
    documented = set(re.findall(r"^\| `(CIVICWATCH_[A-Z_]+)` \|", section("Configuration"), re.M))
    fields = {setting_name(name) for name in Settings.model_fields}
    assert fields - documented == set(), "add these to README's Configuration table"
    assert documented - fields == set(), "README documents settings that civicwatch/settings.py lacks"


COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_readme(name: str) -> None:
    lines = [line for line in section("Command line").splitlines() if f"`civicwatch {name}" in line]
    assert lines, f"README's Command line table lacks `civicwatch {name}`"
    for sub in getattr(COMMANDS[name], "commands", {}):
        assert re.search(rf"\b{re.escape(sub)}\b", " ".join(lines)), f"`civicwatch {name} {sub}` is not in README"


ROOT = Path(__file__).resolve().parents[1]


def test_every_file_the_readme_links_or_names_as_a_benchmark_exists() -> None:
    linked = re.findall(r"\]\(((?:docs|benchmarks)/[^)#\s]+)\)", README)
    scripts = re.findall(r"`(benchmarks/[\w/]+\.py)", README)
    assert "docs/learned.md" in linked, "README's Filters section should link docs/learned.md"
    missing = sorted({p for p in linked + scripts if not (ROOT / p).exists()})
    assert not missing, f"README names files that are not there: {missing}"


def test_the_representation_table_names_its_command_and_every_row_the_script_measures() -> None:
    doc = (ROOT / "docs" / "learned.md").read_text(encoding="utf-8")
    section = doc.split("## Representations", 1)[1].split("\n## ", 1)[0]
    assert ".venv/bin/python benchmarks/representations.py" in section
    script = (ROOT / "benchmarks" / "representations.py").read_text(encoding="utf-8")
    for row in ("char 1-3-grams", "jieba words+bigrams + char 1-3-grams", "USE multilingual v3 (512-d)",
                "multilingual-e5-small q4 (384-d)", "char 1-3-grams + e5 standardised x"):
        assert row in script, f"benchmarks/representations.py no longer has the row {row!r}"
        assert f"\n| {row}" in section, f"docs/learned.md's table lacks the row {row!r}"
