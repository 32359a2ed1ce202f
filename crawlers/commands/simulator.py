"""`civicwatch simulator`: serve a JSONL of posts at the platforms' real paths and shapes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from civicwatch.clock import SHANGHAI


def register(app: typer.Typer) -> None:
    @app.command()
    def simulator(
        posts: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="labelled-post JSONL")],
        port: Annotated[int, typer.Option(help="0 picks a free port")] = 0,
        now: Annotated[datetime | None, typer.Option(
            help="the simulator's clock (default: ten minutes after the newest post)")] = None,
    ) -> None:
        """Serve FILE's posts as the platforms would, until Ctrl-C."""
        from simulator.server import SimulatorServer

        if now is not None and now.tzinfo is None:
            now = now.replace(tzinfo=SHANGHAI)
        server = SimulatorServer(posts, port=port, now=now)
        Console().print(f"simulator at {server.url} (clock {server.now.isoformat()}); "
                        f"export CIVICWATCH_SIMULATOR={server.url}")
        server.serve_forever()
