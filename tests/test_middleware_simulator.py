"""SimulatorHostMiddleware: platform hosts go to the simulator when CIVICWATCH_SIMULATOR is set."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawlers.middlewares.simulator import HOST_HEADER, SimulatorHostMiddleware

SIM = "http://127.0.0.1:8999"


@pytest.fixture
def middleware() -> SimulatorHostMiddleware:
    return SimulatorHostMiddleware.from_crawler(get_crawler(Spider, {"CIVICWATCH_SIMULATOR": SIM}))


@pytest.mark.parametrize("url, expected, host", [
    ("https://m.weibo.cn/api/container/getIndex?q=1", f"{SIM}/api/container/getIndex?q=1", "m.weibo.cn"),
    ("https://tieba.baidu.com/f?kw=深圳", f"{SIM}/f?kw=%E6%B7%B1%E5%9C%B3", "tieba.baidu.com"),
    ("https://bbs.example-forum.cn/forum.php?mod=forumdisplay", f"{SIM}/forum.php?mod=forumdisplay",
     "bbs.example-forum.cn"),  # a host from config/forums/*.yaml
])
def test_platform_requests_are_rewritten_and_keep_their_host(middleware: SimulatorHostMiddleware, url: str,
                                                              expected: str, host: str) -> None:
    new = middleware.process_request(Request(url))
    assert new is not None and new.url == expected
    assert new.headers[HOST_HEADER].decode() == host
    assert new.meta["platform_url"] == Request(url).url


def test_other_hosts_and_rewritten_requests_are_left_alone(middleware: SimulatorHostMiddleware) -> None:
    assert middleware.process_request(Request("https://example.org/x")) is None
    once = middleware.process_request(Request("https://m.weibo.cn/x"))
    assert once is not None and middleware.process_request(once) is None


def test_without_a_simulator_the_middleware_is_off() -> None:
    with pytest.raises(NotConfigured):
        SimulatorHostMiddleware.from_crawler(get_crawler(Spider))


def test_forum_hosts_come_from_the_crawls_config_dir(tmp_path: Path) -> None:
    (tmp_path / "forums").mkdir()
    crawler = get_crawler(Spider, {"CIVICWATCH_SIMULATOR": SIM, "CIVICWATCH_CONFIG_DIR": tmp_path})
    middleware = SimulatorHostMiddleware.from_crawler(crawler)
    assert middleware.process_request(Request("https://bbs.example-forum.cn/forum.php")) is None
