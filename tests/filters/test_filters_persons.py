"""Private persons' names masked before storage (the LAC tagger around person cues); places,
roles and common words left alone. Every sentence here is written for these tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from civicwatch.clock import SHANGHAI
from civicwatch.config import Settings, load_config
from civicwatch.models import DECISIONS, Post
from filters.chain import FilterChain
from filters.persons import PersonNames
from filters.pii import mask_pii
from filters.places import shenzhen_names

CONFIG = load_config(Settings(config_dir=Path(__file__).resolve().parents[2] / "config",
                              author_secret="persons-test-key"))


@pytest.fixture(scope="module")
def persons() -> PersonNames:
    return PersonNames(shenzhen_names(CONFIG.gazetteer))


@pytest.mark.parametrize("raw, name, shown", [
    ("房东叫陈国平的，押金三千一直不退", "陈国平", "房东叫陈**"),
    ("我们小区业主王建军反映楼上漏水", "王建军", "业主王**"),
    ("我爸刘德明在民治街道的人行道上摔倒了", "刘德明", "我爸刘**"),
    ("邻居张小红家的狗半夜一直叫", "张小红", "邻居张**"),
    ("同事黄伟明说宝安区的路灯也坏了", "黄伟明", "同事黄**"),
    ("老板欧阳志强拖欠我们三个月工资", "欧阳志强", "老板欧阳**"),
    ("工地包工头叫何永福，电话不接", "何永福", "何**"),
])
def test_names_in_context_are_masked(persons: PersonNames, raw: str, name: str, shown: str) -> None:
    masked = mask_pii(raw, persons)
    assert name not in masked and shown in masked, masked
    assert len(masked) == len(raw)


def test_a_name_before_its_cue_and_again_later_is_masked_everywhere(persons: PersonNames) -> None:
    masked = mask_pii("陈国平是我们房东，押金不退，后来陈国平电话也不接了", persons)
    assert "陈国平" not in masked and masked.count("陈**") == 2, masked


@pytest.mark.parametrize("raw, name, shown", [
    ("房東叫陳國平，押金一直不退", "陳國平", "陳**"),
    ("我媽鄭美玲在醫院排隊三個小時沒人管", "鄭美玲", "我媽鄭**"),
    ("鄰居林志偉家裝修天天打電鑽", "林志偉", "林**"),
])
def test_names_in_traditional_characters_are_masked(persons: PersonNames, raw: str, name: str,
                                                    shown: str) -> None:
    masked = mask_pii(raw, persons)
    assert name not in masked and shown in masked, masked


@pytest.mark.parametrize("raw, name", [
    ("我阿爸何锦荣喺部𨋢入面困咗成个钟", "何锦荣"),          # Cantonese relatives
    ("我细佬黎伟强架车跌咗落坑度", "黎伟强"),
    ("厂长洪国栋说等货款到了再发工资", "洪国栋"),            # a surname the old list lacked
    ("申请人：冼美华，住龙岗区坂田街道", "冼美华"),          # the person a letter names
    ("上个月工友覃建军的手被冲床压伤了", "覃建军"),          # the tagger joins cue and name: 工友覃建军
    ("收款码上写的个人“邹雪梅”，不是商家", "邹雪梅"),        # a quote between cue and name
    ("自称医生的卢志刚没有任何执业证", "卢志刚"),
])
def test_names_after_more_kinds_of_cue_are_masked(persons: PersonNames, raw: str, name: str) -> None:
    masked = mask_pii(raw, persons)
    assert name not in masked, masked
    assert len(masked) == len(raw)


def test_plates_in_traditional_characters_are_masked() -> None:
    masked = mask_pii("車牌粵B·D65321，司機開錯路還多收一百")
    assert "D65321" not in masked and "粵B" in masked, masked


@pytest.mark.parametrize("text", [
    "房东说李朗那边的路灯坏了一个月",       # 李朗: a place in 龙岗
    "邻居说黄贝岭地铁站出口积水很深",       # 黄贝岭: a village in 罗湖
    "朋友说布吉的菜市场门口井盖没了",
])
def test_places_that_look_like_names_stay(persons: PersonNames, text: str) -> None:
    assert mask_pii(text, persons) == text


@pytest.mark.parametrize("text", [
    "找了胡书记，答应了但一直没下文",
    "隔壁老王天天装修到半夜",
    "同事说王总这周不在公司",
    "楼下小李说电梯又坏了",
])
def test_a_surname_with_a_role_stays(persons: PersonNames, text: str) -> None:
    assert mask_pii(text, persons) == text


def test_honorifics_keep_their_own_mask(persons: PersonNames) -> None:
    assert mask_pii("业主群里陈女士说电梯坏了", persons) == "业主群里某女士说电梯坏了"


@pytest.mark.parametrize("text", [
    "朋友说明天方便过来看看，金额也不大",
    "师傅说石头堆在马路边上好几天了",
    "楼上的住户常发生争吵，高架桥下的噪音也很大",
    "孩子说周末学校门口又堵车",
    "邻居说高温天气要注意",
    "叫了半天没人理，物业说等通知",
])
def test_common_words_that_look_like_names_stay(persons: PersonNames, text: str) -> None:
    assert mask_pii(text, persons) == text


def test_without_a_cue_the_tagger_is_not_asked(persons: PersonNames) -> None:
    assert persons.find("小区门口井盖没了，晚上很危险") == []


def test_a_stored_lead_holds_the_masked_name() -> None:
    chain = FilterChain.from_config(CONFIG)
    post = Post(platform="tieba", post_id="p1", url="https://example.org/p1",
                text="龙华区民治街道，房东叫陈国平，押金三千块一直不退，还拖着不修漏水的天花板",
                title="求助：房东陈国平不退押金",
                published_at=datetime(2026, 11, 20, 8, 0, tzinfo=SHANGHAI))
    decision = chain.decide(post)
    assert decision.is_lead
    assert "陈国平" not in DECISIONS.dump_json(decision).decode()
    assert "房东叫陈**" in decision.text_masked
