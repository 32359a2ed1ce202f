"""Other cities' places from the national table of divisions: a Shenzhen name written after
another place's county, district or city is that place's, while Shenzhen's own stay Shenzhen's.
Every sentence here is written for these tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from civicwatch.clock import SHANGHAI
from civicwatch.config import Settings, load_config
from civicwatch.models import Post
from filters.chain import FilterChain
from filters.divisions import (
    evidence_names,
    national_divisions,
    parents_by_name,
    prefecture_shorts,
    prefix_names,
    stem,
)
from filters.normalise import normalise
from filters.places import PlaceResolver

CONFIG = load_config(Settings(config_dir=Path(__file__).resolve().parents[2] / "config",
                              author_secret="divisions-test-key"))


@pytest.fixture(scope="module")
def places() -> PlaceResolver:
    return PlaceResolver(CONFIG.gazetteer)


@pytest.fixture(scope="module")
def chain() -> FilterChain:
    return FilterChain.from_config(CONFIG)


def resolve(places: PlaceResolver, text: str):  # noqa: ANN201 (a PlaceResolver result)
    return places.resolve(normalise(text).full)


def test_the_table_holds_every_level_down_to_townships() -> None:
    levels = [d.level for d in national_divisions().divisions]
    assert [levels.count(n) for n in (1, 2, 3, 4)] == [33, 333, 2845, 38723]
    shenzhen = [d for d in national_divisions().divisions if d.in_shenzhen]
    assert sum(d.level == 3 for d in shenzhen) == 9 and sum(d.level == 4 for d in shenzhen) == 74
    # Shenzhen's names are never another city's evidence by themselves.
    named = evidence_names() | prefix_names() | prefecture_shorts()
    assert not {"光明区", "深圳市", "广东省", "广东", "深圳"} & named
    assert {"博罗县", "海淀区", "义乌市", "湖南省"} <= evidence_names() and {"惠州", "鹤岗"} <= prefecture_shorts()


@pytest.mark.parametrize("name, short", [("南山区", "南山"), ("光明街道", "光明"), ("惠州市", "惠州"),
                                         ("凉山彝族自治州", "凉山彝族"), ("赵县", "赵县")])
def test_stems(name: str, short: str) -> None:
    assert stem(name) == short


def test_parents_of_names_other_places_share() -> None:
    owners = parents_by_name(frozenset({"龙华街道", "光明", "龙华", "布吉街道"}))
    assert {"徐汇区", "徐汇", "上海市", "上海"} <= owners["龙华街道"]
    assert {"顺义区", "顺义", "北京市", "北京"} <= owners["光明"]
    assert {"博罗县", "博罗", "惠州市", "惠州"} <= owners["龙华"]
    assert "布吉街道" not in owners  # only Shenzhen has one
    assert not {"深圳市", "广东省", "广东", "深圳"} & owners["光明"]


@pytest.mark.parametrize("text", [
    "北京顺义区光明街道这两天一直停水，物业也不说原因",
    "顺义光明街道那边的路灯坏了一整排",
    "大庆市龙凤区光明街道小区门口井盖不见了",
    "吉林市龙潭区龙华街道垃圾站臭得不行",
    "上海徐汇龙华街道晚上工地还在打桩",
    "徐汇区的龙华街道施工扰民",
    "重庆大足区龙岗街道有个厂拖欠工资三个月",
    "大足龙岗街道的菜市场占道经营",
    "博罗县龙华镇工地半夜施工吵得睡不着",
    "惠州龙门县龙华镇的桥裂了",
    "海口市龙华区路灯坏了好几天",
    "鹰潭余江区龙岗街道积水很深",
    "汕头龙湖区龙华街道有人乱倒垃圾",
])
def test_another_places_shenzhen_named_street_is_not_shenzhen(places: PlaceResolver, text: str) -> None:
    result = resolve(places, text)
    assert not result.is_shenzhen, result
    assert result.foreign, result


@pytest.mark.parametrize("text, district, street", [
    ("光明区光明街道这两天一直停水，物业也不说原因", "光明区", "光明街道"),
    ("深圳龙华区龙华街道垃圾站臭得不行", "龙华区", "龙华街道"),
    ("龙岗区龙岗街道有个厂拖欠工资三个月", "龙岗区", "龙岗街道"),
    ("广东深圳光明街道小区门口井盖不见了", "光明区", "光明街道"),
    ("我在深圳的龙华街道，楼下工地半夜施工", "龙华区", "龙华街道"),
    ("老家湖南攸县，现在住龙华区民治街道，楼下工地半夜打桩", "龙华区", "民治街道"),
])
def test_shenzhens_own_streets_stay_shenzhen(places: PlaceResolver, text: str, district: str,
                                             street: str) -> None:
    result = resolve(places, text)
    assert result.is_shenzhen, result
    assert (result.district, result.street) == (district, street)


def test_a_city_named_as_where_someone_comes_from_weighs_less(places: PlaceResolver) -> None:
    # Back from a trip, the problem is at a Shenzhen landmark: still Shenzhen.
    assert resolve(places, "刚从长沙出差回来，发现福田区梅林街道小区门口的井盖没了").is_shenzhen
    # The problem is in the other province's city; the Shenzhen landmark is a comparison.
    assert not resolve(places, "长沙岳麓区的小区井盖没了好几天，跟深圳世界之窗那边一样没人管").is_shenzhen
    assert not resolve(places, "湖南衡阳县城关镇的路灯坏了，比莲花山公园那边差远了").is_shenzhen
    # Going there is not coming from there: the wages were owed in Dongguan.
    assert not resolve(places, "住在宝安，去东莞长安镇的厂里打工被拖欠工资").is_shenzhen


@pytest.mark.parametrize("text", [
    "博罗县城的工地晚上施工吵得睡不着",   # a county in full
    "义乌市的仓库拖欠工资",
    "在阳朔县遇到景区强制消费",
])
def test_a_county_named_in_full_is_another_city(places: PlaceResolver, text: str) -> None:
    result = resolve(places, text)
    assert result.foreign and not result.is_shenzhen, result


def test_no_gazetteer_name_is_taken_for_another_place(places: PlaceResolver) -> None:
    """Each Shenzhen name alone (a street, a district, a landmark, their shorts) still reads as
    Shenzhen evidence: the national names never swallow one."""
    swallowed = []
    for term in sorted(places.shenzhen_names):
        result = places.resolve(term)
        if result.foreign or not result.evidence:
            swallowed.append(term)
    assert not swallowed


def test_the_chain_drops_another_citys_street_and_keeps_shenzhens(chain: FilterChain) -> None:
    def post(pid: str, text: str) -> Post:
        return Post(platform="weibo", post_id=pid, url=f"https://example.org/{pid}", text=text,
                    published_at=datetime(2026, 11, 20, 8, 0, tzinfo=SHANGHAI))

    elsewhere = chain.decide(post("1", "大庆市龙凤区光明街道小区门口的井盖不见了，晚上老人差点踩空，太危险了"))
    assert not elsewhere.is_lead
    here = chain.decide(post("2", "光明区光明街道小区门口的井盖不见了，晚上老人差点踩空，太危险了"))
    assert here.is_lead and (here.district, here.street) == ("光明区", "光明街道")
