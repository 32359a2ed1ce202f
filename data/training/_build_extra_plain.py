"""Writes extra_plain.jsonl: plain, short complaints about items whose words the corpus's
negatives use far more than its leads.

For these items (unpaid wages, street stalls, waterlogging, shoddy goods, fraud, potholes,
social insurance, prepaid refunds, water and power cuts, cooking fumes, rooftop building) the
corpus held three to ten negatives holding the item's words (notices, how-to questions, news of
a fix) for every lead, so a model trained on it read a plain complaint about them as a notice.
These are the other side, written by hand for this file: one resident, one problem, still there,
in everyday words and few of the stock complaint cues.

    python data/training/_build_extra_plain.py
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CATALOGUE = yaml.safe_load((HERE.parents[1] / "config" / "catalogue.yaml").read_text(encoding="utf-8"))
URLS = {"weibo": "https://m.weibo.cn/detail/{}", "tieba": "https://tieba.baidu.com/p/{}",
        "liuyan": "https://liuyan.people.com.cn/threads/content?tid={}",
        "xiaohongshu": "https://www.xiaohongshu.com/explore/{}"}
TITLED = {"tieba", "liuyan"}
DAY = "2026-10-{:02d}T{:02d}:{:02d}:00+08:00"

# (item, district, street, platform, voice, author, title, text, urgent_by_danger)
POSTS: list[tuple[str, str, str, str, str, str, str | None, str, bool]] = [
    ("LD01", "龙华区", "观澜街道", "weibo", "weibo_short", "打工的小刘", None,
     "观澜这边的五金厂，八月九月的钱到现在还没发，问就说下个月，房租都快交不起了", False),
    ("LD01", "宝安区", "松岗街道", "tieba", "tieba_colloquial", "松岗搬砖人", "松岗那个模具厂是不是要跑路",
     "干了四个月，只发了一个月，其他说等回款，组长都走了，有没有一起的兄弟，松岗街道这边", False),
    ("LD01", "龙岗区", "坪地街道", "liuyan", "liuyan_formal", "坪地务工人员", "关于坪地街道某包装厂未按时发放工资的反映",
     "我在坪地街道一家包装厂工作，厂方已连续三个月未发放工资，涉及二十余名员工，多次与厂方沟通无果，恳请相关部门督促支付。", False),
    ("LD01", "光明区", "马田街道", "xiaohongshu", "xiaohongshu_note", "阿琳不加班", None,
     "在马田这家奶茶店兼职两个月😮‍💨 老板一直拖着不给结工资，微信也不回了，学生党真的伤不起 #深圳兼职 #光明区", False),
    ("CS02", "罗湖区", "翠竹街道", "weibo", "weibo_short", "翠竹路住户", None,
     "翠竹街道水贝那条人行道，每天傍晚摆满卖水果卖炒粉的，推婴儿车根本过不去，只能走机动车道", False),
    ("CS02", "宝安区", "福永街道", "tieba", "tieba_colloquial", "福永老街坊", "福永地铁口天天被小摊堵死",
     "下班出地铁口，卖手抓饼的卖袜子的三轮车一排，人都挤不出来，城管来了就跑走了又回来，福永这边真的乱", False),
    ("CS02", "南山区", "南头街道", "liuyan", "liuyan_formal", "南头居民", "南头街道某小学门口流动摊贩占道问题",
     "南头街道某小学门口放学时段聚集大量流动摊贩，占用人行道和部分车道，学生上下学安全受影响，希望加强管理。", False),
    ("CS02", "龙华区", "大浪街道", "xiaohongshu", "xiaohongshu_note", "大浪小周", None,
     "大浪商业中心门口的路被煎饼摊烤肠摊占了一大半🙃 晚上油烟加拥堵，走路都得侧着身 #深圳生活 #龙华", False),
    ("PS01", "福田区", "福保街道", "weibo", "weibo_short", "福保上班族", None,
     "福保街道益田路那个下穿通道，一下雨就成河，今早水到小腿，车都熄火在里面了", False),
    ("PS01", "宝安区", "新桥街道", "tieba", "tieba_colloquial", "新桥小林", "新桥这边每次下雨都淹",
     "新桥街道上星路靠近菜市场那段，下点雨就积水一大片，电动车过去水都进电机了，这都好几年了也没人弄", False),
    ("PS01", "龙岗区", "南湾街道", "liuyan", "liuyan_formal", "南湾街道居民", "南湾街道某路段雨后长期积水",
     "南湾街道丹竹头附近一段道路排水不畅，每逢降雨即严重积水，行人车辆通行困难，请有关部门疏通排水设施。", False),
    ("PS01", "罗湖区", "清水河街道", "xiaohongshu", "xiaohongshu_note", "清水河打工人", None,
     "清水河这边路口又淹了🌧️ 鞋子全湿，公交站都站不了人 #深圳暴雨 #罗湖", False),
    ("XF02", "福田区", "华强北街道", "weibo", "weibo_short", "买了个寂寞", None,
     "在华强北一家店买的充电宝，用了三天就鼓包了，去找老板说人为损坏不给换，这种店谁管", False),
    ("XF02", "龙岗区", "布吉街道", "tieba", "tieba_colloquial", "布吉吃瓜", "布吉那家家具城卖的床板是坏的",
     "新买的实木床，送到才发现是拼的颗粒板，还裂了一条缝，商家就一句不退，布吉街道这边有人遇到过吗", False),
    ("XF02", "南山区", "桃源街道", "liuyan", "liuyan_formal", "桃源消费者", "反映桃源街道某电器店销售翻新冰箱",
     "本人在桃源街道某电器店购买的冰箱，使用一周即出现故障，维修人员称为翻新机，商家拒绝退换，请市场监管部门核查。", False),
    ("XF02", "宝安区", "西乡街道", "xiaohongshu", "xiaohongshu_note", "西乡小鱼干", None,
     "西乡步行街买的羽绒服洗了一次就跑毛掉绒😤 去店里说不退不换 #避雷 #深圳宝安", False),
    ("ZA02", "龙华区", "民治街道", "weibo", "weibo_short", "民治吴先生", None,
     "民治这边有人冒充物业收什么维修基金，我妈转了两千过去人就拉黑了，已经报警，大家小心", False),
    ("ZA02", "南山区", "西丽街道", "tieba", "tieba_colloquial", "西丽学生仔", "被刷单骗了三千",
     "在西丽宿舍被拉进一个群说做任务返现，第一单给了，后面就不给了，三千没了，这个能追回来吗", False),
    ("ZA02", "福田区", "莲花街道", "liuyan", "liuyan_formal", "莲花街道居民", "莲花街道老年人遭保健品诈骗问题",
     "我父亲在莲花街道参加所谓免费讲座后，被诱导购买数万元保健品，对方现已联系不上，恳请公安机关立案调查。", False),
    ("ZA02", "宝安区", "航城街道", "xiaohongshu", "xiaohongshu_note", "航城小美", None,
     "在航城租房被假中介骗了押金加三个月房租😭 钥匙给的是别人的房子 #深圳租房 #宝安", False),
    ("DL01", "龙岗区", "吉华街道", "weibo", "weibo_short", "吉华骑手", None,
     "吉华街道吉华路那段全是坑，昨晚骑车过去差点摔，外卖撒了一地，这路多久没修了", False),
    ("DL01", "坪山区", "坑梓街道", "tieba", "tieba_colloquial", "坑梓本地人", "坑梓这路还修不修了",
     "坑梓街道秀新那条路，坑一个接一个，下雨积水看不见，小车底盘都刮了好几次", False),
    ("DL01", "南山区", "沙河街道", "liuyan", "liuyan_formal", "沙河街道居民", "沙河街道某道路路面破损严重",
     "沙河街道白石洲附近一段道路路面破损，坑洼较多，夜间行车存在安全隐患，请有关部门尽快修复。", False),
    ("DL01", "盐田区", "海山街道", "xiaohongshu", "xiaohongshu_note", "海山跑步的", None,
     "海山这边跑步道旁边的路面塌了好几块🚧 晚上没灯特别容易崴脚 #深圳跑步 #盐田", False),
    ("LD02", "宝安区", "福海街道", "weibo", "weibo_short", "福海小何", None,
     "福海这家厂入职半年了，查了下社保一个月都没交，问人事就说试用期不交，这合法吗", False),
    ("LD02", "龙岗区", "园山街道", "tieba", "tieba_colloquial", "园山老哥", "公司扣了社保钱却没交",
     "工资条上每个月扣社保，结果去查根本没缴，园山街道那家物流公司，辞职了还不给补", False),
    ("LD02", "龙华区", "福城街道", "liuyan", "liuyan_formal", "福城务工人员", "福城街道某企业未为员工缴纳社会保险",
     "福城街道某电子企业长期未为员工缴纳社会保险，员工多次提出均被拒绝，请社保部门依法处理。", False),
    ("LD02", "光明区", "凤凰街道", "xiaohongshu", "xiaohongshu_note", "凤凰城打工妹", None,
     "在凤凰这边干了一年，离职才发现公司一直没给我交社保🙃 想问下去哪里投诉 #深圳社保 #光明", False),
    ("XF01", "福田区", "园岭街道", "weibo", "weibo_short", "园岭健身人", None,
     "园岭那家健身房突然关门，我年卡才用了两个月，群里几百人都退不了钱，老板失联", False),
    ("XF01", "南山区", "招商街道", "tieba", "tieba_colloquial", "招商街道宝妈", "孩子的英语课机构跑路了",
     "招商街道那家少儿英语，刚续了一万多的课，这周去发现门锁了，电话也打不通，有一样情况的家长吗", False),
    ("XF01", "宝安区", "燕罗街道", "liuyan", "liuyan_formal", "燕罗消费者", "燕罗街道某美容院拒不退还预付款",
     "本人在燕罗街道某美容院办理储值卡，余额八千余元，现该店以转让为由拒绝退款，请有关部门协调处理。", False),
    ("XF01", "龙岗区", "宝龙街道", "xiaohongshu", "xiaohongshu_note", "宝龙爱游泳", None,
     "宝龙这家游泳馆说装修暂停营业，三个月了还没开，次卡也不给退😡 #深圳避雷 #龙岗", False),
    ("SD01", "南山区", "桃源街道", "weibo", "weibo_short", "桃源村住户", None,
     "桃源这边从昨晚开始没水，也没看到通知，洗澡做饭全靠买桶装水，到底什么时候恢复", False),
    ("SD01", "龙岗区", "龙城街道", "tieba", "tieba_colloquial", "龙城小区业主", "我们小区又没水了",
     "龙城街道这个小区这个月第三次停水了，每次都不说原因，楼上老人提水爬六楼，太难了", False),
    ("SD01", "罗湖区", "莲塘街道", "liuyan", "liuyan_formal", "莲塘居民", "莲塘街道某小区频繁停水",
     "莲塘街道某小区近期频繁停水，且无提前通知，严重影响居民正常生活，请供水部门查明原因并及时恢复供水。", False),
    ("SD01", "宝安区", "石岩街道", "xiaohongshu", "xiaohongshu_note", "石岩住了三年", None,
     "石岩这边停水一天一夜了🚱 水龙头一滴都没有，物业说不知道 #深圳停水 #宝安", False),
    ("SD03", "福田区", "南园街道", "weibo", "weibo_short", "南园熬夜党", None,
     "南园这栋楼晚上又停电了，冰箱里的东西全坏了，一个星期停了三次，也没人说明原因", False),
    ("SD03", "龙华区", "观湖街道", "tieba", "tieba_colloquial", "观湖码农", "观湖这边停电好频繁",
     "观湖街道这片最近老是跳闸停电，在家办公的电脑一下就黑了，供电那边打电话也说不清楚", False),
    ("SD03", "坪山区", "石井街道", "liuyan", "liuyan_formal", "石井居民", "石井街道部分住户频繁停电问题",
     "石井街道部分住宅区近一个月频繁停电，每次持续数小时，居民生活受到严重影响，请供电部门排查线路。", False),
    ("SD03", "南山区", "南山街道", "xiaohongshu", "xiaohongshu_note", "南山小碗", None,
     "大夏天南山这边停电四个小时😵 空调停了热到睡不着，没有任何通知 #深圳停电 #南山", False),
    ("HJ07", "宝安区", "新安街道", "weibo", "weibo_short", "新安二楼住户", None,
     "楼下新开的烤鱼店，烟管直接对着我们家窗户，新安这边晚上开窗全是油烟味，衣服都是味", False),
    ("HJ07", "罗湖区", "南湖街道", "tieba", "tieba_colloquial", "南湖老住户", "楼下餐馆油烟熏死人",
     "南湖街道这栋老楼下面一排小饭馆，排烟就往楼上走，家里天天一股油味，老人咳得厉害", False),
    ("HJ07", "龙岗区", "平湖街道", "liuyan", "liuyan_formal", "平湖居民", "平湖街道某餐饮店油烟扰民",
     "平湖街道某住宅楼底商餐饮店未安装有效油烟净化设施，油烟直排居民住宅，请环保部门核查处理。", False),
    ("HJ07", "福田区", "华富街道", "xiaohongshu", "xiaohongshu_note", "华富小居", None,
     "楼下火锅店的油烟每天晚上飘进卧室🤢 窗户都不敢开 #深圳租房 #福田", False),
    ("CS03", "龙华区", "龙华街道", "weibo", "weibo_short", "龙华街道居民", None,
     "我们这栋楼顶有户人家一直在往上加，现在都快加出一层了，龙华街道这边到底有没有人管", False),
    ("CS03", "宝安区", "沙井街道", "tieba", "tieba_colloquial", "沙井村民", "村里有人在路边盖房",
     "沙井街道我们村口那块空地，这几天有人连夜砌墙搭棚，说要盖仓库，占了半条路", False),
    ("CS03", "南山区", "蛇口街道", "liuyan", "liuyan_formal", "蛇口业主", "蛇口街道某小区一楼住户违规扩建",
     "蛇口街道某小区一楼住户私自扩建院落、搭建彩钢棚，占用公共绿地，物业劝阻无效，请执法部门处理。", False),
    ("CS03", "光明区", "玉塘街道", "xiaohongshu", "xiaohongshu_note", "玉塘小树", None,
     "对面楼顶又多了一间彩钢房🏚️ 台风天看着就害怕 #深圳光明 #违建", False),
]


def main() -> None:
    out = []
    for n, (code, district, street, platform, voice, author, title, text, danger) in enumerate(POSTS, start=1):
        category, department, sla, name = CATALOGUE["items"][code]
        pid = f"xp-{n:04d}"
        assert (title is not None) == (platform in TITLED), pid
        out.append({
            "platform": platform, "post_id": pid, "url": URLS[platform].format(pid), "author": author,
            "title": title, "text": text, "published_at": DAY.format(1 + n % 28, 7 + n % 15, (n * 7) % 60),
            "ip_region": "广东",
            "label": {"is_lead": True, "district": district, "street": street, "category": category,
                      "item": code, "department": department,
                      "urgency": "urgent" if sla == "urgent" or danger else "general", "dup_group": None,
                      "pii": [], "why": f"居民直接反映，问题仍在：{name}", "voice": voice, "kind": "lead",
                      "template": f"xp-{code}-{n:02d}"},
        })
    with open(HERE / "extra_plain.jsonl", "w", encoding="utf-8") as f:
        for row in out:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(len(out), "posts → extra_plain.jsonl")


if __name__ == "__main__":
    main()
