"""`civicwatch model compare|promote|show`: a candidate (`train --with-reviews`) against the model
in use, on the frozen evaluation set and the held-out recent reviews; switching only when it is
no worse and better (crawlers/learning.py `judge`).
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from civicwatch.clock import now_shanghai
from civicwatch.config import ModelFile, get_settings, load_config, read_model_file
from civicwatch.exceptions import ConfigError
from civicwatch.promotion import models_dir, read_pointer, write_pointer
from crawlers.learning import DEV_SET, Figures, Verdict, judge, measure, progress_bar, read_labelled, split_frozen

model_app = typer.Typer(help="Compare and promote learned models (模型对比与上线).", no_args_is_help=True)
ROWS = (("lead_precision", "lead precision"), ("lead_recall", "lead recall"), ("f1", "lead F1"),
        ("district_accuracy", "district accuracy"), ("department_accuracy", "department accuracy"),
        ("urgent_recall", "urgent recall"))

CandidateArg = Annotated[Path, typer.Argument(help="the candidate's learned.npz, or the folder holding it")]
CurrentOpt = Annotated[Path | None, typer.Option(
    help="the model to beat (default: the one in use, CIVICWATCH_MODEL_PATH or the promoted one)")]
DevOpt = Annotated[Path, typer.Option(help="labelled posts of the frozen set (measuring only)")]
DaysOpt = Annotated[int, typer.Option(min=1, help="recent reviews: the held-out examples of the last N days")]


def _model_at(path: Path) -> ModelFile:
    if path.is_dir():
        path = path / "learned.npz"
    found = read_model_file(path)
    if found is None:
        raise ConfigError("no model file there (civicwatch train --with-reviews writes one)", path=str(path))
    return found


def held_back(model: ModelFile) -> bool:
    """Whether the model was trained without the corpus slice (`train --hold-back`/`--with-reviews`)."""
    return "-heldback" in model.version


PARTS = (("dev", "dev set"), ("slice", "corpus slice"), ("reviews", "recent reviews (held out)"))


def _comparison(candidate: Path, current: Path | None, dev: Path, days: int, console: Console
                ) -> tuple[ModelFile, ModelFile, dict[str, dict[str, Figures]], Verdict, bool]:
    """Both models on each part; the verdict on the frozen parts neither model was trained on
    (dev set and corpus slice when both held the slice back, else the dev set alone) and the reviews."""
    from crawlers.corpus import read_corpus
    from crawlers.learning import review_examples
    from sinks.examples import corpus_row

    settings = get_settings()
    config = load_config(settings)
    cand = _model_at(candidate)
    cur = _model_at(current or settings.model_path)
    _train, held = split_frozen(read_corpus())
    if not dev.exists():
        console.print(f"[yellow]no dev set at {dev}: the frozen set is the corpus slice only[/]")
    with review_examples(settings) as examples:
        reviews = [corpus_row(ex) for ex in examples.held_out_recent(now_shanghai() - timedelta(days=days))]
    sets = {"dev": read_labelled(dev) if dev.exists() else [], "slice": held, "reviews": reviews}
    figures: dict[str, dict[str, Figures]] = {}
    with progress_bar(console) as progress:
        for name, model in (("current", cur), ("candidate", cand)):
            figures[name] = {part: measure(config, model, sets[part], progress, f"{name}: {title} ({len(sets[part])})")
                             for part, title in PARTS}
    fair = held_back(cur) and held_back(cand) or not sets["dev"]

    def frozen(f: dict[str, Figures]) -> Figures:
        return f["dev"] + f["slice"] if fair else f["dev"]

    verdict = judge({"frozen": frozen(figures["current"]), "reviews": figures["current"]["reviews"]},
                    {"frozen": frozen(figures["candidate"]), "reviews": figures["candidate"]["reviews"]})
    return cur, cand, figures, verdict, fair


def _value(f: Figures, key: str) -> float:
    return f.f1 if key == "f1" else f.metrics.get(key, 0.0)


def _print(console: Console, cur: ModelFile, cand: ModelFile, figures: dict[str, dict[str, Figures]],
           verdict: Verdict, fair: bool) -> None:
    table = Table(title=f"current {cur.version}  vs  candidate {cand.version}")
    table.add_column("set")
    table.add_column("metric")
    for col in ("current", "candidate", "change"):
        table.add_column(col, justify="right")
    for part, title in PARTS:
        c, n = figures["current"][part], figures["candidate"][part]
        table.add_row(title, "posts", str(c.n), str(n.n), "")
        for key, name in ROWS if part != "reviews" else ROWS[:3]:
            a, b = _value(c, key), _value(n, key)
            style = "green" if b > a else "red" if b < a else ""
            table.add_row("", name, f"{a:.3f}", f"{b:.3f}", f"[{style}]{b - a:+.3f}[/]" if style else "±0")
        table.add_row("", "kept / missed leads, kept noise", f"{c.tp}/{c.fn}, {c.fp}", f"{n.tp}/{n.fn}, {n.fp}", "",
                      end_section=True)
    console.print(table)
    console.print("frozen set judged: " + ("dev set + corpus slice" if fair else
                  "dev set only (a model trained on the corpus slice is not judged on it; its slice figures "
                  "flatter it)"), highlight=False)
    for line in verdict.why:
        console.print(("[green]" if line.startswith("ok") else "[red]") + line + "[/]", highlight=False)


def _record(figures: dict[str, dict[str, Figures]]) -> dict[str, Any]:
    return {name: {part: {"posts": f.n, "lead_recall": round(f.recall, 4), "lead_f1": round(f.f1, 4)}
                   for part, f in parts.items()} for name, parts in figures.items()}


@model_app.command("compare")
def compare(candidate: CandidateArg, current: CurrentOpt = None, dev: DevOpt = DEV_SET, days: DaysOpt = 30) -> None:
    """Measure CANDIDATE against the current model: frozen set and recent (held-out) reviews."""
    console = Console()
    cur, cand, figures, verdict, fair = _comparison(candidate, current, dev, days, console)
    _print(console, cur, cand, figures, verdict, fair)
    console.print("[bold]would be promoted[/]" if verdict.promote else "[bold]would not be promoted[/]")


@model_app.command("promote")
def promote(candidate: CandidateArg, current: CurrentOpt = None, dev: DevOpt = DEV_SET, days: DaysOpt = 30) -> None:
    """Make CANDIDATE the model in use (under the data dir), only if compare's rule says so."""
    console = Console()
    settings = get_settings()
    cur, cand, figures, verdict, fair = _comparison(candidate, current, dev, days, console)
    _print(console, cur, cand, figures, verdict, fair)
    if not verdict.promote:
        console.print(f"[red]not promoted: {cur.version} stays in use[/]", highlight=False)
        raise typer.Exit(1)
    folder = models_dir(settings.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{cand.version}.npz"
    shutil.copyfile(cand.path, folder / name)
    manifest = cand.path.parent / "manifest.json"
    if manifest.exists():
        shutil.copyfile(manifest, folder / f"{cand.version}.manifest.json")
    write_pointer(settings.data_dir, file_name=name, version=cand.version, at=now_shanghai(),
                  figures=_record(figures), previous=cur.version)
    console.print(f"promoted {cand.version}: {folder / name} is the model in use wherever CIVICWATCH_MODEL_PATH "
                  f"is unset (restart running crawls and consoles)", highlight=False)
    if "model_path" in settings.model_fields_set:
        console.print("[yellow]CIVICWATCH_MODEL_PATH is set here: it still wins over the promoted model[/]")


@model_app.command("show")
def show() -> None:
    """Which model is in use, and the last promotion."""
    settings = get_settings()
    found = read_model_file(settings.model_path)
    console = Console()
    console.print(f"model in use: {found.version if found else 'none (keyword-only)'} ({settings.model_path})",
                  highlight=False)
    record = read_pointer(settings.data_dir)
    if record:
        console.print(f"promoted {record['promoted_at']} (previously {record.get('previous')})", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(model_app, name="model")
