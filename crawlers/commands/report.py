"""`civicwatch report weekly [--week 2026-W48] -o FILE`: the weekly class-case report (类案周报)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from civicwatch.clock import now_shanghai
from civicwatch.config import get_settings, load_config

report_app = typer.Typer(help="Reports for the weekly review meeting (每周一议).", no_args_is_help=True)


@report_app.command()
def weekly(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="the HTML report; the spreadsheet goes beside it (.xlsx)")
    ],
    week: Annotated[
        str | None, typer.Option(help="ISO week, e.g. 2026-W48 (default: the last complete week)")
    ] = None,
    weeks: Annotated[int, typer.Option(help="weeks analysed, ending with --week: 4, 8, 12, 26 or 52")] = 8,
    district: Annotated[str | None, typer.Option(help="one district only, e.g. 南山区")] = None,
    category: Annotated[str | None, typer.Option(help="one catalogue category only, e.g. XF")] = None,
    xlsx: Annotated[
        Path | None, typer.Option(help="where the spreadsheet goes (default: OUTPUT with .xlsx)")
    ] = None,
) -> None:
    """Write the weekly class-case report: a self-contained HTML file with its charts, and a
    spreadsheet of the same tables (top class cases, department performance, recurrences after
    办结, open governance suggestions)."""
    from crawlers.embedded import mongo_for
    from review.casebook import Casebook, Period
    from review.weekly import build, render_html, write_xlsx
    from sinks.mongo import Store

    settings = get_settings()
    config = load_config(settings)
    now = now_shanghai()
    try:
        period = Period.parse(week, weeks, now, district=district, category=category)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--week/--weeks") from None
    sheet = xlsx or output.with_suffix(".xlsx")
    errors = Console(stderr=True)
    with (
        mongo_for(settings) as uri,
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=errors,
            disable=not sys.stderr.isatty(),
            transient=True,
        ) as progress,
    ):
        task = progress.add_task(f"analysing {period.labels[0]}…{period.week}", total=3)
        book = Casebook(config, Store(uri, settings.mongo_db).db, now=lambda: now)
        book.ensure_indexes()
        report = build(book, period, now)
        progress.update(task, advance=1, description="writing HTML")
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render_html(report, config), encoding="utf-8")
        progress.update(task, advance=1, description="writing spreadsheet")
        write_xlsx(report, config, sheet)
        progress.update(task, advance=1)
    a = report.analysis
    errors.print(
        f"{period.week}: {a.total} leads, {len(a.cases)} class cases, {len(a.recurrences)} recurrences, "
        f"{len(a.open_suggestions)} open suggestions → {output}, {sheet}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
