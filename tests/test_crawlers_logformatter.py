"""Item log lines hold no post text or personal data: failing and dropped items are named by
platform:post_id (crawlers/logformatter.py, issue 16, item 8). Posts full of personal data go
through a real in-process crawl whose store fails, and the captured log is searched for them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, field_validator
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.reactor import is_reactor_installed
from scrapy.utils.test import get_crawler

from civicwatch.clock import SHANGHAI
from civicwatch.models import Post
from crawlers import settings as project_settings

pytestmark = pytest.mark.faults

NOW = datetime(2026, 11, 20, 22, 0, tzinfo=SHANGHAI)
# What must never reach a log: each a piece of personal data or of the post's own words.
SECRETS = ("13812345678", "1234-5678", "44030619870923481X", "6222021001123456789", "粤B7K3M2",
           "陈国平", "赵丽萍", "zhangsan@example.com", "深圳小王", "楼下KTV每晚唱到凌晨三点", "天天占道",
           "南山区井盖丢了", "3号楼电梯困人", "李建华", "83123456")
TEXTS = [
    "楼下KTV每晚唱到凌晨三点，房东陈国平电话13812345678，身份证44030619870923481X",
    "业主代表：赵丽萍，卡号6222021001123456789，车牌粤B7K3M2天天占道，邮箱zhangsan@example.com",
    "转发//@深圳小王:南山区井盖丢了 联系 +86 138-1234-5678",
    "3号楼电梯困人，物业经理李建华说明天修，电话0755-83123456",
]


def _posts() -> list[Post]:
    return [Post(platform="weibo", post_id=f"p{i}", url=f"https://m.weibo.cn/detail/p{i}", author="深圳小王",
                 title="房东陈国平欠薪", text=text, published_at=NOW - timedelta(minutes=i), fetched_at=NOW)
            for i, text in enumerate(TEXTS)]


class PersonalDataSpider(Spider):
    name = "personal_data"

    async def start(self) -> AsyncIterator[Any]:
        for post in _posts():
            yield post


class _Row(BaseModel):
    phone: int

    @field_validator("phone", mode="before")
    @classmethod
    def _digits(cls, value: Any) -> Any:
        return value


class FailingStore:
    """A store that breaks the worst way: its errors quote the post (as validation errors do)."""

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if item.post_id == "p0":
            raise RuntimeError(f"cannot store {item.text}")
        if item.post_id == "p1":
            _Row.model_validate({"phone": item.text})  # pydantic quotes input_value
        if item.post_id == "p2":
            raise DropItem(f"not a lead: {item.key} ({item.text})")
        return item  # p3 is scraped


def _crawl(settings: dict[str, Any]) -> None:
    if is_reactor_installed():
        pytest.skip("a Twisted reactor is installed in this process; the in-process crawl runs reactorless")

    async def crawl() -> None:
        crawler = get_crawler(PersonalDataSpider, {
            "ITEM_PIPELINES": {f"{__name__}.FailingStore": 100}, "EXTENSIONS": {},
            "LOG_LEVEL": "DEBUG", "DEFAULT_DROPITEM_LOG_LEVEL": "WARNING", **settings})
        await crawler.crawl_async()

    asyncio.run(crawl())


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.DEBUG)
    return caplog


def test_failing_and_dropped_items_are_named_by_id_only(log: pytest.LogCaptureFixture) -> None:
    # The project's setting (Scrapy's own formatter where it names none).
    _crawl({"LOG_FORMATTER": getattr(project_settings, "LOG_FORMATTER", "scrapy.logformatter.LogFormatter")})
    text = log.text
    assert "Error processing weibo:p0" in text and "Error processing weibo:p1" in text
    assert "Dropped weibo:p2: not a lead: weibo:p2" in text
    assert "Scraped weibo:p3 from" in text
    assert "Traceback (most recent call last)" in text and "RuntimeError: cannot store" in text
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"the log holds {leaked}"


def test_scrapys_own_formatter_would_leak(log: pytest.LogCaptureFixture) -> None:
    """The same crawl with Scrapy's LogFormatter: proves the search above can find a leak."""
    _crawl({"LOG_FORMATTER": "scrapy.logformatter.LogFormatter"})
    assert "13812345678" in log.text and "陈国平" in log.text


def test_item_key_of_each_item_kind() -> None:
    from crawlers.logformatter import item_key

    post = _posts()[0]
    assert item_key(post) == "weibo:p0"
    assert item_key({"platform": "tieba", "post_id": "9", "text": "x"}) == "tieba:9"
    assert item_key(["text"]) == "<list>"


class DownStore:
    """A store whose server stopped answering: a real refused connection (nothing listens on port 1)."""

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        import redis

        redis.Redis(port=1, socket_connect_timeout=1, retry=None).zscore("civicwatch:seen", item.key)
        return item


def test_an_item_failed_by_a_down_server_is_one_line_without_a_traceback(log: pytest.LogCaptureFixture) -> None:
    _crawl({"ITEM_PIPELINES": {f"{__name__}.DownStore": 100},
            "LOG_FORMATTER": getattr(project_settings, "LOG_FORMATTER", "scrapy.logformatter.LogFormatter")})
    lines = [r.getMessage() for r in log.records if r.name == "scrapy.core.scraper"]
    assert len(lines) == len(TEXTS), lines
    assert all(line.startswith("Error processing weibo:p") and "Redis is not answering (" in line for line in lines)
    assert "Traceback" not in log.text
    assert not [s for s in SECRETS if s in log.text]
