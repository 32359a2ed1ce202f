"""`civicwatch worker`: an extra process that takes requests from the shared crawl in Redis."""

from __future__ import annotations

from typing import Annotated

import typer

from civicwatch.config import get_settings, load_config
from civicwatch.exceptions import ConfigError


def register(app: typer.Typer) -> None:
    @app.command()
    def worker(
        platforms: Annotated[str | None, typer.Option(help="comma-separated platforms to work for")] = None,
    ) -> None:
        """Download and parse requests queued by `civicwatch run` (with CIVICWATCH_SCALE_OUT=1)."""
        from scrapy.crawler import AsyncCrawlerProcess

        from crawlers.commands.run import select_platforms
        from crawlers.crawl import create_platform_crawler, project_settings
        from crawlers.scaleout import scale_out_settings
        from crawlers.services import Services

        settings = get_settings()
        if not (settings.redis_url and settings.mongo_uri):
            raise ConfigError("a worker shares the crawl's servers: set CIVICWATCH_MONGO_URI and "
                              "CIVICWATCH_REDIS_URL (e.g. from `civicwatch embedded up`)",
                              path="environment")
        config = load_config(settings)
        selected = select_platforms(config, platforms)
        with Services(settings, config) as services:
            overrides = {**services.scrapy_settings(), **scale_out_settings(settings.redis_url),
                         "CIVICWATCH_WORKER": True}
            process = AsyncCrawlerProcess(project_settings(overrides))
            for name, platform in selected.items():
                crawler = create_platform_crawler(process, name, platform, settings.time_scale)
                process.crawl(crawler, keywords=[], since=None, max_pages=platform.max_pages)
            process.start()  # until Ctrl-C / SIGTERM
