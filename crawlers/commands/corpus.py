"""`civicwatch corpus stats`: what the training corpus holds, so its gaps are visible."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from civicwatch.config import get_settings, load_config
from crawlers.corpus import CORPUS_DIR, corpus_files, read_corpus

corpus_app = typer.Typer(help="The training corpus (data/training/).", no_args_is_help=True)

# An item with fewer posts than this, or written in fewer voices, is marked as a gap.
MIN_POSTS, MIN_VOICES = 8, 5


def _table(title: str, counts: Counter[str], names: dict[str, str] | None = None,
           every: list[str] | None = None) -> Table:
    table = Table(title=title)
    table.add_column(title.split(" ")[-1])
    if names is not None:
        table.add_column("name")
    table.add_column("posts", justify="right")
    for key in every or sorted(counts):
        row = [key] + ([names.get(key, "?")] if names is not None else []) + [str(counts.get(key, 0))]
        table.add_row(*row, style="red" if not counts.get(key) else None)
    return table


def _item_table(rows: list[dict[str, Any]], names: dict[str, str]) -> Table:
    posts: Counter[str] = Counter()
    voices: dict[str, set[str]] = {}
    urgent: Counter[str] = Counter()
    for row in rows:
        label = row["label"]
        if label.get("is_lead") and label.get("item"):
            posts[label["item"]] += 1
            voices.setdefault(label["item"], set()).add(str(label.get("voice")))
            urgent[label["item"]] += label.get("urgency") == "urgent"
    table = Table(title="leads per item")
    for col in ("item", "name", "posts", "voices", "urgent"):
        table.add_column(col, justify="right" if col in ("posts", "voices", "urgent") else "left")
    for code in names:
        n, v = posts.get(code, 0), len(voices.get(code, ()))
        gap = n < MIN_POSTS or v < MIN_VOICES
        table.add_row(code, names[code], str(n), str(v), str(urgent.get(code, 0)),
                      style="red" if gap else None)
    return table


@corpus_app.command("stats")
def stats(
    directory: Annotated[Path, typer.Option(help="corpus folder")] = CORPUS_DIR,
) -> None:
    """Counts per category, item, kind of negative, platform and voice (gaps in red)."""
    console = Console()
    catalogue = load_config(get_settings()).catalogue
    rows = read_corpus(directory)
    leads = [r for r in rows if r["label"].get("is_lead")]
    negatives = [r for r in rows if not r["label"].get("is_lead")]
    console.print(f"{directory}: {len(corpus_files(directory))} files, {len(rows)} posts — "
                  f"{len(leads)} leads, {len(negatives)} negatives, "
                  f"{len({r['label'].get('template') for r in rows})} templates, "
                  f"{len({r['label']['dup_group'] for r in rows if r['label'].get('dup_group')})} incidents")
    console.print(_table("leads per category", Counter(r["label"]["category"] for r in leads),
                         catalogue.categories, every=list(catalogue.categories)))
    console.print(_item_table(rows, {c: i.name for c, i in catalogue.items.items()}))
    console.print(_table("negatives per kind", Counter(str(r["label"].get("kind")) for r in negatives)))
    both = Table(title="posts per platform and voice")
    for col in ("", "leads", "negatives"):
        both.add_column(col, justify="right" if col else "left")
    for field in ("platform", "voice"):
        def value(r: dict[str, Any], field: str = field) -> str:
            return str(r[field] if field == "platform" else r["label"].get(field))
        lead_counts, neg_counts = Counter(map(value, leads)), Counter(map(value, negatives))
        both.add_section()
        for key in sorted(set(lead_counts) | set(neg_counts)):
            both.add_row(f"{field} {key}", str(lead_counts.get(key, 0)), str(neg_counts.get(key, 0)))
    console.print(both)
    urgent = sum(r["label"].get("urgency") == "urgent" for r in leads)
    pii = sum(len(r["label"].get("pii") or []) for r in rows)
    console.print(f"urgent leads {urgent}; personal-data strings {pii} in "
                  f"{sum(bool(r['label'].get('pii')) for r in rows)} posts")


def register(app: typer.Typer) -> None:
    app.add_typer(corpus_app, name="corpus")
