"""Learning from reviewers, the parts `train --with-reviews` and `model compare|promote` share:
the reviewers' examples in MongoDB (sinks/examples.py), the frozen evaluation set, measuring a
model file on labelled rows, and the rule that lets a candidate replace the model in use.

The frozen evaluation set is the dev set plus a held-back slice of the corpus (one template
fold in FROZEN_FOLDS, incidents kept whole); it is for measuring only: a model trained with
reviews never sees the slice, and nothing is tuned on either part.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from civicwatch.config import Config, ModelFile
from civicwatch.settings import PROJECT_ROOT, Settings
from crawlers.corpus import template_folds

DEV_SET = PROJECT_ROOT.parent / "shared" / "data" / "dev_posts.jsonl"
FROZEN_FOLDS = 10  # one template fold in ten of the corpus is held back for measuring
CHUNK = 200        # posts per progress step


@contextmanager
def review_examples(settings: Settings) -> Iterator[Any]:
    """sinks.examples.ReviewExamples on CIVICWATCH_MONGO_URI, or on the embedded server."""
    from crawlers.embedded import database_for
    from sinks.examples import ReviewExamples

    with database_for(settings) as db:
        yield ReviewExamples(db)


def split_frozen(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(training rows, held-back slice) of the corpus."""
    folds = template_folds(rows, FROZEN_FOLDS)
    return ([r for r, f in zip(rows, folds, strict=True) if f != 0],
            [r for r, f in zip(rows, folds, strict=True) if f == 0])


def read_labelled(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r for r in rows if isinstance(r.get("label"), dict)]


@dataclass(frozen=True)
class Figures:
    """Lead counts and the chain's metrics on one set of rows."""

    n: int
    tp: int
    fp: int
    fn: int
    metrics: dict[str, float]

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp + self.fp + self.fn else 1.0

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.n + other.n, self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, {})


def measure(config: Config, model: ModelFile, rows: list[dict[str, Any]], progress: Progress | None = None,
            label: str = "") -> Figures:
    """The whole filter chain with `model` on labelled `rows` (a fresh chain: no duplicates carried)."""
    from civicwatch.models import Post
    from filters.chain import FilterChain
    from filters.evaluate import evaluate

    chain = FilterChain.from_config(config.with_model(model))
    posts = [Post.model_validate(r) for r in rows]
    task = progress.add_task(label, total=len(posts)) if progress else None
    decisions = []
    for start in range(0, len(posts), CHUNK):
        decisions.extend(chain.decide_batch(posts[start:start + CHUNK]))
        if progress is not None and task is not None:
            progress.advance(task, len(posts[start:start + CHUNK]))
    report = evaluate(rows, decisions)
    return Figures(report.n, report.tp, report.fp, report.fn, report.metrics)


def progress_bar(console: Any) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


@dataclass(frozen=True)
class Verdict:
    promote: bool
    why: list[str]


def judge(current: dict[str, Figures], candidate: dict[str, Figures]) -> Verdict:
    """May the candidate replace the current model? Keys: `frozen`, `reviews`.

    On the frozen set, lead recall must not drop and F1 must not fall; and F1 must rise over the
    frozen set and the held-out recent reviews together, with recall there not dropping either.
    (A review of a new kind of noise changes what the frozen set cannot show, so "F1 rises" is
    asked of both together; the frozen set alone guards against getting worse.)
    """
    cf, nf = current["frozen"], candidate["frozen"]
    cp, np_ = cf + current["reviews"], nf + candidate["reviews"]
    checks = [
        (nf.recall >= cf.recall, f"frozen lead recall {cf.recall:.3f} → {nf.recall:.3f} (must not drop)"),
        (nf.f1 >= cf.f1, f"frozen lead F1 {cf.f1:.3f} → {nf.f1:.3f} (must not fall)"),
        (np_.recall >= cp.recall, f"frozen + reviews lead recall {cp.recall:.3f} → {np_.recall:.3f} (must not drop)"),
        (np_.f1 > cp.f1, f"frozen + reviews lead F1 {cp.f1:.3f} → {np_.f1:.3f} (must rise)"),
    ]
    return Verdict(all(ok for ok, _ in checks), [("ok: " if ok else "FAILS: ") + text for ok, text in checks])
