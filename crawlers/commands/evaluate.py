"""`civicwatch evaluate LABELLED.jsonl [--folds 5]`: how good the filter chain is."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from civicwatch.config import ModelFile, get_settings, load_config
from civicwatch.models import Post
from crawlers.commands.classify import read_posts
from filters.steps.learned import KEYWORDS_ONLY

THRESHOLDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5)

ChainAt = Callable[[float], Any]  # lead threshold -> FilterChain


def _run(chain_at: ChainAt, rows: list[dict[str, Any]], posts: list[Post], threshold: float) -> Any:
    from filters.evaluate import evaluate

    chain = chain_at(threshold)
    chain.reset()
    return evaluate(rows, chain.decide_batch(posts))


def corpus_figures(model: ModelFile) -> tuple[int, dict[str, float]] | None:
    """(k, mean figures) of the k-fold run on the corpus that `civicwatch train` wrote into the
    model's manifest (models/manifest.json, or <version>.manifest.json of a promoted model)."""
    for manifest in (model.path.with_suffix(".manifest.json"), model.path.with_name("manifest.json")):
        if manifest.exists():
            data = json.loads(manifest.read_text(encoding="utf-8"))
            if data.get("version") == model.version and data.get("mean_metrics"):
                return int(data.get("folds") or 0), data["mean_metrics"]
    return None


def _f1(m: dict[str, float]) -> float:
    p, r = m["lead_precision"], m["lead_recall"]
    return 2 * p * r / (p + r) if p + r else 0.0


def register(app: typer.Typer) -> None:
    @app.command()
    def evaluate(
        labelled: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
        folds: Annotated[int, typer.Option(help="k-fold check: tune the lead threshold on k-1 folds, "
                                                 "measure on the held-out one (0 = off)")] = 0,
        misses: Annotated[bool, typer.Option(help="list the misses for people to read")] = True,
    ) -> None:
        """Lead precision/recall, district/item/department accuracy, urgent recall, duplicates, PII leaks."""
        from filters.chain import FilterChain

        console = Console()
        config = load_config(get_settings())

        @cache
        def chain_at(threshold: float) -> FilterChain:  # one chain per threshold tried
            return FilterChain.from_config(config.with_scoring(lead_threshold=threshold))

        threshold = config.classifier.scoring.lead_threshold
        pairs = list(read_posts(labelled, Console(stderr=True)))
        rows = [r for r, _ in pairs if isinstance(r.get("label"), dict)]
        posts = [p for r, p in pairs if isinstance(r.get("label"), dict)]
        report = _run(chain_at, rows, posts, threshold)
        model = config.model
        if model is None:
            title = f"{labelled} — {len(rows)} posts, model: none (keyword-only), threshold {threshold}"
        else:
            title = f"{labelled} — {len(rows)} posts, model {model.version} ({model.path})"
        console.print(f"model version: {model.version if model else KEYWORDS_ONLY}")
        # Beside the file's figures, the model's own k-fold figures on the corpus it was
        # trained on (from its manifest): how far the posts measured here are from that corpus.
        corpus = corpus_figures(model) if model is not None else None
        table = Table(title=title)
        table.add_column("metric")
        table.add_column("value", justify="right")
        if corpus:
            table.add_column(f"corpus {corpus[0]}-fold", justify="right")

        def shown(name: str, value: float | None) -> str:
            if value is None:
                return ""
            return f"{value:.3f}" if name != "pii_leaks" else f"{value:g}"

        for name, value in report.metrics.items():
            table.add_row(name, shown(name, value), *([shown(name, corpus[1].get(name))] if corpus else []))
        table.add_row("pii_strings_checked", str(report.pii_total))
        console.print(table)
        if misses and report.misses:
            console.print("[bold]漏报 / 误报 / 错分 / 泄露[/]")
            for line in report.misses:
                console.print("  " + line, highlight=False, markup=False)
        if folds > 1:
            _cross_validate(console, chain_at, rows, posts, folds)


def _folds(rows: list[dict[str, Any]], k: int) -> list[int]:
    """Fold per post; an incident's posts share a fold, so duplicate pairs are measured at all."""
    group_fold: dict[str, int] = {}
    out = []
    for i, row in enumerate(rows):
        group = (row.get("label") or {}).get("dup_group")
        if group:
            group_fold.setdefault(group, len(group_fold) % k)
            out.append(group_fold[group])
        else:
            out.append(i % k)
    return out


def _cross_validate(console: Console, chain_at: ChainAt, rows: list[dict[str, Any]], posts: list[Post],
                    k: int) -> None:
    table = Table(title=f"{k}-fold check (threshold tuned on the other folds)")
    for col in ("fold", "threshold", "precision", "recall", "district", "department", "urgent", "dup F1"):
        table.add_column(col, justify="right")
    sums: dict[str, float] = {}
    assigned = _folds(rows, k)
    for fold in range(k):
        test = [i for i in range(len(rows)) if assigned[i] == fold]
        train = [i for i in range(len(rows)) if assigned[i] != fold]
        best = max(THRESHOLDS, key=lambda t: (_f1(_run(chain_at, [rows[i] for i in train],
                                                       [posts[i] for i in train], t).metrics), -abs(t - 1)))
        m = _run(chain_at, [rows[i] for i in test], [posts[i] for i in test], best).metrics
        for key in m:
            sums[key] = sums.get(key, 0.0) + m[key]
        table.add_row(str(fold + 1), str(best), *(f"{m[x]:.3f}" for x in (
            "lead_precision", "lead_recall", "district_accuracy", "department_accuracy", "urgent_recall",
            "dup_f1")))
    table.add_row("mean", "", *(f"{sums[x] / k:.3f}" for x in (
        "lead_precision", "lead_recall", "district_accuracy", "department_accuracy", "urgent_recall", "dup_f1")))
    console.print(table)
