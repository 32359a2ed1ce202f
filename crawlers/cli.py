"""The `civicwatch` command: one Typer app; each sub-command lives in crawlers/commands/<name>.py.

A command module exposes `register(app: typer.Typer) -> None`; modules are discovered, so
adding a command means adding a file.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer
from rich.console import Console

from civicwatch.exceptions import CivicwatchError
from crawlers import commands

app = typer.Typer(
    name="civicwatch",
    help="Watches public platforms for Shenzhen livelihood problems (未诉先办).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(app)


_register_commands()


def main() -> None:
    """Console-script entry: known errors become one red line and the error's own exit code
    (civicwatch/exceptions.py), not a traceback."""
    try:
        app()
    except CivicwatchError as exc:
        # soft_wrap: the message stays one line when stderr is a file or pipe (rich would
        # otherwise wrap it at 80 columns, splitting paths).
        Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
