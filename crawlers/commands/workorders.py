"""`civicwatch workorders tail|schema|relay`: watch the work-order stream; run the dispatch link.

DispatchLink is the pair of background loops between the leads and Redis (the outbox relay and
the status back-channel); `workorders relay` runs it in the foreground and `civicwatch review`
beside the console.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Annotated

import redis
import typer
from rich.console import Console
from rich.table import Table

from civicwatch.config import get_settings, load_config
from civicwatch.exceptions import ConfigError, ServerUnavailableError

if TYPE_CHECKING:
    from sinks.leads import LeadService

logger = logging.getLogger(__name__)

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
def schema(status: Annotated[bool, typer.Option(
        "--status", help="the status events' schema instead (docs/status-event.schema.json)")] = False) -> None:
    """Print the work orders' JSON Schema (docs/workorder.schema.json is this output)."""
    from civicwatch.models import status_event_json_schema, work_order_json_schema

    chosen = status_event_json_schema() if status else work_order_json_schema()
    print(json.dumps(chosen, ensure_ascii=False, indent=2, sort_keys=True))


class DispatchLink:
    """Two background loops, each every `interval_s`: relay the leads' outbox to the work-order
    stream (sinks.stream.Relay) and apply the status stream's events (sinks.status.StatusApplier).

    Every console runs one; a Redis lease (sinks.election.Lease, key `<status stream>:link-leader`)
    elects the one that works, so two consoles never relay or apply twice, and another takes
    over within `lease_ttl_s` when the holder stops. A failed round is logged and retried on the
    next one; a server that stops answering is one line per loop when it goes and one when the
    loop works again (no traceback per round); nothing is lost meanwhile (the outbox keeps pending
    work orders, the status stream keeps unacknowledged events). stop() ends both loops and gives
    up the lease.
    """

    def __init__(self, leads: LeadService, client: redis.Redis, *, workorder_stream: str, status_stream: str,
                 interval_s: float, report: Callable[[str, int], None] | None = None,
                 status_dead_letter_stream: str = "civicwatch:workorder-status-dead",
                 lease_ttl_s: float = 15.0) -> None:
        from sinks.election import Lease
        from sinks.status import StatusApplier
        from sinks.stream import Relay
        from sinks.suggestions import SuggestionLoop

        self.relay = Relay(leads, client, workorder_stream)
        self.status = StatusApplier(leads, client, stream=status_stream,
                                    dead_letter_stream=status_dead_letter_stream)
        self.lease = Lease(client, f"{status_stream}:link-leader", ttl_s=lease_ttl_s)
        self.suggestions = SuggestionLoop(leads.store.db, client, workorder_stream=workorder_stream,
                                          status_stream=status_stream,
                                          dead_letter_stream=status_dead_letter_stream)
        self.interval_s = interval_s
        self.report = report
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        rounds: dict[str, Callable[[], int]] = {"workorder-relay": self.relay.relay_once,
                                                "status-applier": self.status.apply_pending,
                                                "suggestions": lambda: sum(self.suggestions.step())}
        for name, round_ in rounds.items():
            thread = threading.Thread(target=self._loop, args=(name, round_), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads.clear()
        self.lease.release()

    def __enter__(self) -> DispatchLink:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _loop(self, name: str, round_: Callable[[], int]) -> None:
        from sinks.servers import SERVER_DOWN_ERRORS, OutageLog

        outage = OutageLog(name, self.interval_s)
        while not self._stop.wait(self.interval_s):
            try:
                if not self.lease.holds():
                    if self.lease.unreachable is not None:  # Redis is down, not another console's turn
                        raise self.lease.unreachable
                    continue  # another console is the deployment's link
                done = round_()
            except (*SERVER_DOWN_ERRORS, ServerUnavailableError) as exc:
                outage.failed(exc)  # expected and retried: one line, not a traceback every round
                continue
            except Exception:  # keep serving; see the class docstring
                logger.exception("%(loop)s round failed", {"loop": name})
                continue
            outage.worked()
            if done and self.report:
                self.report(name, done)


@workorders_app.command()
def relay(interval: Annotated[float, typer.Option(help="seconds between rounds")] = 1.0) -> None:
    """Deliver dispatched work orders to Redis and apply status events, until Ctrl-C or SIGTERM."""
    from sinks.leads import LeadService
    from sinks.mongo import Store
    from sinks.servers import redis_client

    settings = get_settings()
    config = load_config(settings)
    store = Store(_need(settings.mongo_uri, "CIVICWATCH_MONGO_URI"), settings.mongo_db)
    client = redis_client(_need(settings.redis_url, "CIVICWATCH_REDIS_URL"))  # short time-outs
    console = Console()
    what = {"workorder-relay": "work orders relayed", "status-applier": "status events applied"}
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with DispatchLink(LeadService(store, config.catalogue), client, workorder_stream=settings.workorder_stream,
                      status_stream=settings.status_stream, interval_s=interval,
                      status_dead_letter_stream=settings.status_dead_letter_stream,
                      report=lambda loop, n: console.print(f"{n} {what[loop]}")):
        while not stop.wait(1.0):
            pass
    client.close()


def register(app: typer.Typer) -> None:
    app.add_typer(workorders_app, name="workorders")
