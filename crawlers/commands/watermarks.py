"""`civicwatch watermarks list|reset`: where each platform's incremental crawl has got to."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicwatch.config import get_settings, load_config

watermarks_app = typer.Typer(help="Crawl watermarks: the newest post already read per platform and keyword.",
                             no_args_is_help=True)


def _store():  # type: ignore[no-untyped-def]
    from crawlers.embedded import mongo_for

    return mongo_for(get_settings())


@watermarks_app.command("list")
def list_watermarks(
    platform: Annotated[str | None, typer.Option(help="only this platform")] = None,
) -> None:
    """Each platform and keyword with the newest post time already read (Asia/Shanghai)."""
    from sinks.mongo import Store

    settings = get_settings()
    with _store() as uri:
        rows = Store(uri, settings.mongo_db).list_watermarks(platform)
    table = Table(title=f"水位线 / watermarks ({len(rows)}, 时间为北京时间 Asia/Shanghai)")
    for col in ("platform", "keyword", "watermark"):
        table.add_column(col, overflow="fold")
    for row in rows:
        mark = row["watermark"]
        table.add_row(row["platform"], row["keyword"], mark.strftime("%Y-%m-%d %H:%M:%S") if mark else "—")
    Console().print(table)


@watermarks_app.command("reset")
def reset(
    platform: Annotated[str, typer.Argument(help="the platform whose watermarks to forget")],
    keyword: Annotated[str | None, typer.Option(help="only this keyword (query)")] = None,
) -> None:
    """Forget PLATFORM's watermarks: its next round reads back as far as `run --since` again
    (posts already seen are still dropped by the seen-set, so nothing is stored twice)."""
    from civicwatch.exceptions import ConfigError
    from sinks.mongo import Store

    settings = get_settings()
    config = load_config(settings)
    if platform not in config.platforms.platforms:
        raise ConfigError(f"unknown platform {platform!r}; known: {', '.join(sorted(config.platforms.platforms))}",
                          path=str(config.config_dir / "platforms.yaml"))
    with _store() as uri:
        gone = Store(uri, settings.mongo_db).reset_watermarks(platform, keyword)
    what = f"{platform}/{keyword}" if keyword else platform
    Console().print(f"forgot {gone} watermark(s) of {what}; the next round reads back to --since "
                    f"(default CIVICWATCH_SINCE={settings.since})", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(watermarks_app, name="watermarks")
