"""`civicwatch watermarks list|reset`, and a round that reads nothing new saying how to read again,
on the real MongoDB-wire server and the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from typer.testing import CliRunner

from civicwatch.clock import SHANGHAI
from crawlers.cli import app
from crawlers.commands.run import stale_watermark_hints
from crawlers.poller import RoundResult
from crawlers.services import Services
from simulator.server import SimulatorServer
from tests.conftest import crawl_platform
from tests.test_crawl import POSTS, SINCE


@pytest.fixture
def sim() -> Iterator[SimulatorServer]:
    server = SimulatorServer(POSTS).start()
    yield server
    server.stop()


def cli(services: Services, *args: str) -> str:
    env = {"CIVICWATCH_MONGO_URI": services.settings.mongo_uri, "CIVICWATCH_MONGO_DB": services.settings.mongo_db,
           "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["watermarks", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_list_shows_what_the_crawl_wrote_and_reset_forgets_it(services: Services, sim: SimulatorServer) -> None:
    crawl_platform(services, "weibo", sim.url, SINCE)
    marks = services.store.get_watermarks("weibo")
    assert marks
    listed = cli(services, "list", "--platform", "weibo")
    for keyword, mark in marks.items():
        assert keyword in listed and mark.strftime("%Y-%m-%d %H:%M:%S") in listed
    one = sorted(marks)[0]
    assert "forgot 1 watermark(s) of weibo/" in cli(services, "reset", "weibo", "--keyword", one)
    assert set(services.store.get_watermarks("weibo")) == set(marks) - {one}
    assert f"forgot {len(marks) - 1} watermark(s) of weibo" in cli(services, "reset", "weibo")
    assert services.store.get_watermarks("weibo") == {}


def test_after_a_reset_the_next_round_reads_back_and_stores_nothing_twice(
        services: Services, sim: SimulatorServer) -> None:
    first = crawl_platform(services, "weibo", sim.url, SINCE)
    leads = services.store.leads.count_documents({})
    services.store.reset_watermarks("weibo")
    again = crawl_platform(services, "weibo", sim.url, SINCE)
    assert again.stats["civicwatch/posts_count"] == first.stats["civicwatch/posts_count"]
    assert again.stats["civicwatch/dropped/seen"] == again.stats["civicwatch/posts_count"]
    assert services.store.leads.count_documents({}) == leads


def test_an_unknown_platform_is_refused(services: Services) -> None:
    result = CliRunner().invoke(app, ["watermarks", "reset", "myspace"],
                                env={"CIVICWATCH_MONGO_URI": services.settings.mongo_uri})
    assert result.exit_code != 0 and "unknown platform 'myspace'" in str(result.exception)


def test_a_round_with_nothing_new_past_its_watermarks_says_how_to_read_again() -> None:
    mark = datetime(2026, 11, 30, 9, 15, tzinfo=SHANGHAI)
    idle = RoundResult("weibo", ok=True, stats={"civicwatch/posts_count": 4, "civicwatch/dropped/seen": 4})
    busy = RoundResult("tieba", ok=True, stats={"civicwatch/posts_count": 9, "civicwatch/dropped/seen": 2})
    fresh = RoundResult("zhihu", ok=True, stats={})  # nothing read, but never crawled before
    failed = RoundResult("douyin", ok=False, stats={}, error="blocked×1")
    hints = stale_watermark_hints([idle, busy, fresh, failed],
                                  {"weibo": [mark], "tieba": [mark], "douyin": [mark]})
    assert len(hints) == 1 and hints[0].startswith("weibo: nothing new past its 1 watermark(s)")
    assert "2026-11-30 09:15" in hints[0] and "civicwatch watermarks reset weibo" in hints[0]
