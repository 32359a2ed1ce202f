"""The training corpus is valid and written apart from the dev set.

This file is the only code that reads the dev set's texts, and only to compare: a corpus post
may share at most half of its character 3-grams with any one dev post; so may a template of the
generated coverage corpus (simulator/corpus.py).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from civicwatch.config import get_settings, load_config
from crawlers.corpus import read_corpus, template_folds
from tests.filters.labels import label_errors

DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "dev_posts.jsonl"
MAX_SHARED = 0.5


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return read_corpus()


def _text(row: dict[str, Any]) -> str:
    return (row.get("title") or "") + (row.get("text") or "")


def _grams(text: str) -> set[str]:
    return {text[i:i + 3] for i in range(len(text) - 2)}


@pytest.mark.skipif(not DEV.exists(), reason="no dev set beside the checkout")
def test_no_corpus_post_is_close_to_a_dev_post(corpus: list[dict[str, Any]]) -> None:
    dev = [_grams(_text(json.loads(line))) for line in DEV.read_text(encoding="utf-8").splitlines()
           if line.strip()]
    holders: dict[str, list[int]] = {}
    for j, grams in enumerate(dev):
        for g in grams:
            holders.setdefault(g, []).append(j)
    close = []
    for row in corpus:
        grams = _grams(_text(row))
        if not grams:
            continue
        shared = Counter(j for g in grams for j in holders.get(g, ()))
        if shared and max(shared.values()) > MAX_SHARED * len(grams):
            close.append(row["post_id"])
    assert not close, f"{len(close)} corpus posts too close to a dev post: {close[:10]}"


@pytest.mark.skipif(not DEV.exists(), reason="no dev set beside the checkout")
def test_no_generator_template_is_close_to_a_dev_post() -> None:
    from simulator.corpus import COMPLAINTS, NOISE

    dev = [_grams(_text(json.loads(line))) for line in DEV.read_text(encoding="utf-8").splitlines()
           if line.strip()]
    close = []
    for template in COMPLAINTS + NOISE:
        grams = {g for g in _grams(template) if "{" not in g and "}" not in g}
        if any(len(grams & d) > MAX_SHARED * len(grams) for d in dev):
            close.append(template)
    assert not close, close


def test_labels_follow_the_catalogue_and_gazetteer(corpus: list[dict[str, Any]]) -> None:
    wrong = label_errors(corpus, load_config(get_settings()), needs=("template", "voice", "kind"))
    assert not wrong, "\n".join(wrong[:30])


def test_post_ids_are_unique_per_platform(corpus: list[dict[str, Any]]) -> None:
    keys = Counter(f"{r['platform']}:{r['post_id']}" for r in corpus)
    assert [k for k, n in keys.items() if n > 1] == []


def test_a_template_and_an_incident_stay_in_one_fold(corpus: list[dict[str, Any]]) -> None:
    folds = template_folds(corpus, 5)
    seen: dict[str, int] = {}
    for row, fold in zip(corpus, folds, strict=True):
        for kind in ("template", "dup_group"):
            if row["label"].get(kind):
                key = f"{kind}:{row['label'][kind]}"
                assert seen.setdefault(key, fold) == fold, key
    assert set(folds) == set(range(5))
