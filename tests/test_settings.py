"""The one settings table: every CIVICWATCH_* name has help text, and Scrapy's settings come from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from civicwatch.settings import Settings, as_scrapy_settings, from_scrapy_settings, setting_name
from crawlers import settings as project
from crawlers.services import SETTING

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_has_help_text(name: str) -> None:
    assert Settings.model_fields[name].description, f"{setting_name(name)} needs description="


def test_scrapy_settings_take_every_civicwatch_value_from_the_table() -> None:
    ours = {name for name in dir(project) if name.startswith("CIVICWATCH_")}
    assert ours == set(as_scrapy_settings(Settings())), "crawlers/settings.py defines no CIVICWATCH_* of its own"


def test_every_civicwatch_name_in_the_code_is_a_setting() -> None:
    fields = {setting_name(name) for name in Settings.model_fields}
    # Not settings of the application: the test suite's own servers and screenshots, and the
    # object a command hands its crawls (crawlers/services.py).
    others = {"CIVICWATCH_TEST_MONGO_URI", "CIVICWATCH_TEST_REDIS_URL", "CIVICWATCH_UPDATE_SCREENSHOTS", SETTING}
    used: set[str] = set()
    for folder in ("civicwatch", "crawlers", "spiders", "filters", "sinks", "review", "simulator"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(re.findall(r"\bCIVICWATCH_[A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8")))
    assert used - fields - others == set()


def test_a_crawlers_settings_read_back_typed_with_defaults_for_the_rest() -> None:
    crawler = get_crawler(Spider, {"CIVICWATCH_HEALTH_SLOW_S": "2.5", "CIVICWATCH_WORKER": "True"})
    settings = from_scrapy_settings(crawler.settings)
    assert settings.health_slow_s == 2.5 and settings.worker is True
    assert settings.health_max_not_found_ratio == Settings().health_max_not_found_ratio


def test_environment_variables_reach_the_scrapy_settings_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICWATCH_DUPEFILTER_TTL_S", "60")
    assert as_scrapy_settings(Settings())["CIVICWATCH_DUPEFILTER_TTL_S"] == 60
