"""`civicwatch simulator`: serve a JSONL of posts at the platforms' real paths and shapes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from civicwatch.clock import SHANGHAI
from civicwatch.exceptions import AddressInUseError


def register(app: typer.Typer) -> None:
    @app.command()
    def simulator(
        posts: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="labelled-post JSONL")],
        port: Annotated[int, typer.Option(help="0 picks a free port")] = 0,
        now: Annotated[datetime | None, typer.Option(
            help="the simulator's clock (default: ten minutes after the newest post)")] = None,
        requests_per_round: Annotated[int | None, typer.Option(
            min=1, help="answer a platform's rate-limit response past this many requests per platform "
                        "and polling round (default: no limit)")] = None,
    ) -> None:
        """Serve FILE's posts as the platforms would, until Ctrl-C."""
        from simulator.server import SimulatorServer

        if now is not None and now.tzinfo is None:
            now = now.replace(tzinfo=SHANGHAI)
        try:
            server = SimulatorServer(posts, port=port, now=now, requests_per_round=requests_per_round)
        except AddressInUseError as exc:
            raise AddressInUseError(f"{exc}; choose another --port (0 picks a free one)") from None
        # One line even when stdout is a pipe: scripts read the URL from it.
        Console(soft_wrap=True).print(f"simulator at {server.url} (clock {server.now.isoformat()}); "
                                      f"export CIVICWATCH_SIMULATOR={server.url}", highlight=False)
        server.serve_forever()
