"""Writes posts.jsonl from the hand-written _leads.py and _negatives.py (see README.md).

Only the envelope is generated here (ids, URLs, authors, times, IP regions), deterministically;
every text and label was written by hand. Run: python data/holdout/_build_holdout.py
"""

from __future__ import annotations

import json
import random
import string
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _leads import LEADS  # noqa: E402
from _negatives import NEGATIVES  # noqa: E402

TITLED = {"tieba", "liuyan", "zhihu", "toutiao", "wechat"}
TZ = timezone(timedelta(hours=8))
# Where a post's writer is not in Guangdong, by a word of its text.
REGIONS = {"北京": "北京", "唐山": "河北", "昭通": "云南", "杭州": "浙江", "成都": "四川",
           "凤凰县": "湖南", "南昌": "江西", "元朗": "中国香港", "觀塘": "中国香港",
           "屯门": "中国香港"}
HANDLE_A = ["阿", "小", "大", "老", "深漂", "南山", "宝安", "龙岗", "福田", "鹏城", "打工人", "吃货", "快乐", "今天也"]
HANDLE_B = ["橙子", "鱼丸", "木棉", "豆豆", "阿杰", "糖糖", "小熊", "不想上班", "喵喵", "海风", "榕树下", "骑电驴的",
            "柠檬茶", "云朵", "咸蛋黄", "山竹", "荔枝", "番薯", "奶盖", "追风"]


def _url(rng: random.Random, platform: str) -> str:
    def pick(alphabet: str, n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))
    b62 = string.ascii_letters + string.digits
    return {
        "weibo": lambda: f"https://weibo.com/{pick(string.digits, 10)}/{pick(b62, 9)}",
        "tieba": lambda: f"https://tieba.baidu.com/p/{rng.randint(8_800_000_000, 9_300_000_000)}",
        "liuyan": lambda: f"https://liuyan.people.com.cn/threads/content?tid={rng.randint(21_000_000, 22_999_999)}",
        "xiaohongshu": lambda: f"https://www.xiaohongshu.com/explore/{pick('0123456789abcdef', 24)}",
        "douyin": lambda: f"https://www.douyin.com/video/74{pick(string.digits, 17)}",
        "zhihu": lambda: f"https://www.zhihu.com/question/{rng.randint(640_000_000, 690_000_000)}",
        "kuaishou": lambda: f"https://www.kuaishou.com/short-video/3x{pick('abcdefghijkmnpqrstuvwxyz23456789', 13)}",
        "toutiao": lambda: f"https://www.toutiao.com/article/74{pick(string.digits, 17)}/",
        "wechat": lambda: f"https://mp.weixin.qq.com/s/{pick(b62 + '-_', 22)}",
        "bilibili": lambda: f"https://www.bilibili.com/video/BV1{pick(b62, 9)}",
    }[platform]()


def _author(rng: random.Random, platform: str, voice: str) -> str:
    if platform == "liuyan":
        return f"网友{rng.randint(10_000_000, 99_999_999)}"
    if platform == "wechat" and voice == "wechat":
        return rng.choice(["深圳生活圈", "鹏城大小事", "街坊留言板", "湾区打工人", "深圳民生观察"])
    return rng.choice(HANDLE_A) + rng.choice(HANDLE_B) + (str(rng.randint(1, 999)) if rng.random() < .4 else "")


def _region(rng: random.Random, text: str, voice: str) -> str | None:
    for word, region in REGIONS.items():
        if word in text:
            return region
    if voice == "cantonese" and rng.random() < .3:
        return "中国香港"
    roll = rng.random()
    return "广东" if roll < .9 else ("湖南" if roll < .94 else ("湖北" if roll < .97 else None))


def main() -> None:
    catalogue = yaml.safe_load((HERE.parents[1] / "config" / "catalogue.yaml").read_text(encoding="utf-8"))
    items = catalogue["items"]
    rng = random.Random(20261112)
    start = datetime(2026, 11, 1, 7, 0, tzinfo=TZ)
    group_time: dict[str, datetime] = {}
    rows = []
    for entry in LEADS:
        platform, voice, district, street, item, urgent, dup, pii, why, title, text = entry
        category, department, sla, _ = items[item]
        rows.append((platform, voice, title, text, dict(
            is_lead=True, district=district, street=street, category=category, item=item,
            department=department, urgency="urgent" if urgent or sla == "urgent" else "general",
            dup_group=dup, pii=list(pii), why=why, kind="lead", voice=voice)))
    for entry in NEGATIVES:
        platform, voice, kind, district, street, pii, why, title, text = entry
        rows.append((platform, voice, title, text, dict(
            is_lead=False, district=district, street=street, category=None, item=None,
            department=None, urgency=None, dup_group=None, pii=list(pii), why=why, kind=kind,
            voice=voice)))
    # Times in writing order, so a follow-up or repost comes after the post it follows; the file
    # is then in time order, as a stream would be.
    timed = []
    for platform, voice, title, text, label in rows:
        if title and platform not in TITLED:
            raise SystemExit(f"title on {platform}: {text[:20]}")
        dup = label["dup_group"]
        if dup in group_time:  # a later post of an incident: minutes to hours after the one before
            when = group_time[dup] + timedelta(minutes=rng.randint(12, 300))
        else:
            when = start + timedelta(minutes=rng.randint(0, 29 * 24 * 60 - 1))
        if dup:
            group_time[dup] = when
        timed.append((when, platform, voice, title, text, label))
    timed.sort(key=lambda t: t[0])
    out = []
    for n, (when, platform, voice, title, text, label) in enumerate(timed, 1):
        out.append({
            "platform": platform, "post_id": f"h-{n:04d}", "url": _url(rng, platform),
            "author": _author(rng, platform, voice), "title": title,
            "text": text, "published_at": when.isoformat(timespec="seconds"),
            "ip_region": _region(rng, text, voice), "label": label})
    with open(HERE / "posts.jsonl", "w", encoding="utf-8") as f:
        for row in out:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(out)} posts")


if __name__ == "__main__":
    main()
