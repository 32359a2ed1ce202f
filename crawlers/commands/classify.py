"""`civicwatch classify IN.jsonl -o OUT.jsonl`: the crawler's filter chain over a file (contract 2)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress

from civicwatch.config import get_settings, load_config
from civicwatch.exceptions import OutputFileError
from civicwatch.models import DECISIONS, Post

DECISION_FIELDS = ("platform", "post_id", "is_lead", "score", "district", "street", "category", "item",
                   "department", "urgency", "dup_of", "text_masked", "matched", "reasons")
MAX_LINE_BYTES = 1 << 20  # a post is a few KB; a longer line is not one, and is not read whole
STDOUT = Path("-")


def _lines(f: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(number, line) of a binary file; None for a line longer than MAX_LINE_BYTES (skipped unread)."""
    n = 0
    while True:
        line = f.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        n += 1
        if len(line) <= MAX_LINE_BYTES or line.endswith(b"\n"):
            yield n, line
            continue
        while line and not line.endswith(b"\n"):  # the rest of the long line, in bounded pieces
            line = f.readline(MAX_LINE_BYTES)
        yield n, None


def read_posts(path: Path, errors: Console) -> Iterator[tuple[dict[str, Any], Post]]:
    """Posts of a JSONL file (labelled or not); a bad line is reported with its number and skipped:
    not UTF-8, too long, nested too deep for the JSON parser, not JSON, or not a post."""
    with open(path, "rb") as f:
        for n, raw in _lines(f):
            try:
                if raw is None:
                    raise ValueError(f"longer than {MAX_LINE_BYTES} bytes")
                line = raw.decode("utf-8")
                if not line.strip():
                    continue
                row = json.loads(line)
                yield row, Post.model_validate(row)
            except RecursionError:
                errors.print(f"[yellow]{path}:{n}: skipped, not a post: JSON nested too deep[/]", highlight=False)
            except (ValueError, ValidationError) as exc:  # UnicodeDecodeError and JSONDecodeError too
                first = str(exc).splitlines()[0][:160]
                errors.print(f"[yellow]{path}:{n}: skipped, not a post: {first}[/]", highlight=False)


def open_output(out: Path, infile: Path) -> IO[str]:
    """The output opened before any work: a temporary file beside `out` (renamed onto it at the
    end by `finish_output`), or stdout for `-`. Refuses the input itself and unwritable paths."""
    if out == STDOUT:
        return sys.stdout
    if out.exists() and os.path.samefile(out, infile):  # also through a link or another spelling
        raise OutputFileError("is the input file; write the decisions elsewhere", path=str(out))
    if out.is_dir():
        raise OutputFileError("is a directory", path=str(out))
    if out.exists() and not os.access(out, os.W_OK):
        raise OutputFileError("cannot be written: permission denied", path=str(out))
    try:
        return tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=out.parent or ".", prefix=f".{out.name}.",
                                           suffix=".tmp", delete=False)
    except OSError as exc:
        raise OutputFileError(f"cannot be written: {exc.strerror or exc}", path=str(out)) from None


def finish_output(f: IO[str], out: Path) -> None:
    if f is sys.stdout:
        f.flush()
        return
    f.close()
    os.replace(f.name, out)


def register(app: typer.Typer) -> None:
    @app.command()
    def classify(
        infile: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="posts, one JSON per line")],
        out: Annotated[Path, typer.Option("-o", "--output", help="decisions, one JSON per line ('-': stdout)")],
    ) -> None:
        """Run the filter chain on IN and write one decision per post to OUT."""
        from filters.chain import FilterChain

        errors = Console(stderr=True, soft_wrap=True)  # one line per message, whatever the width
        chain = FilterChain.from_config(load_config(get_settings()))
        target = open_output(out, infile)
        try:
            posts = [post for _, post in read_posts(infile, errors)]
            decisions = [None] * len(posts)
            order = sorted(range(len(posts)), key=lambda i: posts[i].published_at)
            with Progress(console=errors, disable=not sys.stderr.isatty(), transient=True) as progress:
                task = progress.add_task("classifying", total=len(posts))
                for i in order:  # oldest first, so dup_of names the earliest post
                    decisions[i] = chain.decide(posts[i])  # type: ignore[call-overload]
                    progress.advance(task)
            for d in decisions:
                target.write(json.dumps(DECISIONS.dump_python(d, include=set(DECISION_FIELDS)),  # type: ignore[arg-type]
                                        ensure_ascii=False) + "\n")
            finish_output(target, out)
        finally:
            if target is not sys.stdout and not target.closed:  # failed midway: leave no temporary file
                target.close()
                os.unlink(target.name)
        leads = sum(1 for d in decisions if d.is_lead)  # type: ignore[union-attr]
        errors.print(f"{len(decisions)} posts → {leads} leads → {'stdout' if out == STDOUT else out}")
