"""`civicwatch explain "text"`: the whole chain's decision on one text, with every step's evidence."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from civicwatch.clock import SHANGHAI
from civicwatch.config import get_settings, load_config
from civicwatch.models import DROP_REASONS, Post

# Context fields that only carry the step's plumbing; the table shows what they led to instead.
HIDDEN = {"found", "dropped_by"}


def show(value: Any) -> str:
    """A context value in one short line: dataclasses and models by their non-empty fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    elif hasattr(value, "model_dump"):
        parts = value.model_dump()
    elif hasattr(value, "__slots__"):
        parts = {n: getattr(value, n) for n in value.__slots__}
    else:
        return str(value)
    return ", ".join(f"{k}={v}" for k, v in parts.items() if v not in (None, "", [], ()))


def evidence(changes: dict[str, Any], earlier: dict[str, Any]) -> list[str]:
    """One line per changed field; a list that grew shows only what the step added."""
    lines = []
    for name, value in changes.items():
        if name in HIDDEN:
            continue
        old = earlier.get(name)
        if isinstance(value, list) and isinstance(old, list) and value[:len(old)] == old:
            value = value[len(old):]
            lines.append(f"{name} + " + "；".join(map(str, value)))
        else:
            lines.append(f"{name} = {show(value)}")
    return lines


def register(app: typer.Typer) -> None:
    @app.command()
    def explain(
        text: Annotated[str, typer.Argument(help="the post text to decide")],
        title: Annotated[str | None, typer.Option(help="the post's title, if it has one")] = None,
        platform: Annotated[str, typer.Option(help="the platform the post is from")] = "weibo",
    ) -> None:
        """Run TEXT through the filter chain as a crawled post and print what every step found."""
        from filters.chain import FilterChain

        config = load_config(get_settings())
        chain = FilterChain.from_config(config)
        post = Post(platform=platform, post_id="explain", url="", text=text, title=title,
                    published_at=datetime.now(SHANGHAI))
        decision, traces = chain.trace(post)
        table = Table(title="每一步的依据 / evidence per step", show_lines=True)
        table.add_column("step")
        table.add_column("evidence", overflow="fold")
        seen: dict[str, Any] = {}
        for trace in traces:
            if not trace.ran:
                table.add_row(trace.step, "[dim]skipped: screened out earlier[/]")
                continue
            lines = evidence(trace.changes, seen)
            table.add_row(trace.step, escape("\n".join(lines)) if lines else "[dim]nothing new[/]")
            seen.update(trace.changes)
        console = Console()
        console.print(table)
        if decision.is_lead:
            console.print(f"[bold green]线索 / lead[/] score {decision.score:.2f}: {decision.item} "
                          f"({decision.category}, {decision.department}, {decision.urgency}) at "
                          f"{decision.district or '?'} {decision.street or ''}", highlight=False)
            console.print(f"masked text: {escape(decision.text_masked)}", highlight=False)
        else:
            reason = decision.drop_reason or "undecided"
            console.print(f"[bold yellow]不是线索 / not a lead[/]: {reason} ({DROP_REASONS.get(reason, '')})",
                          highlight=False)
