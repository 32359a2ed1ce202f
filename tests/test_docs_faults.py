"""docs/faults.md names only tests that exist: every `file.py` it cites is a test file (bare names
are in tests/faults/) and every `file.py::test_name` a test function in it (a trailing `…` stands
for the rest of a long name)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "faults.md"
CITED = re.compile(r"`((?:tests/[\w/]+/)?[\w]+\.py)(?:::(\w+)(…)?)?`")


def _path(name: str) -> Path:
    return ROOT / name if name.startswith("tests/") else ROOT / "tests" / "faults" / name


def test_every_cited_test_exists() -> None:
    cited = CITED.findall(DOC.read_text(encoding="utf-8"))
    assert len(cited) > 20
    for name, function, cut in cited:
        path = _path(name)
        assert path.is_file(), f"docs/faults.md cites {name}, which is not there"
        if function:
            source = path.read_text(encoding="utf-8")
            pattern = rf"^def {function}" + ("" if cut else r"\(")
            assert re.search(pattern, source, re.M), f"{name} has no test {function}"


def test_every_fault_test_file_is_in_the_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [p.name for p in (ROOT / "tests" / "faults").glob("test_*.py") if p.name not in text]
    assert not missing, f"docs/faults.md does not mention {missing}"
