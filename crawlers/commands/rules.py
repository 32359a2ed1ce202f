"""`civicwatch rules test "text"`: which keyword rules hit, and where."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicwatch.clock import SHANGHAI
from civicwatch.config import get_settings, load_config
from civicwatch.models import Post

rules_app = typer.Typer(help="Keyword rules (config/rules.yaml).", no_args_is_help=True)


@rules_app.command("test")
def test_rules(
    text: Annotated[str, typer.Argument(help="the post text to try")],
    title: Annotated[str | None, typer.Option(help="a title, for title: rules")] = None,
) -> None:
    """Show the rules that hit TEXT, with the matched terms and positions."""
    from filters.rules import RuleSet

    config = load_config(get_settings())  # every file, as any command: a broken one is one line
    path = config.config_dir / "rules.yaml"
    ruleset = RuleSet(config.rules)
    post = Post(platform="test", post_id="0", url="", text=text, title=title,
                published_at=datetime.now(SHANGHAI))
    hits = ruleset.evaluate(post)
    table = Table(title=f"{path}: {len(hits)} of {len(ruleset.rules)} rules hit")
    for col in ("rule", "kind", "where (field:term@position)"):
        table.add_column(col)
    for hit in hits:
        table.add_row(hit.name, hit.kind, ", ".join(f"{f}:{t}@{p}" for f, t, p in hit.where) or "—")
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
