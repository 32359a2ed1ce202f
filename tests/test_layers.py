"""The house is one-way: each package imports only the layers below it (docs/architecture.md).

Every import counts, at module level or inside a function, `import x` or `from x import y`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> the packages of ours it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "civicwatch": set(),
    "filters": {"civicwatch"},
    "sinks": {"civicwatch"},
    "spiders": {"civicwatch"},
    "simulator": {"civicwatch"},
    "review": {"civicwatch", "sinks", "filters"},
    "crawlers": {"civicwatch", "filters", "sinks", "spiders", "simulator", "review"},
}
OURS = set(ALLOWED)
# Third-party packages a layer must not use: filters/ is pure text logic.
FORBIDDEN_THIRD_PARTY: dict[str, set[str]] = {
    "civicwatch": {"scrapy", "pymongo", "redis", "fastapi", "starlette", "typer"},
    "filters": {"scrapy", "pymongo", "redis", "fastapi", "starlette", "typer", "twisted"},
    "sinks": {"scrapy", "fastapi", "starlette", "typer"},
}


def imported_packages(source: str) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def violations(root: Path) -> list[str]:
    out = []
    for package, allowed in ALLOWED.items():
        for path in sorted((root / package).rglob("*.py")):
            for line, top in imported_packages(path.read_text(encoding="utf-8")):
                rel = path.relative_to(root)
                if top in OURS and top != package and top not in allowed:
                    out.append(f"{rel}:{line}: {package} imports {top}")
                if top in FORBIDDEN_THIRD_PARTY.get(package, set()):
                    out.append(f"{rel}:{line}: {package} uses {top}")
    return out


def test_every_import_runs_down_the_layers() -> None:
    assert violations(ROOT) == []


@pytest.mark.parametrize(("package", "line", "offender"), [
    ("civicwatch", "from filters.chain import FilterChain", "civicwatch imports filters"),
    ("filters", "    from sinks.mongo import Store  # inside a function", "filters imports sinks"),
    ("sinks", "import review.app", "sinks imports review"),
    ("spiders", "from crawlers.settings import BOT_NAME", "spiders imports crawlers"),
    ("filters", "from scrapy.utils.misc import load_object", "filters uses scrapy"),
])
def test_an_upward_import_is_caught(tmp_path: Path, package: str, line: str, offender: str) -> None:
    for name in ALLOWED:
        (tmp_path / name).mkdir()
    module = tmp_path / package / "upward.py"
    module.write_text(f"def f():\n    pass\n{line.strip()}\n", encoding="utf-8")
    assert [v.split(": ", 1)[1] for v in violations(tmp_path)] == [offender]


def test_the_layer_table_covers_every_package() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "benchmarks"}
    assert packages == OURS
