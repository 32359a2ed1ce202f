"""`civicwatch train`: the learned decision models from the training corpus (data/training/).

Writes models/learned.npz (arrays only) and models/manifest.json (corpus hash, parameters,
k-fold figures, version). Deterministic: the same corpus gives byte-identical files.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from civicwatch.config import get_settings, load_config
from civicwatch.config.model import model_file_bytes
from civicwatch.settings import PROJECT_ROOT
from crawlers.corpus import CORPUS_DIR, corpus_sha256, read_corpus, template_folds, voice_kind_folds

MODELS_DIR = PROJECT_ROOT / "models"
SHOWN = ("lead_precision", "lead_recall", "district_accuracy", "item_accuracy", "department_accuracy",
         "urgent_recall", "dup_f1", "pii_leaks")


def register(app: typer.Typer) -> None:
    @app.command()
    def train(
        corpus: Annotated[Path, typer.Option(help="corpus folder")] = CORPUS_DIR,
        out: Annotated[Path, typer.Option(help="folder for learned.npz and manifest.json")] = MODELS_DIR,
        folds: Annotated[int, typer.Option(min=2, help="k of the k-fold figures (folds keep templates "
                                                        "and incidents whole)")] = 5,
        sample: Annotated[int, typer.Option(min=0, help="only N corpus posts, evenly spaced over it "
                                                         "(0 = all; for tests)")] = 0,
        seed: Annotated[int, typer.Option(help="seed of the solvers")] = 0,
    ) -> None:
        """Train the lead, item and urgency models on the corpus; write the model file and its manifest."""
        from filters.training import Params
        from filters.training import train as fit

        console = Console()
        config = load_config(get_settings())
        rows = read_corpus(corpus)
        if sample and sample < len(rows):
            rows = [rows[i * len(rows) // sample] for i in range(sample)]
        corpus_hash = corpus_sha256(corpus)
        version = f"ngram-{corpus_hash[:10]}" + (f"-sample{len(rows)}" if sample else "")
        params = Params(seed=seed)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            progress.add_task(f"training on {len(rows):,} posts, {folds} folds + final", total=None)
            result = fit(rows, template_folds(rows, folds), config, params, version=version,
                         unseen_folds=voice_kind_folds(rows, folds))
        out.mkdir(parents=True, exist_ok=True)
        data = model_file_bytes(result.arrays)
        (out / "learned.npz").write_bytes(data)
        manifest = {
            "version": version,
            "corpus_sha256": corpus_hash,
            "corpus_posts": len(rows),
            "sample": sample or None,
            "representation": "character 1-3-gram TF-IDF (sublinear tf, l2), logistic regression",
            "parameters": asdict(params),
            "features": int(len(result.arrays["vocab"])),
            "screen_words": int(len(result.arrays["screen_words"])),
            "calibration": {k: result.arrays[k].tolist() for k in (
                "stack", "lead_threshold", "item_temperature", "urgent_platt", "urgent_threshold",
                "item_override")},
            "folds": folds,
            "fold_metrics": [{k: round(v, 4) for k, v in m.items()} for m in result.fold_metrics],
            "mean_metrics": {k: round(v, 4) for k, v in result.mean_metrics.items()},
            "out_of_fold": {k: round(v, 4) for k, v in result.oof.items()},
            "missed_leads_by_reason": dict(sorted(result.missed.items())),
            "model_bytes": len(data),
        }
        (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
        table = Table(title=f"{version}: {folds}-fold on the corpus ({len(rows):,} posts), whole chain")
        table.add_column("metric")
        table.add_column("mean", justify="right")
        for name in SHOWN:
            value = result.mean_metrics.get(name, 0.0)
            table.add_row(name, f"{value:.3f}" if name != "pii_leaks" else f"{value:.1f}")
        for name, value in result.oof.items():
            table.add_row(f"out of fold: {name}", f"{value:.3f}")
        console.print(table)
        console.print(f"wrote {out / 'learned.npz'} ({len(data) / 2**20:.1f} MiB, "
                      f"{manifest['features']:,} n-grams) and {out / 'manifest.json'}")
