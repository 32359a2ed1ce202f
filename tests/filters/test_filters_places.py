"""Shenzhen place resolution, including names that collide with other places."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicwatch.config import Settings, load_config
from filters.normalise import clean, normalise
from filters.places import PlaceResolver

GAZ = load_config(Settings(config_dir=Path(__file__).resolve().parents[2] / "config")).gazetteer


@pytest.fixture(scope="module")
def places() -> PlaceResolver:
    return PlaceResolver(GAZ)


@pytest.mark.parametrize("text, district, street", [
    ("福田区梅林街道这边停水了", "福田区", "梅林街道"),
    ("民治这边整片停电", "龙华区", "民治街道"),
    ("南山大冲这边的工地", "南山区", "粤海街道"),
    ("龍崗區布吉街道的健身房跑路了", "龙岗区", "布吉街道"),
    ("龙华这个工地晚上还在干", "龙华区", None),
])
def test_shenzhen_places(places: PlaceResolver, text: str, district: str, street: str | None) -> None:
    result = places.resolve(normalise(text).full)
    assert result.is_shenzhen, result
    assert (result.district, result.street) == (district, street)


@pytest.mark.parametrize("text", [
    "鹤岗南山区停水三天了",
    "海口龙华区的路灯坏了",
    "光明牛奶喝出怪味，在上海买的",
    "东莞长安镇厂里欠薪",
    "凤岗这边工地打桩到两点，跟深圳就隔一条河",
])
def test_other_places_and_collisions_are_not_shenzhen(places: PlaceResolver, text: str) -> None:
    assert not places.resolve(clean(text)).is_shenzhen


def test_ip_region_alone_is_not_enough(places: PlaceResolver) -> None:
    assert not places.resolve("小区门口井盖没了", ip_region="广东").is_shenzhen
