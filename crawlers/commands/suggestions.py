"""`civicwatch suggestions list|relay|schema`: governance suggestions (治理建议) to departments."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicwatch.clock import now_shanghai
from civicwatch.config import get_settings
from civicwatch.exceptions import ConfigError

suggestions_app = typer.Typer(help="Governance suggestions (治理建议) raised from class cases.",
                              no_args_is_help=True)
STATE_NAMES = {"raised": "已发出", "received": "已收到", "adopted": "已采纳", "declined": "不采纳",
               "rectified": "已整改"}


def _need(value: str | None, name: str) -> str:
    if not value:
        raise ConfigError(f"set {name} (e.g. from `civicwatch embedded up`)", path="environment", field=name)
    return value


@suggestions_app.command()
def schema(reply: Annotated[bool, typer.Option("--reply", help="the reply's schema instead")] = False) -> None:
    """Print the JSON Schema of suggestions (docs/suggestion.schema.json) or of their replies
    (--reply: docs/suggestion-reply.schema.json)."""
    from civicwatch.models import GovernanceSuggestion, SuggestionReply, suggestion_json_schema

    model = SuggestionReply if reply else GovernanceSuggestion
    print(json.dumps(suggestion_json_schema(model), ensure_ascii=False, indent=2, sort_keys=True))


@suggestions_app.command("list")
def list_(all_: Annotated[bool, typer.Option("--all", help="closed ones too")] = False) -> None:
    """Open suggestions (or all), overdue ones marked."""
    from sinks.mongo import Store
    from sinks.suggestions import SuggestionStore

    settings = get_settings()
    store = SuggestionStore(Store(_need(settings.mongo_uri, "CIVICWATCH_MONGO_URI"), settings.mongo_db).db)
    now = now_shanghai()
    records = store.open() if not all_ else [store.get(d["_id"]) for d in store.suggestions.find({}, {"_id": 1})]
    table = Table(title="治理建议 / governance suggestions")
    for col in ("id", "case", "department", "deadline", "state", ""):
        table.add_column(col)
    for r in records:
        if r is None:
            continue
        d = r.document
        table.add_row(d.suggestion_id, d.title, d.agency_responsible, d.deadline.isoformat(),
                      STATE_NAMES.get(r.state, r.state), "[red]逾期[/]" if r.overdue(now) else "")
    Console().print(table)


@suggestions_app.command()
def relay(interval: Annotated[float, typer.Option(help="seconds between rounds")] = 1.0) -> None:
    """Send raised suggestions to the work-order stream and apply replies, until Ctrl-C."""
    from sinks.mongo import Store
    from sinks.servers import SERVER_DOWN_ERRORS, OutageLog, redis_client
    from sinks.suggestions import SuggestionLoop

    settings = get_settings()
    db = Store(_need(settings.mongo_uri, "CIVICWATCH_MONGO_URI"), settings.mongo_db).db
    client = redis_client(_need(settings.redis_url, "CIVICWATCH_REDIS_URL"))  # short time-outs
    loop = SuggestionLoop(db, client, workorder_stream=settings.workorder_stream,
                          status_stream=settings.status_stream,
                          dead_letter_stream=settings.status_dead_letter_stream)
    console = Console()
    outage = OutageLog("suggestions relay", interval)
    try:
        while True:
            try:
                sent, applied = loop.step()
            except SERVER_DOWN_ERRORS as exc:  # retried: nothing is lost (the outbox, pending replies)
                outage.failed(exc)
            else:
                outage.worked()
                if sent or applied:
                    console.print(f"sent {sent} suggestions, applied {applied} replies")
            time.sleep(interval)
    except KeyboardInterrupt:
        pass


def register(app: typer.Typer) -> None:
    app.add_typer(suggestions_app, name="suggestions")
