"""The whole chain on realistic posts written for these tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from civicwatch.clock import SHANGHAI
from civicwatch.config import Settings, load_config
from civicwatch.models import DECISIONS, Post
from filters.chain import FilterChain

CONFIG = load_config(Settings(config_dir=Path(__file__).resolve().parents[2] / "config"))
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=SHANGHAI)


@pytest.fixture
def chain() -> FilterChain:
    return FilterChain.from_config(CONFIG)


def post(pid: str, text: str, minutes: int = 0, platform: str = "weibo", title: str | None = None) -> Post:
    return Post(platform=platform, post_id=pid, url=f"https://example.org/{pid}", text=text, title=title,
                published_at=T0 + timedelta(minutes=minutes))


def test_a_real_complaint_is_a_routed_lead(chain: FilterChain) -> None:
    d = chain.decide(post("1", "福田区梅林街道小区门口的井盖不见了，晚上老人差点踩空，太危险了"))
    assert d.is_lead
    assert (d.district, d.street, d.item, d.department, d.urgency) == ("福田区", "梅林街道", "DL02", "JTYS", "urgent")


def test_immediate_danger_raises_a_general_item_to_urgent(chain: FilterChain) -> None:
    d = chain.decide(post("1", "宝安区西乡街道这个工地脚手架歪了，工人还在上面干活，随时会塌，太吓人了"))
    assert d.is_lead and d.urgency == "urgent"


@pytest.mark.parametrize("text", [
    "深圳同城搬家，小货车两百起，微信同号13500001234",
    "周末去深圳湾公园看日落，推荐大家傍晚去，拍照超好看",
    "广州天河区停水了，有人知道什么时候来水吗",
    "深圳的冬天十一月还穿短袖哈哈哈",
])
def test_noise_is_not_a_lead(chain: FilterChain, text: str) -> None:
    assert not chain.decide(post("1", text)).is_lead


def test_masked_text_and_evidence_carry_no_personal_data(chain: FilterChain) -> None:
    d = chain.decide(post("1", "布吉街道电子厂老板周建华拖欠工资三个月，打他电话13912345678不接"))
    assert d.is_lead and d.item == "LD01"
    out = DECISIONS.dump_json(d).decode()
    assert "13912345678" not in out and "周建华" not in out


def test_reposts_and_rewordings_point_at_the_earliest_post(chain: FilterChain) -> None:
    first = post("1", "南山区粤海街道那个工地凌晨一点还在打桩，吵得睡不着，有没有人管管", minutes=0)
    repost = post("2", "连续第三晚了//@科技园住户:南山区粤海街道那个工地凌晨一点还在打桩，吵得睡不着，有没有人管管",
                  minutes=300)
    reworded = post("3", "粤海街道晚上施工噪音太大，工地打桩到半夜，投诉了也没用", minutes=600, platform="tieba")
    other = post("4", "罗湖区东门街道老街上的路灯坏了一个星期", minutes=30)
    decisions = chain.decide_batch([reworded, repost, other, first])
    by_id = {d.post_id: d for d in decisions}
    assert [d.post_id for d in decisions] == ["3", "2", "4", "1"]  # input order kept
    assert by_id["1"].dup_of is None and by_id["4"].dup_of is None
    assert by_id["2"].dup_of == "weibo:1" and by_id["3"].dup_of == "weibo:1"


def test_remembered_leads_seed_duplicates_after_a_restart(chain: FilterChain) -> None:
    first = post("1", "龙华区民治街道小区楼道煤气味很浓，已经打了燃气公司电话")
    d = chain.decide(first)
    fresh = FilterChain.from_config(CONFIG)
    fresh.remember(first.model_copy(update={"text": d.text_masked}), d)
    again = fresh.decide(post("9", "龙华区民治街道小区楼道煤气味很浓，已经打了燃气公司电话", minutes=20))
    assert again.dup_of == "weibo:1"


def test_the_first_pass_screen_changes_no_decision() -> None:
    """The screen only skips work: with it and without it, every labelled post is decided alike."""
    import json

    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "dev_posts.jsonl"
    sample = Path(__file__).resolve().parents[2] / "simulator" / "data" / "sample_posts.jsonl"
    rows = [json.loads(x) for p in (shared, sample) if p.exists() for x in p.read_text(encoding="utf-8").splitlines()]
    posts = [Post.model_validate({k: v for k, v in r.items() if k != "label"}) for r in rows]
    screened = FilterChain.from_config(CONFIG).decide_batch(posts)
    unscreened = FilterChain.from_config(CONFIG, overrides={"filters.steps.screen": None}).decide_batch(posts)
    fields = ("is_lead", "district", "street", "item", "urgency", "dup_of", "text_masked")
    assert sum(d.is_lead for d in screened) >= 10  # (13 in our own sample posts alone)
    for a, b in zip(screened, unscreened, strict=True):
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields], a.post_id
        assert a.score == b.score or not a.is_lead  # a screened post is not scored
