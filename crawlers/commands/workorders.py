"""`civicwatch workorders tail|relay`: watch the work-order stream; run the outbox relay."""

from __future__ import annotations

import json
import time
from typing import Annotated

import redis
import typer
from rich.console import Console
from rich.table import Table

from civicwatch.config import get_settings
from civicwatch.exceptions import ConfigError

workorders_app = typer.Typer(help="The work-order stream to the dispatch system.", no_args_is_help=True)


def _need(value: str | None, name: str) -> str:
    if not value:
        raise ConfigError(f"set {name} (e.g. from `civicwatch embedded up`)", path="environment", field=name)
    return value


@workorders_app.command()
def tail(count: Annotated[int, typer.Option(help="entries to show")] = 20) -> None:
    """Show the newest entries of the work-order stream."""
    settings = get_settings()
    client = redis.Redis.from_url(_need(settings.redis_url, "CIVICWATCH_REDIS_URL"))
    table = Table(title=settings.workorder_stream)
    for col in ("entry", "work order", "item", "department", "urgency", "district", "verified by"):
        table.add_column(col)
    for entry_id, fields in reversed(client.xrevrange(settings.workorder_stream, count=count)):
        doc = json.loads(fields.get(b"document", b"{}"))
        table.add_row(entry_id.decode(), doc.get("service_request_id", "?"), doc.get("service_code", ""),
                      doc.get("department", ""), doc.get("urgency", ""), doc.get("district") or "—",
                      doc.get("verified_by", ""))
    Console().print(table)


@workorders_app.command()
def schema() -> None:
    """Print the work orders' JSON Schema (docs/workorder.schema.json is this output)."""
    from civicwatch.models import work_order_json_schema

    print(json.dumps(work_order_json_schema(), ensure_ascii=False, indent=2, sort_keys=True))


@workorders_app.command()
def relay(interval: Annotated[float, typer.Option(help="seconds between outbox scans")] = 1.0) -> None:
    """Deliver dispatched work orders to Redis and apply status events, until Ctrl-C."""
    from sinks.mongo import Store
    from sinks.status import StatusApplier
    from sinks.stream import Relay

    settings = get_settings()
    store = Store(_need(settings.mongo_uri, "CIVICWATCH_MONGO_URI"), settings.mongo_db)
    client = redis.Redis.from_url(_need(settings.redis_url, "CIVICWATCH_REDIS_URL"))
    outbox = Relay(store, client, settings.workorder_stream)
    status = StatusApplier(store, client, stream=settings.status_stream)
    console = Console()
    try:
        while True:
            sent = outbox.relay_once()
            try:
                applied = status.apply_pending(block_ms=None)
            except redis.RedisError:
                applied = 0
            if sent or applied:
                console.print(f"relayed {sent} work orders, applied {applied} status events")
            time.sleep(interval)
    except KeyboardInterrupt:
        pass


def register(app: typer.Typer) -> None:
    app.add_typer(workorders_app, name="workorders")
