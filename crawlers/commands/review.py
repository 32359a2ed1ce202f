"""`civicwatch review`: serve the verification console (FastAPI + uvicorn).

With --relay (the default) the dispatch link runs beside it in background threads
(crawlers.commands.workorders.DispatchLink): every --relay-interval seconds dispatched work
orders move from the leads' outbox to the Redis stream, and the dispatch system's status events
(签收 / 退单 / 办结) are applied to their leads; governance suggestions go the same way
(sinks.suggestions.SuggestionLoop), so no other process is needed. Both stop when
the console does.
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from civicwatch.config import get_settings, load_config


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def register(app: typer.Typer) -> None:
    @app.command()
    def review(
        host: Annotated[str, typer.Option(help="address to bind; keep loopback unless behind a TLS proxy")]
        = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port")] = 8000,
        https_only: Annotated[bool, typer.Option(
            "--https-only", help="mark the session cookie Secure (when served over HTTPS)")] = False,
        relay: Annotated[bool, typer.Option(
            help="also relay dispatched work orders to the Redis stream and apply the dispatch "
                 "system's status events")] = True,
        relay_interval: Annotated[float, typer.Option(help="seconds between relay and status rounds")] = 2.0,
        metrics_port: Annotated[int | None, typer.Option(
            help="serve Prometheus metrics (failed log-ins) on this loopback port (0 = off)")] = None,
    ) -> None:
        """Serve the verification console (核实台): queue, lead pages, verify/reject/merge."""
        import uvicorn

        from crawlers.commands.workorders import DispatchLink
        from crawlers.embedded import servers_for
        from review.app import create_app
        from review.views.classcases import warm
        from sinks.leads import LeadService
        from sinks.mongo import Store
        from sinks.servers import redis_client
        from sinks.users import UserStore

        settings = get_settings()
        config = load_config(settings)
        if metrics_port:
            from prometheus_client import start_http_server

            start_http_server(metrics_port, addr="127.0.0.1")
        with servers_for(settings) as (mongo_uri, redis_url):
            store = Store(mongo_uri, settings.mongo_db)
            store.ensure_indexes()
            users = UserStore.from_store(store)
            if not users.all():
                Console(stderr=True).print(
                    "[yellow]no console users yet:[/] create one with "
                    "`civicwatch users add NAME --role verifier`")
            leads = LeadService(store, config.catalogue, text_max_chars=settings.review_text_max_chars)
            leads.rebuild_queue()  # ranks for leads stored before the queue had them; recounts if empty
            client = redis_client(redis_url)  # short time-outs
            link = DispatchLink(leads, client, workorder_stream=settings.workorder_stream,
                                status_stream=settings.status_stream, interval_s=relay_interval,
                                status_dead_letter_stream=settings.status_dead_letter_stream)
            if relay:
                link.start()
            web = create_app(config, store, leads=leads, users=users, https_only=https_only, redis=client)
            warm(web.state)
            Console().print(f"核实台 / console: http://{host}:{port}/")
            # uvicorn shuts down gracefully on Ctrl-C / SIGTERM, then raises the signal again with
            # the handler it found: make that an interrupt, so the link stops and we exit 0.
            previous = signal.signal(signal.SIGTERM, _interrupt)
            try:
                uvicorn.run(web, host=host, port=port, log_level=settings.log_level.lower(),
                            proxy_headers=False, server_header=False)
            except KeyboardInterrupt:
                pass
            finally:
                signal.signal(signal.SIGTERM, previous)
                link.stop()
                client.close()
