"""`civicwatch sources`: health per platform."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from civicwatch.clock import now_shanghai
from civicwatch.config import get_settings
from civicwatch.exceptions import ConfigError

COLOURS = {"ok": "green", "degraded": "yellow", "down": "red"}


def register(app: typer.Typer) -> None:
    @app.command()
    def sources() -> None:
        """Each platform's state (ok / degraded / down), last success, posts, errors, backoff."""
        from sinks.health import HealthStore, local
        from sinks.mongo import Store

        settings = get_settings()
        if not settings.mongo_uri:
            raise ConfigError("set CIVICWATCH_MONGO_URI to the crawl's database", path="environment",
                              field="CIVICWATCH_MONGO_URI")
        health = HealthStore(Store(settings.mongo_uri, settings.mongo_db).db)
        table = Table(title="数据源健康 / source health (时间为北京时间 Asia/Shanghai)")
        # Narrow terminals fold cells onto more lines rather than cutting them off with "…".
        for col in ("platform", "state", "since", "reason", "last success", "posts 1h", "posts 24h",
                    "errors", "backoff"):
            table.add_column(col, overflow="fold")
        for row in health.table(now_shanghai()):
            state = row.get("state", "?")
            table.add_row(row["platform"], f"[{COLOURS.get(state, 'white')}]{state}[/]", local(row.get("since")),
                          row.get("reason", ""), local(row.get("last_success")), str(row["posts_hour"]),
                          str(row["posts_day"]), str(row.get("errors_total", 0)),
                          f"{row.get('backoff_s', 0):.0f} s" if row.get("backoff_s") else "—")
        Console().print(table)
