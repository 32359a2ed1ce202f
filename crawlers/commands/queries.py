"""`civicwatch queries`: the query planner's view of each platform (crawlers/planning.py)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicwatch.config import get_settings, load_config
from civicwatch.exceptions import ConfigError
from civicwatch.queries import KINDS


def register(app: typer.Typer) -> None:
    @app.command()
    def queries(
        platform: Annotated[str | None, typer.Option(
            help="one platform, e.g. weibo (default: every enabled planned one)")] = None,
        limit: Annotated[int, typer.Option(min=1, help="rows of the next round's plan to show")] = 25,
    ) -> None:
        """The next round's queries, each query's yield and when it was last asked, the budget used."""
        from crawlers.planning import planned, view_plan
        from sinks.mongo import Store
        from sinks.planner import PlannerStore

        settings = get_settings()
        if not settings.mongo_uri:
            raise ConfigError("set CIVICWATCH_MONGO_URI to the crawl's database", path="environment",
                              field="CIVICWATCH_MONGO_URI")
        config = load_config(settings)
        known = {n: p for n, p in config.platforms.platforms.items() if planned(p)}
        if platform is not None and platform not in known:
            raise ConfigError(f"no planned platform {platform!r}; planned: {', '.join(sorted(known))}",
                              path=str(config.config_dir / "platforms.yaml"))
        names = [platform] if platform else [n for n, p in known.items() if p.enabled]
        store = PlannerStore(Store(settings.mongo_uri, settings.mongo_db).db)
        console = Console()
        for name in names:
            view = view_plan(store, config, name, known[name])
            last = view.last
            used = (f"last round {last.round}: {last.requests}/{last.budget} requests, {last.leads} leads"
                    + (f", {last.cut} cut by the budget" if last.cut else "")) if last else "not crawled yet"
            table = Table(title=f"{name} · 下一轮 / round {view.round_no} · {used}")
            for col in ("query", "kind", "why", "expected req.", "yield (leads/req.)", "asks", "requests",
                        "leads", "last asked"):
                table.add_column(col, justify="right" if col not in ("query", "kind", "why") else "left")
            for p in view.next.planned[:limit]:
                s = view.states[p.query]
                table.add_row(p.query, p.kind, p.reason, f"{p.expected_requests:g}", f"{view.yields[p.query]:.3f}",
                              str(s.asks), str(s.requests), str(s.leads),
                              f"round {s.last_asked_round}" if s.last_asked_round else "never")
            console.print(table)
            more = len(view.next.planned) - limit
            expected = sum(p.expected_requests for p in view.next.planned)
            console.print(f"  {len(view.next.planned)} queries planned{f' ({more} not shown)' if more > 0 else ''}, "
                          f"~{expected:.0f} of {view.next.budget} requests; coverage needs "
                          f"{view.next.coverage_needed:g} a round", highlight=False)
            kinds = Table(title=f"{name} · by kind")
            for col in ("kind", "queries", "asked", "requests", "leads", "leads/100 req."):
                kinds.add_column(col, justify="left" if col == "kind" else "right")
            figures = view.by_kind()
            for kind in sorted(figures, key=lambda k: KINDS.index(k) if k in KINDS else len(KINDS)):
                n, asked, req, leads = figures[kind]
                rate = f"{100 * leads / req:.1f}" if req else "—"
                kinds.add_row(kind, str(n), str(asked), str(req), str(leads), rate)
            console.print(kinds)
