"""The model in use: `civicwatch model promote` copies a candidate under the data dir and points
`<data dir>/models/current.json` at it; settings resolution (civicwatch/settings.py) honours the
pointer whenever CIVICWATCH_MODEL_PATH is not set, so every command and the console read it.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

POINTER = "current.json"


def models_dir(data_dir: Path) -> Path:
    return data_dir / "models"


def read_pointer(data_dir: Path) -> dict[str, Any] | None:
    """The promoted model's record (path, version, when, by whom, figures), if any and its file is there."""
    path = models_dir(data_dir) / POINTER
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not record.get("path"):
        return None
    model = Path(record["path"])
    if not model.is_absolute():
        model = models_dir(data_dir) / model
    if not model.exists():
        return None
    return {**record, "path": model}


def promoted_model(data_dir: Path) -> Path | None:
    record = read_pointer(data_dir)
    return record["path"] if record else None


def write_pointer(data_dir: Path, *, file_name: str, version: str, at: datetime, figures: dict[str, Any],
                  previous: str | None) -> Path:
    """Point the data dir's model at `file_name` (already copied into models_dir), atomically."""
    folder = models_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    record = {"path": file_name, "version": version, "promoted_at": at.isoformat(), "previous": previous,
              "figures": figures}
    tmp = folder / (POINTER + ".tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(folder / POINTER)
    return folder / POINTER
