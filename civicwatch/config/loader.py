"""Load a YAML file into a pydantic model, reporting errors as file:line: field: problem.

A key written twice in one mapping is an error naming both lines (PyYAML would keep the last
silently); schemas reject repeated ids inside lists with `reject_duplicates`, which the
loader turns into the same kind of message.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from civicwatch.exceptions import ConfigError

M = TypeVar("M", bound=BaseModel)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Loc = tuple[str | int, ...]
_MERGE_TAG = "tag:yaml.org,2002:merge"


class DuplicateValue(ValueError):
    """Raised by a schema validator: `value` of `what` appears at `first` and again at `second`
    (locations relative to the model being validated)."""

    def __init__(self, what: str, value: object, first: Loc, second: Loc) -> None:
        self.what, self.value, self.first, self.second = what, value, first, second
        super().__init__(f"duplicate {what} {value!r} (first at {'.'.join(map(str, first))})")


def reject_duplicates(what: str, entries: Iterable[tuple[Hashable, Loc]]) -> None:
    """Raise DuplicateValue for the first value seen twice among (value, location) pairs."""
    seen: dict[Hashable, Loc] = {}
    for value, loc in entries:
        if value in seen:
            raise DuplicateValue(what, value, seen[value], loc)
        seen[value] = loc


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a 1-based line."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    node, line = value, key.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _check_unique_keys(root: yaml.Node | None, path: Path) -> None:
    """Every mapping's keys are distinct (merge keys `<<` aside: overriding them is their point)."""
    stack: list[tuple[yaml.Node, Loc]] = [(root, ())] if root is not None else []
    done: set[int] = set()  # aliases share nodes: visit each once
    while stack:
        node, loc = stack.pop()
        if id(node) in done:
            continue
        done.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key, value in node.value:
                if key.tag == _MERGE_TAG or not isinstance(key, yaml.ScalarNode):
                    stack.append((value, loc))
                    continue
                line = key.start_mark.line + 1
                if key.value in first_line:
                    field = ".".join(map(str, (*loc, key.value)))
                    raise ConfigError(f"duplicate key {key.value!r} (first at line {first_line[key.value]})",
                                      path=str(path), line=line, field=field)
                first_line[key.value] = line
                stack.append((value, (*loc, key.value)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*loc, i)) for i, item in enumerate(node.value))


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse a YAML file; syntax errors and repeated keys become a ConfigError with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=str(path)) from None
    # One parse gives both the node tree (for line numbers) and the data, with libyaml when the
    # wheel has it: the pure-Python composer takes most of a second over the gazetteer.
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        _check_unique_keys(node, path)
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"invalid YAML: {problem}", path=str(path),
                          line=mark.line + 1 if mark else None) from None
    except RecursionError:  # PyYAML composes recursively
        raise ConfigError("invalid YAML: nested too deeply", path=str(path)) from None
    finally:
        loader.dispose()


def validate(model: type[M], data: Any, *, path: Path, node: yaml.Node | None = None) -> M:
    """Validate parsed YAML against `model`; the first error names file, line and field."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        dup = (err.get("ctx") or {}).get("error")
        if isinstance(dup, DuplicateValue):  # both places, as lines of this file
            first, second = (*loc, *dup.first), (*loc, *dup.second)
            message = f"duplicate {dup.what} {dup.value!r} (first at line {line_of(node, first)})"
            raise ConfigError(message, path=str(path), line=line_of(node, second),
                              field=".".join(map(str, second))) from None
        field = ".".join(str(p) for p in loc) or None
        # A validator's own words, without pydantic's "Value error, " in front of them.
        problem = err["msg"].removeprefix("Value error, ") if err["type"] == "value_error" else err["msg"]
        raise ConfigError(problem, path=str(path), line=line_of(node, loc), field=field) from None


def load_model(model: type[M], path: Path) -> M:
    data, node = read_yaml(path)
    return validate(model, data, path=path, node=node)
