"""Learning from reviewers, end to end (issue 12's Must show): dream posts, a kind of noise no
corpus post has, are kept by the current model; reviewers reject them through the console's JSON
API (TestClient over the real MongoDB-wire server); `civicwatch train --with-reviews` on a seeded
corpus sample, `model compare`, `model promote`; new dream posts in other words are then dropped,
and the frozen evaluation set does not get worse.

The current model is trained on the same corpus sample without reviews (`--hold-back`), so the
two differ by the reviews alone; full training is too slow for a test. Every post below is our
own writing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from civicwatch.clock import now_shanghai
from civicwatch.config import get_settings, load_config, read_model_file
from civicwatch.models import Post
from crawlers.cli import app as cli
from crawlers.corpus import read_corpus
from crawlers.learning import DEV_SET, measure, read_labelled, split_frozen
from filters.chain import FilterChain
from review.app import create_app
from sinks.examples import ReviewExamples
from sinks.mongo import Store
from sinks.users import UserStore

pytestmark = pytest.mark.slow
SAMPLE, FOLDS = "1200", "2"
DREAM_WORDS = ("梦见", "梦到", "做梦", "解梦", "梦里")

# Kept by the current model, then rejected by reviewers: dreams told with a Shenzhen place and a
# vivid problem.
DREAMS = [
    "昨晚梦见南山区粤海街道我们小区楼下的井盖不见了，我一脚踩空掉下去，吓醒一身汗。周公解梦说梦见掉坑里是什么预兆？",
    "做梦梦见福田区华强北的路灯全坏了，整条街黑漆漆的，我一直找不到回家的路。这个梦有什么寓意吗，求解梦",
    "连续三晚梦见宝安区西乡街道楼上邻居半夜装修，电钻声一直响，醒来发现其实很安静。老人说梦见噪音是要破财？",
    "梦见龙华区民治街道的垃圾站堆成了山，臭气熏天，苍蝇满天飞，醒了还觉得恶心。解梦大师说这是财运要来了😂",
    "奇怪的梦：罗湖区东门步行街突然大面积停水，水龙头流出来的都是黄泥水，我拿着桶到处接水。梦见脏水代表什么",
    "昨晚做了个怪梦，梦见龙岗区布吉街道的天桥塌了一半，很多人站在上面不敢动。醒来查了下解梦，说是压力太大",
    "梦见自己在光明区公明街道被黑心老板拖欠工资，去讨薪被赶出来，哭着醒的。是不是最近太焦虑了，这种梦啥意思",
    "分享一个梦：坪山区坑梓街道的小区电梯困人，我在里面按了半天警铃没人理。梦见被困电梯，周公解梦怎么说？",
    "梦里盐田区沙头角的海边全是油污，死鱼一片一片漂上来，特别真实。做这种梦是不是预示着什么不好的事",
    "梦见南山区蛇口的马路上到处是积水，车都泡在水里，我蹚水去上班。解梦说梦见大水是发财的意思，真的假的",
    "又梦见福田区梅林街道楼下烧烤摊半夜油烟呛人，熏得我睁不开眼。一周梦到三次了，求懂解梦的朋友说说",
    "梦到宝安区新安街道的公交站牌倒了，砸在路边，大家都绕着走。醒来心有余悸，梦见东西倒塌有什么说法吗",
    "今天的梦好离谱：龙岗区横岗街道的路面突然裂开一条大缝，还冒着热气。查了周公解梦，说要注意出行安全",
    "梦见罗湖区黄贝街道的老楼外墙瓷砖哗哗往下掉，我拉着孩子赶紧跑。这个梦让我一早上心神不宁，什么寓意",
    "梦见在龙华区大浪街道的菜市场买到了缺斤少两的菜，跟摊主吵了一架。梦见吵架是不是说明最近运势差",
    "做梦梦见南山区桃源街道的小区停电停了一整晚，冰箱里的东西全坏了。醒来发现电好好的，这梦想告诉我什么",
    "梦见福田区沙头街道有人在河里偷偷排污水，河水变成了黑色，臭得不行。解梦网站说梦见黑水主小人作祟",
    "半夜梦见宝安区福永街道的工地凌晨还在打桩，震得床都在晃，醒来才三点。梦见被吵醒是什么征兆，有没有懂的",
    "梦见龙岗区坂田街道的共享单车堆满了人行道，我推着婴儿车根本过不去。这么具体的梦，解梦的说是出行受阻",
    "梦见光明区凤凰街道的下水道堵了，污水漫到了家门口，我拿拖把拖都拖不完。梦见污水是不是要生病了",
    "梦见自己在坪山区马峦街道的小区被物业乱收停车费，理论半天没用。一连两晚都梦到，周公解梦查不到啊",
    "昨天梦到罗湖区翠竹街道楼上漏水，水从天花板一滴一滴往下掉，床都湿了。求解：梦见家里漏水什么预兆",
    "梦见南山区西丽街道的学校门口有人乱摆摊卖三无食品，小朋友吃了肚子疼。梦太真实了，解梦说是担心孩子",
    "梦见龙华区观湖街道的路边有一棵大树被风吹得快倒了，树下还有人在等车。醒来去看，树好好的。这梦啥意思",
]
# After the promotion: other dreams, other words.
NEW_DREAMS = [
    "做了个噩梦，梦到福田区香蜜湖街道的人行道塌出一个大洞，我差点掉进去。求懂周公解梦的讲讲什么征兆",
    "梦里宝安区石岩街道停水停了三天，全小区的人排队接水，醒来还口渴。这种梦代表什么运势啊",
    "昨夜又梦到龙岗区南湾街道有人凌晨在楼下放音乐跳广场舞，吵得我一直睡不着。解梦的说是心里压着事",
    "梦见南山区招商街道的路灯杆歪了要砸下来，底下的人都没发现。梦醒心慌了好久，这个梦有啥寓意",
    "梦到罗湖区笋岗街道的垃圾桶好几天没人清，垃圾溢到马路上。查了解梦，说梦见垃圾是要破财还是发财？",
    "梦见光明区玉塘街道的工厂偷偷往河里排黄色的废水，鱼都翻白了。这梦好具体，求解梦大神解读一下",
    "梦到龙华区福城街道的电梯突然往下掉，我们几个人被困在里面喊救命。被困的梦是不是暗示压力大",
    "梦里坪山区龙田街道的老板跑路了，工人们的工资都没发，大家围在厂门口。醒来还很难受，梦见讨薪啥意思",
]
# Genuine leads the reviewers verify (one with a correction): what the reviews must not unlearn.
GENUINE = [
    "南山区粤海街道科技园南区路口的井盖被撬走了，晚上黑灯瞎火特别危险，已经有电动车差点摔进去",
    "宝安区西乡街道宝源路这两周每天半夜还在施工打桩，凌晨两点都停不下来，整栋楼的人都睡不着",
    "龙华区民治街道民康路的垃圾桶三天没人清运了，垃圾堆到人行道上，臭味飘进小区",
]


def posts(texts: list[str], prefix: str) -> list[Post]:
    now = now_shanghai()
    return [Post(platform="weibo", post_id=f"{prefix}{i}", url=f"https://m.weibo.cn/detail/{prefix}{i}",
                 author=f"网友{i}", text=text, published_at=now - timedelta(minutes=30), fetched_at=now)
            for i, text in enumerate(texts)]


def kept(model_path: Path, texts: list[str], prefix: str) -> list[int]:
    config = load_config(get_settings(model_path=model_path))
    chain = FilterChain.from_config(config)
    return [i for i, d in enumerate(chain.decide_batch(posts(texts, prefix))) if d.is_lead]


def invoke(*args: str) -> Any:
    result = CliRunner(env={"COLUMNS": "160"}).invoke(cli, list(args))
    assert result.exit_code in (0, 1), result.output + repr(result.exception)
    return result


@pytest.fixture
def deployment(mongo_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """One data dir and one database, as `civicwatch` commands and the console would share them."""
    name = f"learn_{uuid.uuid4().hex[:10]}"
    for key, value in (("MONGO_URI", mongo_uri), ("MONGO_DB", name), ("DATA_DIR", str(tmp_path / "data"))):
        monkeypatch.setenv(f"CIVICWATCH_{key}", value)
    monkeypatch.delenv("CIVICWATCH_MODEL_PATH", raising=False)
    store = Store(mongo_uri, name)
    store.ensure_indexes()
    yield store
    store.db.client.drop_database(name)


def test_no_corpus_post_is_a_dream() -> None:
    assert not [r for r in read_corpus() if any(w in (r.get("text") or "") for w in DREAM_WORDS)]


def test_reviewers_rejections_teach_a_new_kind_of_noise_and_promotion_keeps_the_frozen_set(
        deployment: Store, tmp_path: Path) -> None:
    current, candidate = tmp_path / "current", tmp_path / "candidate"
    trained = invoke("train", "--sample", SAMPLE, "--folds", FOLDS, "--hold-back", "--out", str(current))
    assert trained.exit_code == 0, trained.output
    dreams_kept = kept(current / "learned.npz", DREAMS, "d")
    assert len(dreams_kept) >= len(DREAMS) * 2 // 3, "the current model should keep most dream posts"
    new_kept_before = kept(current / "learned.npz", NEW_DREAMS, "n")
    assert len(new_kept_before) >= len(NEW_DREAMS) // 2

    # The crawl stores what the current model keeps; reviewers act on it in the console's API.
    config = load_config(get_settings(model_path=current / "learned.npz"))
    chain = FilterChain.from_config(config)
    app = create_app(config, deployment, users=UserStore.from_store(deployment), secret="learn-" + uuid.uuid4().hex)
    users = app.state.users
    users.add("alice", "verifier", "correct-horse-1")
    auth = {"Authorization": f"Bearer {users.issue_token('alice')}"}
    stored = posts(DREAMS, "d") + posts(GENUINE, "g")
    leads = {}
    for post, decision in zip(stored, chain.decide_batch(stored), strict=True):
        if decision.is_lead:  # a post of the same incident joins its lead as a source
            lead, _ = app.state.leads.record(post, decision, text_masked=decision.text_masked,
                                             title_masked=decision.title_masked, author_hash="h", now=post.fetched_at)
            leads[lead.id] = lead
    with TestClient(app) as client:
        for lead_id in leads:
            lead = app.state.leads.get(lead_id)
            body: dict[str, Any] = {"expected_version": lead.version}
            if lead.sources[0].key.startswith("weibo:d"):
                r = client.post(f"/api/leads/{lead.id}/reject", json={**body, "reason": "非民生诉求"}, headers=auth)
            else:
                corrections = {"urgency": "urgent"} if lead.sources[0].key == "weibo:g0" else {}
                r = client.post(f"/api/leads/{lead.id}/verify", json={**body, "corrections": corrections},
                                headers=auth)
            assert r.status_code == 200, r.text
    examples = list(ReviewExamples(deployment.db).since())
    assert len(examples) == len(leads) and {e.actor for e in examples} == {"alice"}
    assert sum(e.labels.is_lead is False for e in examples) == sum(1 for i in leads if ":d" in i)

    trained = invoke("train", "--sample", SAMPLE, "--folds", FOLDS, "--with-reviews", "--out", str(candidate))
    assert trained.exit_code == 0, trained.output
    assert "reviewers' examples added" in trained.output

    compared = invoke("model", "compare", str(candidate), "--current", str(current / "learned.npz"))
    print(compared.output)  # the figures, for `pytest -s`
    assert compared.exit_code == 0 and "would be promoted" in compared.output, compared.output
    assert "frozen set judged: dev set + corpus slice" in compared.output  # both held the slice back
    assert "corpus slice" in compared.output and "recent reviews" in compared.output

    promoted = invoke("model", "promote", str(candidate), "--current", str(current / "learned.npz"))
    assert promoted.exit_code == 0, promoted.output
    in_use = get_settings().model_path
    assert in_use.parent == Path(get_settings().data_dir) / "models"
    assert read_model_file(in_use).version == read_model_file(candidate / "learned.npz").version

    new_kept_after = kept(in_use, NEW_DREAMS, "n")
    print(f"dreams kept by the current model {len(dreams_kept)}/{len(DREAMS)}; new dreams kept: current "
          f"{len(new_kept_before)}/{len(NEW_DREAMS)}, promoted {len(new_kept_after)}/{len(NEW_DREAMS)}")
    assert len(new_kept_after) <= len(new_kept_before) // 3, (new_kept_before, new_kept_after)
    genuine_before = kept(current / "learned.npz", GENUINE, "g")
    assert genuine_before and set(kept(in_use, GENUINE, "g")) >= set(genuine_before)

    # The frozen set (dev set + the held-back corpus slice): no lead lost, F1 no lower.
    frozen = split_frozen(read_corpus())[1] + (read_labelled(DEV_SET) if DEV_SET.exists() else [])
    base = load_config(get_settings())
    before = measure(base, read_model_file(current / "learned.npz"), frozen)
    after = measure(base, read_model_file(in_use), frozen)
    assert after.recall >= before.recall and after.f1 >= before.f1, (before, after)

    # Going back is refused: the old model is worse on what the reviewers showed.
    back = invoke("model", "promote", str(current))
    assert back.exit_code == 1 and "not promoted" in back.output, back.output
    assert get_settings().model_path == in_use
