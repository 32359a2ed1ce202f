"""`civicwatch classify IN.jsonl -o OUT.jsonl`: the crawler's filter chain over a file (contract 2)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress

from civicwatch.config import get_settings, load_config
from civicwatch.models import DECISIONS, Post

DECISION_FIELDS = ("platform", "post_id", "is_lead", "score", "district", "street", "category", "item",
                   "department", "urgency", "dup_of", "text_masked", "matched", "reasons")


def read_posts(path: Path, errors: Console) -> Iterator[tuple[dict[str, Any], Post]]:
    """Posts of a JSONL file (labelled or not); a bad line is reported with its number and skipped."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                yield row, Post.model_validate(row)
            except (ValueError, ValidationError) as exc:
                first = str(exc).splitlines()[0][:160]
                errors.print(f"[yellow]{path}:{n}: skipped, not a post: {first}[/]", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def classify(
        infile: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="posts, one JSON per line")],
        out: Annotated[Path, typer.Option("-o", "--output", help="decisions, one JSON per line")],
    ) -> None:
        """Run the filter chain on IN and write one decision per post to OUT."""
        from filters.chain import FilterChain

        errors = Console(stderr=True)
        chain = FilterChain.from_config(load_config(get_settings()))
        posts = [post for _, post in read_posts(infile, errors)]
        decisions = [None] * len(posts)
        order = sorted(range(len(posts)), key=lambda i: posts[i].published_at)
        with Progress(console=errors, disable=not sys.stderr.isatty(), transient=True) as progress:
            task = progress.add_task("classifying", total=len(posts))
            for i in order:  # oldest first, so dup_of names the earliest post
                decisions[i] = chain.decide(posts[i])  # type: ignore[call-overload]
                progress.advance(task)
        with open(out, "w", encoding="utf-8") as f:
            for d in decisions:
                f.write(json.dumps(DECISIONS.dump_python(d, include=set(DECISION_FIELDS)), ensure_ascii=False) + "\n")  # type: ignore[union-attr]
        leads = sum(1 for d in decisions if d.is_lead)  # type: ignore[union-attr]
        errors.print(f"{len(decisions)} posts → {leads} leads → {out}")
