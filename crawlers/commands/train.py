"""`civicwatch train`: the learned decision models from the training corpus (data/training/).

Writes models/learned.npz (arrays only) and models/manifest.json (corpus hash, parameters,
k-fold figures, version). Deterministic: the same corpus gives byte-identical files.
`--with-reviews` adds the reviewers' examples (sinks/examples.py) and holds back the frozen
evaluation slice of the corpus (crawlers/learning.py); it writes a candidate under the data dir,
never over the shipped model, for `civicwatch model compare|promote`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from civicwatch.config import get_settings, load_config
from civicwatch.config.model import model_file_bytes
from civicwatch.promotion import models_dir
from civicwatch.settings import PROJECT_ROOT
from crawlers.corpus import CORPUS_DIR, corpus_sha256, read_corpus, template_folds, voice_kind_folds
from crawlers.learning import FROZEN_FOLDS, split_frozen

MODELS_DIR = PROJECT_ROOT / "models"
SHOWN = ("lead_precision", "lead_recall", "district_accuracy", "item_accuracy", "department_accuracy",
         "urgent_recall", "dup_f1", "pii_leaks")


def register(app: typer.Typer) -> None:
    @app.command()
    def train(
        corpus: Annotated[Path, typer.Option(help="corpus folder")] = CORPUS_DIR,
        out: Annotated[Path | None, typer.Option(
            help="folder for learned.npz and manifest.json (default: models/, or <data dir>/models/candidate "
                 "with --with-reviews or --hold-back)")] = None,
        folds: Annotated[int, typer.Option(min=2, help="k of the k-fold figures (folds keep templates "
                                                        "and incidents whole)")] = 5,
        sample: Annotated[int, typer.Option(min=0, help="only N corpus posts, evenly spaced over it "
                                                         "(0 = all; for tests)")] = 0,
        seed: Annotated[int, typer.Option(help="seed of the solvers")] = 0,
        with_reviews: Annotated[bool, typer.Option(
            "--with-reviews", help="add the reviewers' examples from MongoDB (each weighs as one corpus post); "
                                   "writes a candidate")] = False,
        hold_back: Annotated[bool | None, typer.Option(
            "--hold-back/--no-hold-back",
            help="leave out the corpus slice of the frozen evaluation set (default: with --with-reviews); "
                 "without it, model compare judges on the dev set alone")] = None,
    ) -> None:
        """Train the lead, item and urgency models on the corpus; write the model file and its manifest."""
        from filters.training import Params
        from filters.training import train as fit

        console = Console()
        settings = get_settings()
        config = load_config(settings)
        hold_back = with_reviews if hold_back is None else hold_back
        candidate = hold_back or with_reviews
        if out is None:
            out = models_dir(settings.data_dir) / "candidate" if candidate else MODELS_DIR
        if candidate and out.resolve() == MODELS_DIR.resolve():
            # models/ holds what `civicwatch train` makes of the corpus alone (its manifest's hash says so).
            raise typer.BadParameter("--with-reviews / --hold-back write a candidate, not the shipped model: "
                                     "give another folder (or leave --out out)", param_hint="--out")
        rows = read_corpus(corpus)
        if hold_back:
            rows, _frozen = split_frozen(rows)
        if sample and sample < len(rows):
            rows = [rows[i * len(rows) // sample] for i in range(sample)]
        corpus_hash = corpus_sha256(corpus)
        version = f"ngram-{corpus_hash[:10]}" + (f"-sample{len(rows)}" if sample else "") + ("-heldback" if hold_back
                                                                                          else "")
        reviews: list[dict[str, Any]] = []
        if with_reviews:
            reviews = _review_rows(settings)
            reviews_hash = hashlib.sha256(json.dumps(reviews, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
            version += f"-reviews{len(reviews)}-{reviews_hash[:8]}"
            console.print(f"{len(reviews)} reviewers' examples added ({sum(r['label']['is_lead'] for r in reviews)} "
                          "leads), each weighing as one corpus post")
            rows = rows + reviews
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
        if candidate:  # a candidate's; the shipped manifest stays what the corpus alone gives
            manifest["held_back"] = (f"template fold 0 of {FROZEN_FOLDS} (the frozen evaluation slice)"
                                     if hold_back else None)
            manifest["review_examples"] = len(reviews) if with_reviews else None
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


def _review_rows(settings: Any) -> list[dict[str, Any]]:
    """The reviewers' examples as corpus rows: each lead's last word, the held-out ones left out.

    Weight: one example counts as one corpus post (no sample weights). A review is one real post
    labelled by a person, like a corpus post; weighing it more would let a few dozen rejections
    of one kind outvote the hand-written coverage of every category, and identical texts are kept
    once (sinks/examples.py), so a repost rejected many times does not count many times.
    """
    from crawlers.learning import review_examples
    from sinks.examples import corpus_row

    with review_examples(settings) as examples:
        rows = [corpus_row(ex) for ex in examples.for_training()]
    # A lead the console kept without an item teaches the item model nothing it can fit.
    return [r for r in rows if not r["label"]["is_lead"] or r["label"]["item"]]
