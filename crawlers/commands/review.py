"""`civicwatch review`: serve the verification console (FastAPI + uvicorn).

With --relay (the default) a background thread also moves dispatched work orders from the
leads' outbox to the Redis stream every --relay-interval seconds (sinks.stream.Relay), so a
verifier's dispatch reaches the dispatch system without another process; governance
suggestions go the same way and their replies are applied (sinks.suggestions.SuggestionLoop).
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any

import typer
from rich.console import Console

from civicwatch.config import get_settings, load_config

logger = logging.getLogger(__name__)


def _relay_loop(store: Any, redis_url: str, stream: str, interval_s: float, stop: threading.Event) -> None:
    import redis

    from sinks.stream import Relay
    from sinks.suggestions import SuggestionLoop

    client = redis.Redis.from_url(redis_url)
    relay = Relay(store, client, stream=stream)
    suggestions = SuggestionLoop(store.db, client, workorder_stream=stream)
    try:
        while not stop.wait(interval_s):
            try:
                relay.relay_once()
                suggestions.step()
            except Exception:  # keep serving; the outbox keeps the order until the next round
                logger.exception("work-order relay round failed")
    finally:
        client.close()


def register(app: typer.Typer) -> None:
    @app.command()
    def review(
        host: Annotated[str, typer.Option(help="address to bind; keep loopback unless behind a TLS proxy")]
        = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port")] = 8000,
        https_only: Annotated[bool, typer.Option(
            "--https-only", help="mark the session cookie Secure (when served over HTTPS)")] = False,
        relay: Annotated[bool, typer.Option(
            help="also relay dispatched work orders from the outbox to the Redis stream")] = True,
        relay_interval: Annotated[float, typer.Option(help="seconds between relay rounds")] = 2.0,
    ) -> None:
        """Serve the verification console (核实台): queue, lead pages, verify/reject/merge."""
        import uvicorn

        from crawlers.embedded import servers_for
        from review.app import create_app
        from sinks.mongo import Store

        settings = get_settings()
        config = load_config(settings)
        with servers_for(settings) as (mongo_uri, redis_url):
            store = Store(mongo_uri, settings.mongo_db)
            store.ensure_indexes()
            if not store.db["users"].find_one({}):
                Console(stderr=True).print(
                    "[yellow]no console users yet:[/] create one with "
                    "`civicwatch users add NAME --role verifier`")
            stop = threading.Event()
            worker = None
            if relay:
                worker = threading.Thread(target=_relay_loop, name="workorder-relay", daemon=True,
                                          args=(store, redis_url, settings.workorder_stream, relay_interval, stop))
                worker.start()
            web = create_app(config, store, https_only=https_only)
            Console().print(f"核实台 / console: http://{host}:{port}/")
            try:
                uvicorn.run(web, host=host, port=port, log_level=settings.log_level.lower(),
                            proxy_headers=False, server_header=False)
            finally:
                stop.set()
                if worker:
                    worker.join(timeout=10)
