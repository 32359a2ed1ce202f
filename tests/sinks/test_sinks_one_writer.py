"""sinks/leads.py is the only module that writes the `leads` collection (an AST walk of the source).

A write is a call of a pymongo write method on a leads-collection expression: `<x>.leads`,
`<x>["leads"]`, `<x>.get_collection("leads")`, or a name/attribute bound to one of those in the
same module. tests/ and benchmarks/ are not shipped code and may set up or corrupt state.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRITER = Path("sinks/leads.py")
NOT_SHIPPED = {"tests", "benchmarks", "docs", "config", "build", "dist", "node_modules"}
WRITE_METHODS = frozenset({
    "update_one", "update_many", "insert_one", "insert_many", "replace_one", "delete_one", "delete_many",
    "find_one_and_update", "find_one_and_replace", "find_one_and_delete", "bulk_write", "drop",
})


def _dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _names_leads(node: ast.AST, aliases: set[str]) -> bool:
    if isinstance(node, ast.Attribute) and node.attr == "leads":
        return True
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == "leads":
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "get_collection" and node.args \
            and isinstance(node.args[0], ast.Constant) and node.args[0].value == "leads":
        return True
    return _dotted(node) in aliases


def _aliases(tree: ast.AST) -> set[str]:
    """Names and attributes the module binds to the leads collection (`coll = db["leads"]`)."""
    aliases: set[str] = set()
    changed = True
    while changed:  # an alias of an alias
        changed = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            if not _names_leads(value, aliases):
                continue
            for target in targets:
                name = _dotted(target)
                if name and name not in aliases:
                    aliases.add(name)
                    changed = True
    return aliases


def leads_writes(source: str, filename: str = "<source>") -> list[str]:
    """`file:line method` for every write to the leads collection in `source`."""
    tree = ast.parse(source, filename)
    aliases = _aliases(tree)
    return [f"{filename}:{node.lineno} {node.func.attr}" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITE_METHODS and _names_leads(node.func.value, aliases)]


def shipped_modules() -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        # Pruned in place: no descent into .venv, .git or the unshipped folders.
        dirs[:] = [d for d in dirs if not d.startswith(".") and not (Path(folder) == ROOT and d in NOT_SHIPPED)]
        found += [Path(folder) / f for f in files if f.endswith(".py")]
    return sorted(found)


@pytest.mark.parametrize(("snippet", "found"), [
    ("store.leads.update_one({}, {})", ["update_one"]),
    ("self.store.leads.insert_many([])", ["insert_many"]),
    ('store.db["leads"].delete_one({})', ["delete_one"]),
    ('db.get_collection("leads").bulk_write([])', ["bulk_write"]),
    ('coll = db["leads"]\nother = coll\nother.replace_one({}, {})', ["replace_one"]),
    ("self._leads = store.leads\nself._leads.find_one_and_update({}, {})", ["find_one_and_update"]),
    ("store.leads.find_one({})\nstore.leads.count_documents({})\nstore.leads.create_index('x')", []),
    ('store.posts.update_one({}, {})\ndb["crawl_state"].insert_one({})', []),
])
def test_the_detector_sees_every_way_of_writing(snippet: str, found: list[str]) -> None:
    assert [w.split()[-1] for w in leads_writes(snippet)] == found


def test_the_scan_covers_every_layer() -> None:
    tops = {path.relative_to(ROOT).parts[0] for path in shipped_modules()}
    assert {"civicwatch", "crawlers", "filters", "review", "sinks", "spiders", "simulator"} <= tops
    assert WRITER in {path.relative_to(ROOT) for path in shipped_modules()}


def test_only_sinks_leads_writes_the_leads_collection() -> None:
    offenders = [write for path in shipped_modules() if path.relative_to(ROOT) != WRITER
                 for write in leads_writes(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert offenders == [], "write leads through sinks.leads.LeadService: " + ", ".join(offenders)
    assert leads_writes((ROOT / WRITER).read_text(encoding="utf-8")), "the writer itself was not recognised"
