"""Catalogue item, urgency and duplicate keys on posts written for these tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from civicwatch.clock import SHANGHAI
from civicwatch.config import Settings, load_config
from civicwatch.models import Post
from filters.chain import FilterChain
from filters.dedup import DuplicateIndex

CONFIG = load_config(Settings(config_dir=Path(__file__).resolve().parents[2] / "config"))
T0 = datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def chain() -> FilterChain:
    return FilterChain.from_config(CONFIG)


def post(pid: str, text: str, minutes: int = 0, platform: str = "weibo") -> Post:
    return Post(platform=platform, post_id=pid, url=f"https://example.org/{pid}", text=text,
                published_at=T0 + timedelta(minutes=minutes))


@pytest.mark.parametrize("text, item", [
    # 物业 is who failed to help here, not the problem itself.
    ("龙岗区横岗街道我们小区停水一整天了，物业说是市政的事，一点通知都没有", "SD01"),
    ("宝安区新安街道楼上每晚十二点还在跳绳拖椅子，跟物业说了也没用，吵得睡不着", "HJ02"),
    ("福田区香蜜湖街道顶楼业主在天台搭了铁皮房越建越大，物业不敢管", "CS03"),
    ("罗湖区东湖街道那块大招牌被风吹歪了，半边吊着，下面就是公交站", "CS07"),
])
def test_setting_words_do_not_outweigh_the_problem(text: str, item: str) -> None:
    # The keyword classifier's weighting, so keyword-only.
    d = FilterChain.from_config(CONFIG.with_model(None)).decide(post("1", text))
    assert d.is_lead and d.item == item


def test_acute_danger_makes_a_general_item_urgent(chain: FilterChain) -> None:
    d = chain.decide(post("1", "南山区西丽街道楼里独居的阿婆三天没下楼了，敲门也没应，电话联系不上，谁能通知社区"))
    assert d.is_lead and d.item == "MZ01" and d.urgency == "urgent"


def test_everyday_danger_words_alone_keep_a_general_item_general(chain: FilterChain) -> None:
    d = chain.decide(post("1", "龙华区观湖街道那条辅路的路灯坏了半个月，晚上黑漆漆的，骑车很危险，差点撞到人"))
    assert d.is_lead and d.item == "CS04" and d.urgency == "general"


def test_truncated_repost_chain_points_at_the_original(chain: FilterChain) -> None:
    first = post("1", "坪山区坑梓街道人民西路那个路口红绿灯一早上全灭了，车都在抢道，也没有交警指挥")
    repost = post("2", "下午还是黑的//@坑梓车主:坪山区坑梓街道人民西路那个路口红绿灯一早上全灭",
                  minutes=240)
    d1, d2 = chain.decide_batch([repost, first])
    assert d2.dup_of is None and d1.dup_of == "weibo:1"



def test_bare_reposts_of_two_incidents_stay_apart() -> None:
    # Two leads reposted with the same two words: each repost joins what it reposts, and the
    # second one does not join the first repost because they both say "转发扩散".
    index = DuplicateIndex()
    walls = "观澜古墟那个公厕的灯坏了一个月，晚上黑漆漆的，门也关不上"
    bikes = "西丽站外面的共享单车堆成小山，都摞到机动车道上了"
    index.add("weibo:1", own=walls, reposted="", street="观澜街道", item="CS06", published_at=T0,
              district="龙华区")
    index.add("weibo:2", own="转发扩散", reposted=walls, street="观澜街道", item="CS06",
              published_at=T0 + timedelta(minutes=30), district="龙华区", incident_key="weibo:1")
    dup, _ = index.find(own="转发扩散", reposted=bikes, street="西丽街道", item="JT07",
                        published_at=T0 + timedelta(hours=2), district="南山区")
    assert dup is None
    dup, _ = index.find(own="转发扩散", reposted=walls, street="观澜街道", item="CS06",
                        published_at=T0 + timedelta(hours=3), district="龙华区")
    assert dup == "weibo:1"


def test_a_follow_up_joins_the_incident_at_its_place_that_it_is_about() -> None:
    # Two incidents at one street; the later one is about something else. A follow-up naming
    # the first one's problem joins the first, not merely the latest at the place.
    index = DuplicateIndex()
    index.add("weibo:1", own="福田口岸旁边辅道的雨水箅子被偷了，剩个方洞", reposted="", street="福保街道",
              item="PS03", published_at=T0, district="福田区")
    index.add("weibo:2", own="福保这边早餐摊把整段人行道都占了", reposted="", street="福保街道",
              item="CS02", published_at=T0 + timedelta(hours=5), district="福田区")
    dup, why = index.find_wording("更新：那个方洞下午有人放了块木板盖着", "", "福保街道",
                                  T0 + timedelta(hours=8), "PS03")
    assert dup == "weibo:1" and why
    dup, _ = index.find_wording("更新：今天去看还是老样子", "", "福保街道", T0 + timedelta(hours=8))
    assert dup == "weibo:2"  # no problem named: the latest at the place

def test_a_district_only_report_joins_a_street_level_one() -> None:
    index = DuplicateIndex()
    index.add("weibo:1", own="固戍那家健身房跑路了私教课还有三十节", reposted="", street=None, item="XF01",
              published_at=T0, district="宝安区")
    dup, why = index.find(own="会员们统计一下损失，已经去市场监管所登记", reposted="", street="西乡街道",
                          item="XF01", published_at=T0 + timedelta(days=1), district="宝安区")
    assert dup == "weibo:1" and why


def test_same_street_and_item_a_month_apart_is_a_new_incident() -> None:
    index = DuplicateIndex()
    index.add("weibo:1", own="民治街道小区物业费上涨没开业主大会", reposted="", street="民治街道", item="WY01",
              published_at=T0, district="龙华区")
    dup, _ = index.find(own="民治这边物业又要求交停车管理费", reposted="", street="民治街道", item="WY01",
                        published_at=T0 + timedelta(days=30), district="龙华区")
    assert dup is None


def test_follow_up_with_another_reading_joins_the_incident(chain: FilterChain) -> None:
    first = post("1", "我们在宝安区石岩街道一个工地干了三个月，包工头拖欠工资二十多万，人联系不上了", platform="douyin")
    follow = post("2", "还是石岩那个工地，今天去项目部门口等了一天，门卫不让进，谁能帮帮我们", minutes=1500,
                  platform="kuaishou")
    d1, d2 = chain.decide_batch([first, follow])
    assert d1.dup_of is None and d2.dup_of == "douyin:1"


def test_non_leads_only_join_an_incident_through_wording_or_a_follow_up(chain: FilterChain) -> None:
    lead = post("1", "南山区蛇口街道四海公园的儿童滑梯断了一截，小孩差点摔下来，公园也不管")
    chat = post("2", "翻到以前在蛇口四海公园拍的老照片，好怀念", minutes=60)
    d1, d2 = chain.decide_batch([lead, chat])
    assert d1.is_lead and not d2.is_lead and d2.dup_of is None
