"""PlatformSpider: what every civicwatch spider shares.

Keyword-driven (spider argument `keywords`, default config/platforms.yaml under the
CIVICWATCH_CONFIG_DIR setting), incremental (`watermarks`, filled by
crawlers.extensions.crawlstate, plus the `since` lower bound), and honest about trouble: every
response is classified into an outcome (docs/platforms.md, "Outcomes, health and backoff")
counted as `source/outcome/<outcome>` and sent as the `source_outcome` signal; a malformed body
is logged with platform and URL and counted, never fatal.
"""

from __future__ import annotations

import email.utils
import json
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from civicwatch import signals
from civicwatch.clock import now_shanghai
from civicwatch.config import PlatformConfig, get_settings, load_platforms
from civicwatch.models import Post

logger = logging.getLogger(__name__)

HEALTHY = frozenset({"ok", "empty", "end", "not_found"})
# Request meta: the key (`platform:post_id`) of the one post a detail request reads, so a
# downloader middleware (crawlers/middlewares/seen.py) can skip posts already handled.
POST_KEY_META = "civicwatch_post_key"


class PlatformSpider(scrapy.Spider):
    platform: str = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        # Defaults (keywords, boards, forum definitions) come from the crawl's config directory.
        kwargs.setdefault("config_dir", crawler.settings.get("CIVICWATCH_CONFIG_DIR"))
        return super().from_crawler(crawler, *args, **kwargs)

    def __init__(self, keywords: Iterable[str] | str | None = None, since: str | None = None,
                 max_pages: int | str | None = None, watermarks: dict[str, datetime] | None = None,
                 config_dir: str | Path | None = None, watermark_overlap_minutes: float | str = 0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.platform = self.platform or self.name
        self.config_dir = Path(config_dir) if config_dir else get_settings().config_dir
        if keywords is None:
            platform = self.platform_config()
            keywords = platform.keywords if platform else []
        if isinstance(keywords, str):
            keywords = [k.strip() for k in keywords.split(",") if k.strip()]
        self.keywords: list[str] = list(keywords or [])
        self.since = datetime.fromisoformat(since) if since else None
        self.max_pages = int(max_pages) if max_pages else 10
        self.watermarks: dict[str, datetime] = dict(watermarks or {})
        self.truncated_keywords: set[str] = set()
        # Posts indexed late appear behind newer ones: re-read a little past each watermark.
        self.overlap = timedelta(minutes=float(watermark_overlap_minutes or 0))

    def platform_config(self) -> PlatformConfig | None:
        """This platform's entry in platforms.yaml (used only for defaults not given as arguments)."""
        return load_platforms(self.config_dir / "platforms.yaml").platforms.get(self.platform)

    # --- incremental paging ----------------------------------------------------------------

    def watermark_for(self, keyword: str) -> datetime | None:
        stored = self.watermarks.get(keyword)
        marks = [m for m in (stored - self.overlap if stored else None, self.since) if m is not None]
        return max(marks) if marks else None

    def keep_paging(self, keyword: str, page: int, posts: list[Post], has_next: bool,
                    max_pages: int | None = None) -> bool:
        """Next page only while this one was all newer than the watermark. A cut at the page
        limit marks the keyword truncated, so its watermark does not move past unread posts."""
        limit = min(self.max_pages, max_pages or self.max_pages)
        mark = self.watermark_for(keyword)
        if not has_next or not posts:
            return False
        if mark is not None and min(p.published_at for p in posts) <= mark:
            return False
        if page >= limit:
            self.truncated_keywords.add(keyword)
            logger.warning("%s: %r cut at max_pages=%d before reaching the watermark",
                           self.platform, keyword, limit)
            return False
        return True

    def new_posts(self, keyword: str, posts: list[Post]) -> list[Post]:
        mark = self.watermark_for(keyword)
        return [p for p in posts if mark is None or p.published_at > mark]

    # --- outcomes --------------------------------------------------------------------------

    def record_outcome(self, outcome: str, response: Response | Request, evidence: str = "") -> None:
        """Count and signal one answer's outcome (a failed request stands for its answer)."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"source/outcome/{outcome}")
        if outcome not in HEALTHY:
            logger.warning("%s: %s at %s %s", self.platform, outcome,
                           response.meta.get("platform_url", response.url), evidence[:200])
        if outcome == "malformed":
            self.crawler.stats.inc_value("parse/error_count")
        self.crawler.signals.send_catch_log(signals.source_outcome, platform=self.platform, outcome=outcome,
                                            url=response.meta.get("platform_url", response.url),
                                            evidence=evidence[:500])

    def refused(self, response: Response) -> bool:
        """Record and say so when the HTTP status itself is a block (429/432/418, 401/403)."""
        if response.status in (418, 429, 432):
            self.record_outcome("rate_limited", response, f"HTTP {response.status}")
            return True
        if response.status in (401, 403):
            self.record_outcome("blocked", response, f"HTTP {response.status}")
            return True
        return False

    def json_body(self, response: Response) -> dict[str, Any] | None:
        """The parsed JSON object (every platform answers with one), or None once the reason
        there is none is recorded."""
        if self.refused(response):
            return None
        try:
            body = json.loads(response.text)
        except ValueError as exc:
            self.record_outcome("malformed", response, f"not JSON: {exc}")
            return None
        if not isinstance(body, dict):
            self.record_outcome("malformed", response, f"JSON is not an object: {str(body)[:100]}")
            return None
        return body

    @staticmethod
    def fetch_time(response: Response) -> datetime:
        """When the platform answered (its Date header), for relative times like `5分钟前`."""
        raw = response.headers.get("Date")
        if raw:
            try:
                return email.utils.parsedate_to_datetime(raw.decode()).astimezone(now_shanghai().tzinfo)
            except (TypeError, ValueError):
                pass
        return now_shanghai()

    def search_request(self, keyword: str, page: int) -> scrapy.Request:
        raise NotImplementedError

    async def start(self) -> AsyncIterator[Any]:
        for keyword in self.keywords:
            yield self.search_request(keyword, 1)
