"""A seeded file of made-up posts for coverage measurements (benchmarks/planner.py).

Our own writing: short complaint and chit-chat templates, filled with the gazetteer's streets,
estates, landmarks, roads and metro stations. Most posts are noise (food, shopping, weather,
moods, some of it naming a place); the complaints name only a street, estate, landmark, road
or metro station, never the district, which is the case district searches cannot find. Posts
go to the search platforms in roughly the shares the dev set shows, with each platform's id
and URL shapes, over the three weeks `start` to `end`.

    python -m simulator.corpus -o generated.jsonl [--posts 10000] [--seed 13]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from civicwatch.clock import SHANGHAI
from civicwatch.config import Gazetteer, get_settings, load_gazetteer

START = datetime(2026, 11, 1, 6, 0, tzinfo=SHANGHAI)
END = datetime(2026, 11, 21, 23, 0, tzinfo=SHANGHAI)
COMPLAINT_SHARE = 0.12

# platform → (share, id alphabet, id length, url pattern, has a title)
PLATFORMS: dict[str, tuple[float, str, int, str, bool]] = {
    "weibo": (0.30, string.digits, 16, "https://m.weibo.cn/detail/{id}", False),
    "douyin": (0.12, string.digits, 19, "https://www.douyin.com/video/{id}", False),
    "xiaohongshu": (0.12, "0123456789abcdef", 24, "https://www.xiaohongshu.com/explore/{id}", True),
    "tieba": (0.12, string.digits, 10, "https://tieba.baidu.com/p/{id}", True),
    "kuaishou": (0.08, string.digits + "abcdefghijklmnopqrstuvwxyz", 13, "https://www.kuaishou.com/short-video/3x{id}",
                 False),
    "zhihu": (0.07, string.digits, 10, "https://www.zhihu.com/question/1500000000/answer/{id}", True),
    "bilibili": (0.07, string.ascii_letters + string.digits, 9, "https://www.bilibili.com/video/BV1{id}", True),
    "wechat": (0.06, string.ascii_letters + string.digits, 22, "https://mp.weixin.qq.com/s/{id}", True),
    "toutiao": (0.06, string.digits, 19, "https://www.toutiao.com/article/{id}/", True),
}
ID_PREFIX = {"kuaishou": "3x", "bilibili": "BV1"}
# Their spiders know a post by its URL only: the id is the URL's hash, as they compute it.
URL_KEYED = frozenset({"wechat", "toutiao"})

COMPLAINTS = [
    "{p}这边的路灯坏了快一个星期，晚上出门黑漆漆的，老人小孩都不敢走",
    "{p}门口的井盖松了，车一压就哐当响，昨晚还有人踩空差点摔倒",
    "一下雨{p}就积水，水漫到小腿，排水口堵了也没人来疏通",
    "{p}垃圾桶好几天没人清，满地都是，天一热臭得没法开窗",
    "{p}旁边工地半夜还在打桩，吵得整栋楼睡不着，都凌晨一点了",
    "{p}的电梯这个月坏了三次，今天又把人关在里面半小时",
    "{p}人行道被摊贩占满了，推婴儿车只能走到机动车道上",
    "{p}地下车库渗水严重，墙皮一块块往下掉，物业说不归他们管",
    "{p}附近的排污口一直往外冒黑水，河边那股味道隔老远都闻得到",
    "{p}那棵大树的枝干裂开了，挂在半空随时会砸下来，求相关部门处理",
    "{p}出口的盲道上停满了共享单车，视障人士根本没法走",
    "{p}楼下餐馆的油烟直接往住户窗户里灌，投诉物业好几次没结果",
    "{p}的红绿灯坏了两天，早高峰路口乱成一锅粥，差点撞上",
    "{p}小区的二次供水有黄锈，烧开以后杯底一层沉淀，不敢喝",
    "{p}路面塌了一个大坑，拿几个雪糕筒围着就没人管了",
    "{p}这几天停水停了三回，也没提前贴通知，上班前连脸都洗不了",
    "{p}的公厕门锁坏了、洗手池也没水，味道很大",
    "{p}一到晚上就有人在空地上烧垃圾，浓烟呛得人咳嗽",
    "{p}的消防通道被私家车堵死了，真出事消防车都进不来",
    "{p}的广场舞音响开到最大，晚上十点多还停不下来，孩子没法写作业",
    "{p}路边的护栏被撞歪了一大段，尖角朝外，骑电动车的很危险",
    "{p}附近好多流浪狗成群结队，前天有小孩被追着咬，希望有人管管",
    "{p}的电动车充电桩经常冒火花，充电的人都挤在楼道里飞线充",
    "{p}的天桥台阶碎了好几级，扶手也松动，每天几百人走",
    "{p}旁边那条小河又发臭了，水面全是死鱼，之前整治过一次又反弹",
]
NOISE = [
    "今天去{p}吃了一家新开的烧腊店，叉烧很入味，下次还来",
    "{p}的夕阳也太好看了吧，随手一拍都是壁纸",
    "周末在{p}逛了一下午，人好多，奶茶排了四十分钟",
    "有没有人知道{p}附近哪里有靠谱的修鞋铺",
    "在{p}等朋友，顺便记录一下今天的穿搭",
    "{p}新开了一家书店，二楼靠窗的位置很适合发呆",
    "第一次来{p}，比想象中热闹，晚上的灯光秀不错",
    "{p}的房租又涨了，打工人的钱包在哭泣",
    "求推荐{p}周边适合带娃的室内游乐场",
    "{p}骑行打卡，今天刷了二十公里，腿已经不是自己的了",
    "今天加班到十点，打车回家的路上困成狗",
    "这周的天气忽冷忽热，感冒的人好多，大家注意身体",
    "分享一个超简单的番茄炒蛋做法，新手也能一次成功",
    "新买的耳机音质不错，就是戴久了耳朵有点疼",
    "有人一起组队周末爬山吗，新手友好的那种",
    "被领导夸了一句，开心了一整天",
    "租房合同快到期了，纠结要不要换个离公司近点的地方",
    "今天的晚霞是粉紫色的，拍了好多张",
    "猫主子又把花盆打翻了，无语",
    "年底了，大家的年终总结写完了吗",
    "考完试了，终于可以睡个好觉",
    "深夜食堂：一碗牛肉粉治愈一切",
    "最近在追一部剧，结局太意外了，不剧透",
    "健身第三十天，体重没变，但是衣服宽松了",
    "早上的地铁挤得像沙丁鱼罐头，一天的精神都被挤没了",
    "{p}的房价到底还会不会跌，纠结要不要上车",
    "{p}这边的早茶性价比挺高，虾饺皇必点",
    "{p}附近有没有安静一点的咖啡馆，想找个地方看书",
    "刚搬到{p}，求推荐附近好吃的快餐",
    "{p}的樱花开了吗？想周末去拍照",
]
TITLE_COMPLAINT = "【求助】{p}的问题有人管吗"
TITLE_NOISE = "{p}日常分享"


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # street | estate | landmark | road | metro


def places(gazetteer: Gazetteer) -> list[Place]:
    """Names below the district: streets and every landmark (estates, metro stations, the rest)."""
    out = [Place(s.name, "street") for d in gazetteer.districts for s in d.streets]
    for lm in gazetteer.landmarks:
        kind = {"住宅区": "estate", "城中村": "estate", "地铁站": "metro"}.get(
            lm.kind, "road" if lm.name.endswith(("路", "大道", "大街")) else "landmark")
        out.append(Place(lm.name, kind))
    return out


def _post_id(rng: random.Random, platform: str, taken: set[str]) -> str:
    _, alphabet, length, _, _ = PLATFORMS[platform]
    while True:
        body = rng.choice(alphabet[1:] if alphabet[0] == "0" else alphabet) + "".join(
            rng.choice(alphabet) for _ in range(length - 1))
        pid = ID_PREFIX.get(platform, "") + body
        if pid not in taken:
            taken.add(pid)
            return pid


def generate(gazetteer: Gazetteer, n: int = 10_000, seed: int = 13, start: datetime = START,
             end: datetime = END) -> Iterator[dict[str, object]]:
    """`n` posts as labelled-post JSON objects (no label), oldest first."""
    rng = random.Random(seed)
    pool = places(gazetteer)
    names, shares = list(PLATFORMS), [v[0] for v in PLATFORMS.values()]
    span = (end - start).total_seconds()
    times = sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(n))
    taken: set[str] = set()
    for i, at in enumerate(times):
        platform = rng.choices(names, shares)[0]
        complaint = rng.random() < COMPLAINT_SHARE
        template = rng.choice(COMPLAINTS if complaint else NOISE)
        place = rng.choice(pool).name
        text = template.format(p=place)
        pid = _post_id(rng, platform, taken)
        _, _, _, pattern, titled = PLATFORMS[platform]
        url = pattern.format(id=pid[len(ID_PREFIX.get(platform, "")):])
        if platform in URL_KEYED:
            pid = hashlib.sha1(url.encode()).hexdigest()[:16]
        title = (TITLE_COMPLAINT if complaint else TITLE_NOISE).format(p=place) if titled else None
        region = "广东" if rng.random() < 0.6 else None
        yield {"platform": platform, "post_id": pid, "url": url,
               "author": f"用户{seed}{i:05d}", "title": title, "text": text,
               "published_at": at.replace(microsecond=0).isoformat(), "ip_region": region}


def write(path: Path, posts: Iterator[dict[str, object]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as f:
        for post in posts:
            f.write(json.dumps(post, ensure_ascii=False) + "\n")
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    gazetteer = load_gazetteer(get_settings().config_dir / "gazetteer.yaml")
    print(f"{write(args.output, generate(gazetteer, args.posts, args.seed))} posts written to {args.output}")


if __name__ == "__main__":
    main()
