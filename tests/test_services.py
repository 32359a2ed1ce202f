"""Services: built from settings, shared by every crawler of a process, opened once, closed once."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
from pymongo.database import Database
from scrapy import Spider, signals
from scrapy.utils.test import get_crawler

from civicwatch.exceptions import ConfigError
from civicwatch.settings import Settings
from crawlers.services import SETTING, Services, ServicesAddon

CONFIG = Path(__file__).resolve().parents[1] / "config"


def test_settings_copies_share_one_services_object(services: Services) -> None:
    crawler = get_crawler(Spider, services.scrapy_settings())
    assert crawler.settings[SETTING] is services
    assert copy.deepcopy(crawler.settings)[SETTING] is services
    assert crawler.settings["CIVICWATCH_MONGO_URI"] == services.settings.mongo_uri
    assert Services.from_crawler(crawler) is services


def test_the_addon_gives_a_bare_crawl_unopened_services_that_close_with_it(
        mongo_uri: str, redis_url: str, mongo_db: Database) -> None:
    crawler = get_crawler(Spider, {"ADDONS": {ServicesAddon: 0}, "CIVICWATCH_MONGO_URI": mongo_uri,
                                   "CIVICWATCH_REDIS_URL": redis_url, "CIVICWATCH_MONGO_DB": mongo_db.name})
    services = crawler.settings[SETTING]
    assert isinstance(services, Services) and not services.opened, "nothing opens until a component asks"
    assert Services.from_crawler(crawler).opened
    assert services.store.db.name == mongo_db.name and services.servers is None
    crawler.signals.send_catch_log(signals.engine_stopped)
    assert not services.opened


def test_the_addon_keeps_services_handed_over_by_the_command(services: Services) -> None:
    crawler = get_crawler(Spider, {"ADDONS": {ServicesAddon: 0}, SETTING: services})
    assert crawler.settings[SETTING] is services


@pytest.mark.slow
def test_without_server_uris_embedded_servers_start_are_logged_and_stop(tmp_path: Path,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    services = Services(Settings(mongo_uri=None, redis_url=None, data_dir=tmp_path))
    with services:
        assert services.servers is not None
        pids = services.servers.pids
        assert services.settings.mongo_uri and services.settings.redis_url
        assert services.redis.ping() and services.store.db.command("ping")
        assert "started embedded servers under" in caplog.text
    assert services.servers is None and "stopped the embedded servers" in caplog.text
    import psutil

    assert not [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]


def test_a_broken_rules_file_fails_before_any_server_starts(tmp_path: Path) -> None:
    shutil.copytree(CONFIG, tmp_path / "config")
    (tmp_path / "config" / "rules.yaml").write_text(
        "rules:\n  - name: broken\n    kind: include\n    expr: '(深圳 AND'\n", encoding="utf-8")
    services = Services(Settings(mongo_uri=None, redis_url=None, config_dir=tmp_path / "config",
                                 data_dir=tmp_path / "data"))
    with pytest.raises(ConfigError, match="rules.yaml"):
        services.open()
    assert services.servers is None and not (tmp_path / "data").exists()
