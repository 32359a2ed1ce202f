"""Sends requests for platform hosts to the local simulator when CIVICWATCH_SIMULATOR is set.

The one place that knows about the simulator: spiders build real platform URLs; this
middleware rewrites scheme, host and port to the simulator's and keeps the platform's host
in the X-Civicwatch-Host header so the simulator knows which platform is asked.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from civicwatch.config.forums import load_forums
from civicwatch.settings import from_scrapy_settings

# Every host a spider requests (docs/platforms.md lists each platform's endpoints).
PLATFORM_HOSTS = frozenset({
    "m.weibo.cn", "weibo.com", "s.weibo.com", "www.douyin.com", "edith.xiaohongshu.com",
    "www.xiaohongshu.com", "www.toutiao.com", "so.toutiao.com", "www.zhihu.com", "tieba.baidu.com",
    "tiebac.baidu.com", "api.bilibili.com", "www.bilibili.com", "www.kuaishou.com", "weixin.sogou.com",
    "liuyan.people.com.cn",
})
HOST_HEADER = "X-Civicwatch-Host"


def to_simulator(url: str, simulator: str, hosts: frozenset[str] = PLATFORM_HOSTS) -> tuple[str, str] | None:
    """(rewritten url, original host) for a platform URL, else None."""
    parts = urlsplit(url)
    if parts.hostname not in hosts:
        return None
    sim = urlsplit(simulator)
    return urlunsplit((sim.scheme, sim.netloc, parts.path, parts.query, "")), parts.hostname or ""


class SimulatorHostMiddleware:
    def __init__(self, simulator: str, hosts: frozenset[str] = PLATFORM_HOSTS) -> None:
        self.simulator = simulator.rstrip("/")
        self.hosts = hosts

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SimulatorHostMiddleware:
        settings = from_scrapy_settings(crawler.settings)
        if not settings.simulator:
            raise NotConfigured
        # Forums defined in YAML bring their own hosts.
        forums = {f.host for f in load_forums(settings.config_dir / "forums")}
        return cls(settings.simulator, PLATFORM_HOSTS | forums)

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | None:
        if HOST_HEADER in request.headers:
            return None
        mapped = to_simulator(request.url, self.simulator, self.hosts)
        if mapped is None:
            return None
        url, host = mapped
        new = request.replace(url=url)
        new.headers[HOST_HEADER] = host
        new.meta.setdefault("platform_url", request.url)
        return new
