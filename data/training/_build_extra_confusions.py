"""Writes extra_confusions.jsonl: leads that hold the words of two catalogue items, labelled with
the one the catalogue gives the problem.

The item model confused pairs such as a fallen tree on a pavement (CS05, not the pavement's
DL03), a car left on a pavement (JT04), a loose shop sign (CS07, not a dangerous building's
AQ03), a stopped lift with old people stuck upstairs (XF06, not elderly care's MZ01), workers
waiting at a site for their pay (LD01, not site management's JS01) and trucks sounding their
horns at night (HJ05, not JS01's muck trucks). The corpus had few posts where both items'
words meet. These are written by hand for this file, for both sides of each pair.

    python data/training/_build_extra_confusions.py
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CATALOGUE = yaml.safe_load((HERE.parents[1] / "config" / "catalogue.yaml").read_text(encoding="utf-8"))
URLS = {"weibo": "https://m.weibo.cn/detail/{}", "tieba": "https://tieba.baidu.com/p/{}",
        "liuyan": "https://liuyan.people.com.cn/threads/content?tid={}",
        "xiaohongshu": "https://www.xiaohongshu.com/explore/{}",
        "douyin": "https://www.douyin.com/video/{}", "zhihu": "https://www.zhihu.com/question/{}"}
TITLED = {"tieba", "liuyan", "zhihu"}
VOICES = {"weibo": "weibo_short", "tieba": "tieba_colloquial", "liuyan": "liuyan_formal",
          "xiaohongshu": "xiaohongshu_note", "douyin": "douyin_caption", "zhihu": "zhihu_question"}
DAY = "2026-10-{:02d}T{:02d}:{:02d}:00+08:00"

# (item, district, street or None, platform, author, title, text, urgent by danger)
POSTS: list[tuple[str, str, str | None, str, str, str | None, str, bool]] = [
    # CS05: trees and branches down, whatever they landed on
    ("CS05", "南山区", "西丽街道", "weibo", "西丽晨跑人", None,
     "留仙大道辅道边一棵凤凰木昨晚断了半截，枝干横在人行道上，早上跑步只能绕到机动车道，园林的人还没来", False),
    ("CS05", "宝安区", "新安街道", "tieba", "新安打工仔", "新安公园门口的树倒了两天没人管",
     "就是公园南门那排榕树，有一棵连根翻起来斜靠在护栏上，底下的砖都拱起来了，路过的人都要低头钻过去", True),
    ("CS05", "福田区", "莲花街道", "xiaohongshu", "莲花北的猫", None,
     "风一吹小区外面那棵老树又掉了一大根枝😨 砸在人行道的单车上，幸好当时没人 树上还挂着几根断枝 #福田 #台风后", True),
    ("CS05", "龙华区", "民治街道", "liuyan", "民治居民", "民治街道某路段行道树倾斜请尽快处理",
     "民治街道人民路靠近学校一侧有多棵行道树在大风后明显倾斜，树根处土壤松动，树冠已压向人行道，每天有大量学生经过，请园林部门尽快扶正或修剪。", True),
    ("CS05", "罗湖区", "东湖街道", "douyin", "东湖阿强", None,
     "水库边那条绿道上几棵树被砍得只剩树桩，路边的绿化带也被挖了一半，说是要搞停车场？有没有人管 #罗湖 #东湖", False),
    ("CS05", "龙岗区", "横岗街道", "zhihu", "横岗小吕", "小区门口的树歪向马路该找谁处理？",
     "横岗街道我们小区门口有棵大叶榕往马路那边歪得很厉害，半边树根露在外面，下雨后更歪了，物业说不归他们管，这种情况该找哪个部门？", True),
    ("CS05", "坪山区", "坑梓街道", "weibo", "坑梓小许", None,
     "坑梓这边绿化带的灌木被人拔光拿去种菜了，整段都是黄土，一下雨泥就冲到人行道上", False),
    ("CS05", "光明区", "公明街道", "tieba", "公明老街坊", "公明这几棵树的枝都快碰到电线了",
     "公明街道老菜市场后面那排树好多年没修了，枝条都搭到电线上，刮风的时候噼啪响，晚上还看到冒火星", True),
    # DL03: the pavement itself broken, or taken by goods and stalls
    ("DL03", "福田区", "沙头街道", "weibo", "沙头上班族", None,
     "沙头这边人行道的地砖翘起来一大片，踩上去会翻，前天一个阿姨就在这里崴了脚，修了又坏修了又坏", False),
    ("DL03", "南山区", "南头街道", "tieba", "南头推婴儿车", "南头这段盲道被店家货物占满",
     "南头古城外面那段路，几家批发店把纸箱子全码在盲道上，推车的、拄拐的都得下到马路上走", False),
    ("DL03", "宝安区", "西乡街道", "liuyan", "西乡街道居民", "西乡街道某路段人行道塌陷破损",
     "西乡街道某路段人行道多处地砖碎裂、局部下沉形成坑槽，雨天积水，老人和儿童通行困难，请道路养护部门尽快修复。", False),
    ("DL03", "龙岗区", "布吉街道", "xiaohongshu", "布吉小蘑菇", None,
     "布吉地铁口旁边的人行道被建材堆了快一个月🧱 沙子水泥全摊在路上，只剩一条窄缝 #龙岗 #布吉", False),
    ("DL03", "罗湖区", "桂园街道", "douyin", "桂园老陈", None,
     "桂园这条街人行道的砖全松了，一踩就喷泥水，轮椅根本过不去，拍给大家看看 #罗湖", False),
    ("DL03", "龙华区", "大浪街道", "zhihu", "大浪路人", "人行道上的盲道断断续续算不算问题？",
     "大浪街道华荣路那一段盲道走着走着就断了，有的地方直接通到树坑和电箱上，视障的人走这里很容易撞，这种该向谁反映？", False),
    # JT04: vehicles left where they should not be, pavements included
    ("JT04", "南山区", "粤海街道", "weibo", "粤海码农小周", None,
     "科技园这边人行道上天天停满私家车，轮子直接压在砖上，走路的人只能在车缝里挤，也没见贴条", False),
    ("JT04", "福田区", "梅林街道", "tieba", "梅林住户", "梅林这边有台车霸占人行道好几周",
     "一台灰色面包车停在我们楼下人行道上，积了一层灰，轮胎都瘪了，打了好几次电话，说会来拖，到现在还在", False),
    ("JT04", "宝安区", "福永街道", "xiaohongshu", "福永小莉", None,
     "福永这条街的人行道被车停成了停车场🚗 推着娃只能走马路 谁来管管 #宝安 #乱停车", False),
    ("JT04", "龙岗区", "坂田街道", "liuyan", "坂田居民", "坂田街道某小区外道路车辆长期乱停",
     "坂田街道某小区外市政道路及人行道长期被车辆占用停放，部分车辆停放数周未移动，行人被迫走机动车道，请交警部门加强巡查。", False),
    ("JT04", "罗湖区", "黄贝街道", "douyin", "黄贝岭阿伯", None,
     "小区门口人行道被一排车占着，老人买菜回来都得绕到车道上，好几次差点被电动车撞 #罗湖 #黄贝岭", False),
    ("JT04", "龙华区", "观澜街道", "zhihu", "观澜小宋", "有人把车长期停在人行道上怎么投诉？",
     "观澜街道我家楼下的人行道上有两台车停了快两个月，盲道都压住了，车上留的电话打不通，应该打哪个电话让交警来处理？", False),
    ("JT04", "南山区", "蛇口街道", "weibo", "蛇口渔村人", None,
     "蛇口这边的人行道晚上全停满车，早上出门要侧身走，停车场明明有位置，就是图方便", False),
    ("JT04", "光明区", "光明街道", "tieba", "光明小吴", "光明大街的人行道停满货车",
     "光明街道那段人行道被几台小货车当成仓库，白天装卸晚上就停在那，砖都压碎了，走路只能走车道", False),
    # CS07: signs and billboards coming loose
    ("CS07", "福田区", "华强北街道", "weibo", "华强北搬砖", None,
     "振华路一家店门头的灯箱字掉了两个，剩下的用一根铁丝吊着，风一吹就转，正下方是店门口排队的人", True),
    ("CS07", "宝安区", "沙井街道", "tieba", "沙井老司机", "沙井这块广告牌快掉下来了",
     "沙井街道十字路口那块大广告牌，下面的螺丝锈断了，整块往前倾，下面就是公交站，有人在等车", True),
    ("CS07", "龙岗区", "龙城街道", "xiaohongshu", "龙城小葵", None,
     "商场外墙那块巨幅广告布被风撕开了一半🌬️ 在空中甩来甩去，底下还有人在拍照 #龙岗 #台风", True),
    ("CS07", "南山区", "南山街道", "liuyan", "南山街道商户", "南山街道某商业街招牌存在坠落隐患",
     "南山街道某商业街多家商铺招牌年久失修，固定件锈蚀，部分招牌已松动倾斜，悬挂于人行道上方，请城管部门督促整改。", True),
    ("CS07", "罗湖区", "笋岗街道", "douyin", "笋岗小马", None,
     "楼顶那块霓虹招牌的支架歪了，一半字已经不亮，刮风时咣咣响，底下天天有人路过 #罗湖 #笋岗", True),
    ("CS07", "龙华区", "龙华街道", "zhihu", "龙华阿杰", "商铺门头招牌松了一直不修，该找谁？",
     "龙华街道我家楼下一排商铺的门头招牌有一块已经脱开一个角，下雨时会往下滴铁锈水，店主说房东会修，拖了一个月了，这种该归哪个部门？", True),
    ("CS07", "坪山区", "坪山街道", "weibo", "坪山小周", None,
     "坪山这边路边的广告牌被车撞弯了，整块斜插在人行道上，边缘的铁皮很锋利，晚上根本看不见", True),
    # AQ03: buildings, walls and slopes that may fall
    ("AQ03", "罗湖区", "南湖街道", "weibo", "南湖老居民", None,
     "这栋老楼外墙的瓷砖一块一块往下掉，昨天又掉了几片砸在楼下的雨棚上，住户进出都得跑着走", True),
    ("AQ03", "南山区", "桃源街道", "tieba", "桃源住户", "桃源这边的山坡又有石头滚下来",
     "小区后面那片边坡这两天下雨，已经滚下来好几块石头，挡土墙也裂了一道缝，靠坡那栋楼的人都很担心", True),
    ("AQ03", "宝安区", "松岗街道", "liuyan", "松岗居民", "松岗街道某旧厂房墙体开裂倾斜",
     "松岗街道某废弃厂房临街一面墙体出现贯通裂缝并向外倾斜，紧邻人行道及公交站，请应急管理部门尽快评估处置。", True),
    ("AQ03", "福田区", "园岭街道", "xiaohongshu", "园岭小雨", None,
     "园岭这边一栋楼的空调外机架子锈穿了，外机半吊在三楼😱 下面是小朋友放学走的路 #福田", True),
    ("AQ03", "龙岗区", "园山街道", "douyin", "园山阿伟", None,
     "村里那栋没人住的旧房子屋顶塌了一半，墙也往外歪，旁边就是小孩玩的空地 #龙岗 #园山", True),
    # XF06: lifts and other special equipment, whoever is stuck
    ("XF06", "南山区", "招商街道", "weibo", "招商老街坊", None,
     "我们楼的电梯坏了两个星期，住十几楼的老人下不了楼，看病都得邻居背，物业只说在等配件", False),
    ("XF06", "福田区", "香蜜湖街道", "tieba", "香蜜湖业主", "电梯三天两头坏，今天又困了人",
     "香蜜湖街道这个小区的电梯今天下午又卡在两层中间，里面是一个阿婆和她孙子，关了快半小时才被放出来", True),
    ("XF06", "罗湖区", "翠竹街道", "liuyan", "翠竹街道住户", "翠竹街道某住宅电梯长期故障停运",
     "翠竹街道某住宅楼唯一一部电梯自上月起反复故障并停运，楼内多名高龄、行动不便老人长期无法下楼就医，请特种设备监管部门督促维修。", False),
    ("XF06", "龙岗区", "龙岗街道", "xiaohongshu", "龙岗小棉袄", None,
     "外婆住的楼电梯停了快一个月😢 她腿脚不好，一个月没下过楼，每次都是我们送菜上去 #龙岗 #电梯", False),
    ("XF06", "宝安区", "石岩街道", "douyin", "石岩小胖", None,
     "商场的扶梯突然反向溜了一下，好几个人摔倒了，现在还在照常开 #宝安 #石岩", True),
    ("XF06", "龙华区", "观湖街道", "zhihu", "观湖小杨", "小区电梯停了一个月，行动不便的老人怎么办？",
     "观湖街道我们小区一栋楼电梯停运快一个月了，物业说主板要从外地寄，楼里好几户八九十岁的老人出不了门，这种情况可以找哪里？", False),
    ("XF06", "南山区", "沙河街道", "weibo", "沙河小张", None,
     "沙河这边写字楼电梯今天早上往下坠了一层才停，里面七八个人吓坏了，下午照样开放使用", True),
    ("XF06", "盐田区", "海山街道", "tieba", "海山老住户", "老楼电梯门关不严还在运行",
     "海山街道这栋楼的电梯门关不上，留着一条缝就往上走，小孩手伸出去很危险，跟物业说了好几次", True),
    # MZ01: care for the elderly, no lift involved
    ("MZ01", "福田区", "福田街道", "weibo", "福田小谢", None,
     "社区的长者饭堂说是暂停，已经关了一个多月，楼下几个独居老人天天吃泡面", False),
    ("MZ01", "罗湖区", "东门街道", "liuyan", "东门居民", "东门街道某养老机构服务差",
     "东门街道某民办养老机构护理人员严重不足，老人长时间无人照料，多次出现老人摔倒后无人发现的情况，请民政部门核查。", False),
    ("MZ01", "宝安区", "航城街道", "xiaohongshu", "航城小甜", None,
     "爷爷住的那家日间照料中心，说好的康复训练三个月一次都没做过😤 钱照收 #宝安 #养老", False),
    ("MZ01", "龙岗区", "平湖街道", "tieba", "平湖孝子", "平湖这边的居家养老上门服务根本没人来",
     "登记了居家养老的上门服务，说一周两次来帮老人洗澡打扫，两个月了一次都没来，打电话就说人手不够", False),
    # LD01: wages owed, even when the workers wait at the site
    ("LD01", "南山区", "西丽街道", "weibo", "西丽搬砖工", None,
     "西丽那个楼盘的工地，我们班组四十多个人快半年没拿到钱，今天一早去项目部门口等，没人出来说话", False),
    ("LD01", "龙华区", "福城街道", "tieba", "福城泥水工", "福城这个工地的包工头又失联了",
     "干完活三个月了，包工头说开发商没给钱，现在电话也关机了，我们十几个人天天守在工地大门口", False),
    ("LD01", "宝安区", "燕罗街道", "liuyan", "燕罗农民工", "燕罗街道某建筑工地拖欠农民工工资",
     "燕罗街道某在建项目拖欠我们钢筋班组二十余人工资共计三十余万元，多次到项目部讨要均被推脱，恳请劳动监察部门介入。", False),
    ("LD01", "龙岗区", "宝龙街道", "douyin", "宝龙电工阿明", None,
     "年底了，宝龙那个厂房项目还欠着我们水电班的钱，项目经理就一句等甲方，兄弟们在工地门口坐了一天 #讨薪", False),
    ("LD01", "光明区", "凤凰街道", "zhihu", "凤凰小工", "工地完工了工钱还没结，去哪里投诉？",
     "凤凰街道一个学校扩建工程，我们做完油漆活两个月了，总包说钱给了分包，分包说没收到，工资一直拖着，这种找哪个部门？", False),
    ("LD01", "坪山区", "马峦街道", "xiaohongshu", "马峦小蔡", None,
     "我爸在马峦那边的工地干了大半年🥲 工钱一直只发生活费，现在工地停工了人都找不到 #深圳 #农民工", False),
    ("LD01", "福田区", "福保街道", "weibo", "福保装修师傅", None,
     "给福保一个写字楼做装修，完工验收都过了，老板拖着我们六个人的钱不给，去找就说下周下周", False),
    # JS01: the site itself: dust, mud, fences, muck trucks' loads
    ("JS01", "龙华区", "大浪街道", "weibo", "大浪窗台灰", None,
     "大浪这边工地天天不洒水，风一吹整条街都是灰，阳台上晾的衣服一天就黑了", False),
    ("JS01", "宝安区", "新桥街道", "tieba", "新桥路人甲", "新桥这边泥头车一路掉泥",
     "工地出来的泥头车车斗不盖，轮子也不冲，一路掉泥块，下雨天整条路都是黄泥汤，电动车摔了好几个", False),
    ("JS01", "南山区", "粤海街道", "douyin", "粤海小林", None,
     "工地的围挡倒了一截一直没扶，里面的钢筋直接露在人行道边上 #南山 #工地", False),
    ("JS01", "龙岗区", "吉华街道", "liuyan", "吉华居民", "吉华街道某工地扬尘严重",
     "吉华街道某在建工地裸土未覆盖、出入车辆未冲洗，扬尘严重，周边居民无法开窗，请住建部门督促落实防尘措施。", False),
    # HJ05: horns, revving and loud vehicles: noise, whoever drives them
    ("HJ05", "宝安区", "新安街道", "weibo", "新安失眠人", None,
     "每天凌晨两三点，一队泥头车从我们楼下过，一路按喇叭，整栋楼都被吵醒，窗户关上也没用", False),
    ("HJ05", "龙岗区", "横岗街道", "tieba", "横岗夜猫", "横岗这边半夜炸街的又来了",
     "一到十二点就有几台改装摩托在大道上来回轰油门，声音像放炮，已经连着一个星期了，睡不着", False),
    ("HJ05", "南山区", None, "xiaohongshu", "前海小卷", None,
     "楼下路口的货车每天早上五点就开始按喇叭排队进港😫 滴滴声一个多小时 #南山 #噪音", False),
    ("HJ05", "福田区", "福保街道", "liuyan", "福保居民", "福保街道某路段夜间车辆鸣笛扰民",
     "福保街道某路段夜间大型货车频繁通行并长时间鸣笛，严重影响周边居民休息，请交警部门在该路段加强鸣笛管控。", False),
    ("HJ05", "龙华区", "民治街道", "douyin", "民治阿珊", None,
     "半夜一点，泥头车司机在小区门口狂按喇叭叫人开闸，按了十几分钟 #龙华 #扰民", False),
    ("HJ05", "罗湖区", "清水河街道", "zhihu", "清水河小何", "货车每晚经过按喇叭，这种噪音归谁管？",
     "清水河街道我家窗外是货运通道，每晚十一点以后重型车一辆接一辆，过路口必按长喇叭，这种交通噪声扰民该向哪个部门反映？", False),
]


def main() -> None:
    out = []
    for n, (code, district, street, platform, author, title, text, danger) in enumerate(POSTS, start=1):
        item = CATALOGUE["items"][code]
        pid = f"xc-{n:04d}"
        assert (title is not None) == (platform in TITLED), pid
        out.append({
            "platform": platform, "post_id": pid, "url": URLS[platform].format(pid), "author": author,
            "title": title, "text": text, "published_at": DAY.format(1 + n % 28, 7 + n % 15, (n * 11) % 60),
            "ip_region": "广东",
            "label": {"is_lead": True, "district": district, "street": street, "category": item[0],
                      "item": code, "department": item[1],
                      "urgency": "urgent" if item[2] == "urgent" or danger else "general", "dup_group": None,
                      "pii": [], "why": f"两类事项的字眼都有，按目录归为：{item[3]}", "voice": VOICES[platform],
                      "kind": "lead", "template": f"xc-{code}-{n:02d}"},
        })
    with open(HERE / "extra_confusions.jsonl", "w", encoding="utf-8") as f:
        for row in out:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(len(out), "posts → extra_confusions.jsonl")


if __name__ == "__main__":
    main()
