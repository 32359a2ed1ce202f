"""Load a YAML file into a pydantic model, reporting errors as file:line: field: problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from civicwatch.exceptions import ConfigError

M = TypeVar("M", bound=BaseModel)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse a YAML file; syntax errors become a ConfigError with the line."""
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
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"invalid YAML: {problem}", path=str(path),
                          line=mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()


def validate(model: type[M], data: Any, *, path: Path, node: yaml.Node | None = None) -> M:
    """Validate parsed YAML against `model`; the first error names file, line and field."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or None
        # A validator's own words, without pydantic's "Value error, " in front of them.
        problem = err["msg"].removeprefix("Value error, ") if err["type"] == "value_error" else err["msg"]
        raise ConfigError(problem, path=str(path), line=line_of(node, loc), field=field) from None


def load_model(model: type[M], path: Path) -> M:
    data, node = read_yaml(path)
    return validate(model, data, path=path, node=node)
