"""CrawlStateExtension: watermarks handed to the spider, advanced only after a clean crawl."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from civicwatch.clock import SHANGHAI
from civicwatch.models import Post
from crawlers.extensions.crawlstate import CrawlStateExtension
from crawlers.services import Services

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=SHANGHAI)


class WeiboLike(Spider):
    name = "weibo"
    platform = "weibo"


def post(n: int, keyword: str = "噪音") -> Post:
    return Post(platform="weibo", post_id=str(n), url=f"https://m.weibo.cn/detail/{n}", text="x",
                published_at=T0 + timedelta(minutes=n), keyword=keyword)


@pytest.fixture
def crawler(services: Services) -> Crawler:
    crawler = get_crawler(WeiboLike, {"CIVICWATCH_SERVICES": services})
    crawler.spider = crawler._create_spider()
    return crawler


@pytest.fixture
def ext(crawler: Crawler) -> CrawlStateExtension:
    return CrawlStateExtension.from_crawler(crawler)


def test_opened_spider_gets_the_stored_watermarks(ext: CrawlStateExtension,
                                                  crawler: Crawler, services: Services) -> None:
    services.store.advance_watermark("weibo", "噪音", T0)
    ext.spider_opened(crawler.spider)
    assert crawler.spider.watermarks == {"噪音": T0}


def test_a_finished_crawl_advances_each_keyword_to_its_newest_post(ext: CrawlStateExtension,
                                                                   crawler: Crawler, services: Services) -> None:
    ext.spider_opened(crawler.spider)
    for n in (3, 9, 5):
        ext.item_done(post(n), crawler.spider)
    ext.item_done(post(11, "井盖"), crawler.spider)
    ext.spider_closed(crawler.spider, "finished")
    assert services.store.get_watermarks("weibo") == {"噪音": T0 + timedelta(minutes=9),
                                                      "井盖": T0 + timedelta(minutes=11)}


def test_failed_posts_and_cut_paging_keep_the_watermark(ext: CrawlStateExtension,
                                                        crawler: Crawler, services: Services,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    ext.spider_opened(crawler.spider)
    crawler.spider.truncated_keywords = {"井盖"}
    ext.item_done(post(1), crawler.spider)
    ext.item_error(post(2), crawler.spider, failure=None)
    ext.item_done(post(3, "井盖"), crawler.spider)
    ext.spider_closed(crawler.spider, "finished")
    assert services.store.get_watermarks("weibo") == {}
    assert "watermark of weibo/噪音 kept" in caplog.text and "watermark of weibo/井盖 kept" in caplog.text


def test_an_interrupted_crawl_moves_nothing(ext: CrawlStateExtension, crawler: Crawler, services: Services,
                                            caplog: pytest.LogCaptureFixture) -> None:
    ext.spider_opened(crawler.spider)
    ext.item_done(post(1), crawler.spider)
    ext.spider_closed(crawler.spider, "shutdown")
    assert services.store.get_watermarks("weibo") == {}
    assert "weibo closed (shutdown): watermarks kept" in caplog.text
