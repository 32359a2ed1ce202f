"""`civicwatch embedded up`: the embedded servers in the foreground, for use from other shells."""

from __future__ import annotations

import contextlib
import signal
import threading

import typer
from rich.console import Console

from civicwatch.config import get_settings

embedded_app = typer.Typer(help="Embedded MongoDB-wire and Redis servers.", no_args_is_help=True)


@embedded_app.command("up")
def up() -> None:
    """Start both servers under CIVICWATCH_DATA_DIR and print the variables to use; Ctrl-C stops them."""
    from crawlers.embedded import EmbeddedServers

    settings = get_settings()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with EmbeddedServers(settings.data_dir) as servers:
        console = Console()
        console.print(f"CIVICWATCH_MONGO_URI={servers.mongo_uri}", highlight=False, soft_wrap=True)
        console.print(f"CIVICWATCH_REDIS_URL={servers.redis_url}", highlight=False, soft_wrap=True)
        console.print(f"[dim]data under {settings.data_dir.resolve()}; Ctrl-C stops both[/]")
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


def register(app: typer.Typer) -> None:
    app.add_typer(embedded_app, name="embedded")
