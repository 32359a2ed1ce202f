"""Components named by dotted path and ordered by number, the way Scrapy's `*_BASE` settings do.

    build_component_list({"a.First": 100, "a.Second": 200}, {"a.Second": None, "b.Mine": 150})
    # ["a.First", "b.Mine"]: overrides merge into the base; None switches an entry off
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from numbers import Real
from typing import Any

from civicwatch.exceptions import ConfigError


def load_object(path: str) -> Any:
    """The object at `path` ("package.module.Name"); a bad path is a ConfigError naming it."""
    module_name, _, name = path.rpartition(".")
    if not module_name:
        raise ConfigError(f"not a full dotted path: {path!r}", field=path)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"cannot import {module_name!r}: {exc}", field=path) from None
    try:
        return getattr(module, name)
    except AttributeError:
        raise ConfigError(f"module {module_name!r} has no {name!r}", field=path) from None


def build_component_list(base: Mapping[str, Any], overrides: Mapping[str, Any] | None = None, *,
                         setting: str | None = None) -> list[str]:
    """Paths of `base` merged with `overrides`, ordered by their numbers (equal numbers keep their
    order); None disables a path. `setting` names the dict in errors (e.g. "CIVICWATCH_FILTERS")."""
    merged = {**base, **(overrides or {})}
    for path, order in merged.items():
        # bool is an int to Python, but `True` as an order is a slip, not a position.
        if order is not None and (isinstance(order, bool) or not isinstance(order, Real)):
            raise ConfigError(f"order must be a number or None, not {order!r}", path=setting, field=path)
    enabled = [(order, path) for path, order in merged.items() if order is not None]
    return [path for _, path in sorted(enabled, key=lambda op: op[0])]
