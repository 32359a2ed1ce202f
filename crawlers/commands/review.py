"""`civicwatch review`: serve the verification console (FastAPI + uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from crawlers.config import get_settings, load_config


def register(app: typer.Typer) -> None:
    @app.command()
    def review(
        host: Annotated[str, typer.Option(help="address to bind; keep loopback unless behind a TLS proxy")]
        = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port (0 picks a free one)")] = 8000,
        https_only: Annotated[bool, typer.Option(
            "--https-only", help="mark the session cookie Secure (when served over HTTPS)")] = False,
    ) -> None:
        """Serve the verification console (核实台): queue, lead pages, verify/reject/merge."""
        import uvicorn

        from crawlers.embedded import servers_for
        from review.app import create_app
        from sinks.mongo import Store

        settings = get_settings()
        config = load_config(settings)
        with servers_for(settings) as (mongo_uri, _redis_url):
            store = Store(mongo_uri, settings.mongo_db)
            if not store.db["users"].find_one({}):
                Console(stderr=True).print(
                    "[yellow]no console users yet:[/] create one with "
                    "`civicwatch users add NAME --role verifier`")
            web = create_app(config, store, https_only=https_only)
            Console().print(f"核实台 / console: http://{host}:{port}/")
            uvicorn.run(web, host=host, port=port, log_level=settings.log_level.lower(),
                        proxy_headers=False, server_header=False)
