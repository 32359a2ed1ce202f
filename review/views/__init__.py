"""Console pages, one module per page family, each exposing `router` (a FastAPI APIRouter).

Modules are discovered, like CLI commands: adding a page family (e.g. a dashboard or the JSON
API) means adding a file here. `ORDER` puts the known ones first; others follow by name.
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

ORDER = ("session", "queue", "lead")


def discover_routers() -> list[APIRouter]:
    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    names.sort(key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    return [importlib.import_module(f"{__name__}.{name}").router for name in names]
