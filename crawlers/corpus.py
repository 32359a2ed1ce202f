"""The training corpus (data/training/*.jsonl): reading it, hashing it, folding it.

Every line is a labelled post (reference/labelled-posts.md) with three more label fields:
`voice` (how it is written), `kind` (`lead`, or the kind of negative) and `template` (the
variants of one hand-written post share it, so a template never straddles two folds).
Files whose name starts with `_` are build scripts' scratch and are not read.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from civicwatch.settings import PROJECT_ROOT

CORPUS_DIR = PROJECT_ROOT / "data" / "training"


def corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.jsonl") if not p.name.startswith("_"))


def read_corpus(directory: Path = CORPUS_DIR) -> list[dict[str, Any]]:
    """Every row of every corpus file, in file then line order."""
    rows: list[dict[str, Any]] = []
    for path in corpus_files(directory):
        with open(path, encoding="utf-8") as f:
            rows.extend(json.loads(line) for line in f if line.strip())
    return rows


def corpus_sha256(directory: Path = CORPUS_DIR) -> str:
    """One hash over the files' names and bytes: a model's manifest names the corpus it saw."""
    digest = hashlib.sha256()
    for path in corpus_files(directory):
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def template_folds(rows: list[dict[str, Any]], k: int = 5) -> list[int]:
    """Fold per row. Rows that share a template or an incident (dup_group) share a fold, so
    neither a re-worded variant nor a repost of a test post is seen in training; groups are
    dealt out in order of first appearance, which is stable for a given corpus."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    keys = []
    for i, row in enumerate(rows):
        label = row.get("label") or {}
        own = "t:" + str(label.get("template") or f"row{i}")
        find(own)
        if label.get("dup_group"):
            parent[find(own)] = find("g:" + str(label["dup_group"]))
        keys.append(own)
    fold_of: dict[str, int] = {}
    return [fold_of.setdefault(find(key), len(fold_of) % k) for key in keys]


def voice_kind_folds(rows: list[dict[str, Any]], k: int = 5) -> list[int]:
    """Folds that hold out whole voices (leads) and whole kinds of negative: a stricter test
    than template_folds, closer to posts by writers the corpus never saw. An incident goes
    with the group of its first post."""
    groups: dict[str, str] = {}
    keys = []
    for row in rows:
        label = row.get("label") or {}
        key = f"voice:{label.get('voice')}" if label.get("is_lead") else f"kind:{label.get('kind')}"
        if label.get("dup_group"):
            key = groups.setdefault(str(label["dup_group"]), key)
        keys.append(key)
    order = {key: i for i, key in enumerate(sorted(set(keys)))}
    return [order[key] % k for key in keys]
