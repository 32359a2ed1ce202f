"""Writes extra_reports.jsonl: leads told in a reporter's or a bystander's voice.

The corpus's news posts were all about incidents already dealt with (negatives), so a model
trained on it read any third-person, news-like or warning post as "not a lead". These are
the other side, written by hand for this file: an aggregator or local news account relaying
residents' unresolved complaints, a bystander warning others away from an ongoing hazard, a
victims' call to gather, a media tip-off. The problem is still there in every one of them.

    python data/training/_build_extra_reports.py
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CATALOGUE = yaml.safe_load((HERE.parents[1] / "config" / "catalogue.yaml").read_text(encoding="utf-8"))
ITEMS = {code: row for code, row in CATALOGUE["items"].items()}

URLS = {"weibo": "https://m.weibo.cn/detail/{}", "toutiao": "https://www.toutiao.com/article/{}/",
        "douyin": "https://www.douyin.com/video/{}", "wechat": "https://mp.weixin.qq.com/s/{}",
        "xiaohongshu": "https://www.xiaohongshu.com/explore/{}", "kuaishou": "https://www.kuaishou.com/short-video/{}",
        "forum": "https://bbs.example.cn/thread/{}", "zhihu": "https://www.zhihu.com/question/{}"}

# (item, district, street, platform, voice, author, title, text, urgent_by_danger, pii)
POSTS: list[tuple[str, str, str | None, str, str, str, str | None, str, bool, list[str]]] = [
    ("CS04", "坪山区", "马峦街道", "toutiao", "news_relay", "坪山民生观察", "马峦一社区主干道路灯坏了半个月",
     "有居民向本号反映，马峦街道某社区主干道十几盏路灯已经连续半个月不亮，晚上下班回家全靠手机照明，"
     "社区工作人员表示已上报，但至今没有人来维修。", False, []),
    ("HJ07", "南山区", "蛇口街道", "weibo", "news_relay", "蛇口生活圈", None,
     "【网友报料】蛇口老街一排烧烤店的排烟管直接对着居民楼窗户，住在三楼的阿姨说一到傍晚家里就全是油烟味，"
     "衣服都不敢晒，投诉过几次还是照旧。@南山城管", False, []),
    ("PS02", "龙岗区", "横岗街道", "toutiao", "news_relay", "龙岗街坊", "横岗一小区下水道反涌 居民出门要踮脚",
     "横岗街道一小区楼下的下水道这几天不停往外冒黑水，单元门口积了一大摊，气味刺鼻。居民称物业只拿沙袋挡了一下，"
     "问题到现在都没处理。", False, []),
    ("LD01", "宝安区", "沙井街道", "wechat", "news_relay", "沙井资讯", "沙井一电子厂停工 数十名工人两个月工资没着落",
     "读者来信：沙井街道一家做线材的小厂上个月突然停工，老板电话打不通，三十多名工人两个月的工资一分没拿到。"
     "工人们已经到劳动监察大队登记，目前还在等消息。", False, []),
    ("DL03", "福田区", "华富街道", "weibo", "news_relay", "福田身边事", None,
     "有市民拍到华富路一段人行道上的盲道被共享单车和快递三轮车占得满满当当，视障人士根本没法走，"
     "这种情况已经持续好几周了，希望相关部门来管一管。", False, []),
    ("JT05", "龙华区", "大浪街道", "douyin", "news_relay", "大浪那些事", None,
     "粉丝私信：大浪华荣路和浪荣路交叉口的红绿灯这两天一直黄灯闪，早高峰车和人抢着过，好几次差点撞上，"
     "到现在还没人来修 #深圳 #龙华", True, []),
    ("CS01", "罗湖区", "笋岗街道", "weibo", "news_relay", "罗湖小喇叭", None,
     "接到多位居民反映，笋岗一城中村巷口的垃圾点已经三天没人清运，垃圾堆到路中间，天气一热苍蝇到处飞。"
     "居民希望尽快安排清运。", False, []),
    ("SD01", "光明区", "公明街道", "toutiao", "news_relay", "光明新鲜事", "公明多个小区停水超20小时 居民排队接水",
     "公明街道多个小区从昨天中午开始停水，至今已超过20小时，事先没有任何通知。不少居民只能拎着桶到附近商铺接水，"
     "老人和小孩的家庭尤其困难。", False, []),
    ("WY01", "南山区", "桃源街道", "wechat", "news_relay", "西丽桃源生活", "业主联名：物业费涨了服务却更差",
     "桃源街道某小区近百户业主联名反映，物业今年把物业费从每平米2.8元涨到3.5元，但电梯坏了一周没人修，"
     "地下车库的灯也一直不亮，业主要求物业公开账目。", False, []),
    ("XF03", "大鹏新区", "南澳街道", "weibo", "news_relay", "大鹏旅游避坑", None,
     "游客反映：南澳一家海鲜排档菜单不标价，结账时一只蟹按八百块收，问了说按斤称，问多了老板还拍桌子。"
     "已经有好几个游客遇到同样的事情。", False, []),
    ("AQ02", "龙岗区", "布吉街道", "douyin", "warning", "布吉小王", None,
     "提醒一下住布吉这栋楼的邻居，二楼那户天天把电瓶车推进楼道里充电，插线板就放在纸箱上，楼道只有一个出口，"
     "真要烧起来谁都跑不掉，物业说了也没用 #消防安全", True, []),
    ("AQ03", "罗湖区", "东门街道", "weibo", "warning", "东门路人甲", None,
     "走东门老街的注意了！那栋老楼外墙的瓷砖一块块往下掉，刚才就在我前面两米砸碎一块，下面每天那么多人走过，"
     "也没见谁来拉个警戒线。", True, []),
    ("CS05", "福田区", "莲花街道", "weibo", "warning", "莲花山脚下", None,
     "路过莲花路公交站的朋友小心，站台旁边那棵大榕树昨晚被风吹得整棵歪过来了，树根都翘起来了，"
     "底下还有人在等车，感觉随时会倒。", True, []),
    ("DL02", "宝安区", "新安街道", "douyin", "warning", "新安老街坊", None,
     "大家晚上走新安二路那段要看着脚下，人行道上有个井口盖子没了，就剩个黑窟窿，旁边只放了一个塑料桶，"
     "我刚才差点一脚踩进去 #宝安", True, []),
    ("SD05", "龙华区", "龙华街道", "weibo", "warning", "龙华打工仔", None,
     "住龙华街道那个城中村的注意，巷子里从中午开始一直有很重的煤气味，好几家餐馆还在开火，"
     "打了燃气公司电话说会派人，到现在还没人来，大家别在巷子里抽烟！", True, []),
    ("JS02", "南山区", "西丽街道", "weibo", "warning", "西丽通勤人", None,
     "西丽留仙大道边上那个工地的塔吊今天下午一直在大风里晃，吊着的钢筋就在人行道上方转来转去，"
     "工地也没有封路，路过的人都是从底下走的，看得心惊胆战。", True, []),
    ("PS01", "福田区", "沙头街道", "weibo", "warning", "车公庙上班族", None,
     "车公庙地铁站C口外面的路已经变成河了，水没过小腿，有电动车在水里熄火，还有人抱着小孩趟水过马路，"
     "大家出门绕一下吧。", False, []),
    ("DL06", "龙岗区", "坂田街道", "kuaishou", "warning", "坂田骑手阿杰", None,
     "兄弟们送单走坂田五和大道辅道的小心，路边塌了一个大坑，有一米多深，边上还在往下掉土，"
     "就拿了几个锥桶围着，晚上根本看不清 #外卖骑手", False, []),
    ("ZA03", "宝安区", "西乡街道", "weibo", "warning", "西乡夜归人", None,
     "刚刚在西乡步行街那边看到几个人拿着棍子追着一个人打，现场很乱，已经有人报警了，"
     "附近的朋友先别往那边去。", False, []),
    ("HJ08", "光明区", "新湖街道", "douyin", "news_relay", "光明随手拍", None,
     "网友拍到新湖街道一条河涌的排水口一直往外冒乳白色的水，河面一层泡沫，岸边还有死鱼，"
     "附近居民说这种情况晚上更严重，怀疑有厂在偷排 #光明", False, []),
    ("XF01", "龙华区", "民治街道", "weibo", "victims_call", "民治维权群", None,
     "民治那家少儿英语培训机构关门的家长看过来：门口贴了停业通知，老师都联系不上，我们群里已经有六十多个家庭，"
     "大部分还剩几十节课没上。大家把合同和转账截图整理好，明天一起去市场监管所反映。", False, []),
    ("WY06", "福田区", "香蜜湖街道", "weibo", "victims_call", "香蜜湖租客", None,
     "在香蜜湖附近租了某长租公寓的朋友们注意，公寓运营方这个月开始不交房租给房东了，已经有房东上门换锁赶人，"
     "押金和预付的半年租金都要不回来。受影响的租客可以私信我一起登记情况。", False, []),
    ("LD05", "罗湖区", "南湖街道", "xiaohongshu", "victims_call", "找工作的小鹿", None,
     "被火车站附近那家“高薪招聘”中介坑的姐妹看这里！交了五百块体检费和服装费，说好的工作去了根本不存在，"
     "再回去中介门都关了。目前已经有十几个人找到我，准备一起去报警和找劳动部门 #深圳找工作 #避雷", False, []),
    ("ZA02", "南山区", "南山街道", "weibo", "victims_call", "南山被骗的阿勇", None,
     "南山这边有没有人也被那个“代还信用卡”的团伙骗了？他们在南山街道租了个办公室，先收服务费再说帮你分期，"
     "钱一到账人就跑了，我已经报警，想找更多受害者一起提供线索。", False, []),
    ("JT08", "宝安区", "福永街道", "toutiao", "news_relay", "福永视界", "福永地铁站口黑车揽客 乘客被加价",
     "有乘客向本号反映，每到晚上福永地铁站出口就有一排黑车和摩的拉客，说好二十块到了地方变成六十，"
     "不给就不让下车。附近居民称这种情况已经持续很久。", False, []),
    ("YL01", "龙岗区", "龙城街道", "weibo", "news_relay", "龙城热线", None,
     "市民反映：龙城一家医院急诊晚上只有一个医生值班，昨晚有发烧的小孩等了三个多小时还没看上，"
     "家属去问护士只说人手不够，希望医院想想办法。", False, []),
    ("MZ01", "盐田区", "沙头角街道", "wechat", "news_relay", "沙头角街坊", "老人反映社区长者饭堂停了一个多月",
     "沙头角一社区的长者饭堂上个月突然停了，几十位独居老人只能自己做饭或者吃泡面。老人们找到社区，"
     "得到的答复是在换运营方，什么时候恢复还不知道。", False, []),
    ("JY02", "宝安区", "航城街道", "weibo", "news_relay", "航城家长圈", None,
     "有家长反映，航城一所民办学校开学后又另收了一笔“校服升级费”和“课后服务费”，每人一千多，"
     "不交就不让孩子参加下午的课，家长们想知道这样收费合不合规。", False, []),
    ("TX01", "坪山区", "坑梓街道", "weibo", "news_relay", "坪山发布墙", None,
     "坑梓街道几个新小区的业主反映，家里手机信号一直只有一格，进电梯、地下车库就完全没信号，"
     "打电话要跑到阳台上，已经向运营商报了几次都没改善。", False, []),
    ("JS01", "龙华区", "观澜街道", "douyin", "news_relay", "观澜随拍", None,
     "网友投稿：观澜大道旁边的工地泥头车进出不冲洗，整条路一层黄泥，晴天尘土飞扬，下雨一地泥浆，"
     "路边的店铺天天在擦灰 #观澜 #扬尘", False, []),
    ("HJ02", "福田区", "福保街道", "weibo", "news_relay", "福保邻里", None,
     "居民反映，福保街道一小区楼下的空地每天晚上九点后还有人开着大音响跳舞，一直到十一点，"
     "家里有中考的孩子根本没法学习，去劝了几次对方还骂人。", False, []),
    ("CS02", "南山区", "粤海街道", "weibo", "news_relay", "粤海街坊", None,
     "有网友反映，深大地铁站出口每天晚上都被流动摊档占满，油锅就架在人行道中间，行人只能走到机动车道上，"
     "希望城管能来管一管。", False, []),
    ("WT01", "宝安区", "石岩街道", "xiaohongshu", "warning", "周末遛娃", None,
     "带娃去石岩那个公园的家长注意！儿童游乐区的滑梯有一块护栏松了，小朋友一靠就晃，下面是硬地面，"
     "已经跟公园管理处说了，但今天去看还没修，大家先别让孩子上去玩 #深圳遛娃", True, []),
    ("SD03", "罗湖区", "翠竹街道", "weibo", "news_relay", "翠竹街坊群", None,
     "翠竹一带从晚上七点停电到现在，整个片区黑漆漆的，小区电梯里还困过人，供电局电话一直占线，"
     "居民希望尽快恢复供电。", True, []),
    ("XF04", "福田区", "梅林街道", "weibo", "warning", "梅林吃货", None,
     "提醒在梅林上班的同事，写字楼下新开的那家快餐，今天中午我们部门吃完有五个人肚子疼上吐下泻，"
     "已经有两个去了医院，大家这几天先别点他家了。", True, []),
    ("JT04", "龙岗区", "龙岗街道", "weibo", "news_relay", "龙岗街道事", None,
     "街坊反映，龙岗街道某菜市场门口的路两边天天被私家车双排停满，公交车过不去，早上堵成一锅粥，"
     "交警偶尔来贴单，走了之后又照旧。", False, []),
    ("CS10", "南山区", "招商街道", "weibo", "news_relay", "招商片区", None,
     "有居民反映，招商街道好几栋老楼的楼道墙上贴满了开锁、办证的小广告，刚刷的墙没几天又被贴花了，"
     "还有人用喷漆在外墙上写电话号码。", False, []),
    ("HJ10", "福田区", "福田街道", "weibo", "news_relay", "福田夜归人", None,
     "市民反映：福田街道一栋商业楼外立面的大屏幕通宵亮着，强光直接照进对面住宅，居民装了遮光窗帘还是晃眼，"
     "晚上根本睡不着。", False, []),
    ("ZA05", "龙华区", "观湖街道", "weibo", "warning", "观湖跑步人", None,
     "观湖那边晚上跑步的注意，小区门口有一只大狗没拴绳，已经追咬过两个路人，主人就在旁边看手机，"
     "说了还嫌我们多事，带小孩的千万小心。", True, []),
    ("JT02", "罗湖区", "黄贝街道", "weibo", "news_relay", "罗湖通勤观察", None,
     "乘客反映，今早地铁在黄贝岭站附近停了二十多分钟，车厢里又闷又挤，广播只说“临时故障”，"
     "有人身体不舒服也没有工作人员过来。", False, []),
    ("YL04", "宝安区", "松岗街道", "toutiao", "news_relay", "松岗身边事", "松岗一城中村“诊所”无证输液",
     "有居民报料，松岗街道一城中村里有个挂着“便民药店”牌子的小门面，里面却在给人打吊针，"
     "没有看到任何执业资质，经常有老人和小孩去。居民担心出事。", False, []),
    ("SD07", "南山区", "沙河街道", "weibo", "news_relay", "沙河业主之声", None,
     "沙河一小区多位业主反映，这两个月水费突然翻了一倍多，家里用水习惯没变，物业说是水表换了新的，"
     "业主要求重新核表但一直没有回复。", False, []),
    ("AQ05", "宝安区", "福海街道", "weibo", "warning", "福海租客", None,
     "提醒住福海那栋群租楼的人，房东把每层都隔成了十几个小间，走廊堆满杂物，消防栓是空的，"
     "楼梯间的门还锁着，出了事根本跑不出去。", True, []),
    ("WY04", "龙岗区", "南湾街道", "weibo", "news_relay", "南湾街坊", None,
     "南湾一城中村的居民反映，村里的门禁坏了大半年，外来车辆随便进出，晚上巷子里乱停乱放，"
     "消防车都开不进来，村股份公司说没钱修。", False, []),
    ("JT01", "光明区", "凤凰街道", "weibo", "news_relay", "凤凰城居民", None,
     "凤凰城片区居民反映，片区唯一一条通往地铁站的公交线路最近把班次减到半小时一趟，早高峰站台排长队，"
     "很多人只能打车或者走二十分钟去地铁。", False, []),
    ("ZW01", "福田区", "园岭街道", "weibo", "news_relay", "园岭热线", None,
     "有市民反映，去园岭附近的政务服务中心办事，叫号机坏了一上午，大家只能在门口站着排队，"
     "窗口只开了两个，办一个证件等了四个小时。", False, []),
    ("LD03", "南山区", "西丽街道", "zhihu", "news_relay", "匿名用户", "西丽一科技公司集体辞退不给补偿，该找哪个部门？",
     "替几个前同事问一下：西丽一家做硬件的公司上周一次性通知二十多人“末位淘汰”，当天就让交工牌，"
     "不签协商解除就不发上个月工资，也不给补偿。大家准备去劳动仲裁，想问问流程。", False, []),
    ("CS03", "宝安区", "燕罗街道", "weibo", "news_relay", "燕罗民生", None,
     "燕罗街道一位居民反映，隔壁楼的业主在楼顶又加盖了一层铁皮房，还在往外挑，施工时砖头掉到巷子里，"
     "向社区反映后只来看了一眼，现在还在继续搭。", True, []),
]

DAY = "2026-11-{:02d}T{:02d}:{:02d}:00+08:00"


def main() -> None:
    out = []
    for n, (code, district, street, platform, voice, author, title, text, danger, pii) in enumerate(POSTS, start=1):
        category, department, sla, name = ITEMS[code]
        pid = f"xr-{n:04d}"
        for p in pii:
            assert p in text, (pid, p)
        out.append({
            "platform": platform, "post_id": pid, "url": URLS[platform].format(pid), "author": author,
            "title": title, "text": text, "published_at": DAY.format(1 + n % 27, 7 + n % 15, (n * 7) % 60),
            "ip_region": "广东",
            "label": {"is_lead": True, "district": district, "street": street, "category": category,
                      "item": code, "department": department,
                      "urgency": "urgent" if sla == "urgent" or danger else "general", "dup_group": None,
                      "pii": pii, "why": f"转述或提醒，问题仍未解决：{name}", "voice": voice, "kind": "lead",
                      "template": f"xr-{code}-{n:02d}"},
        })
    with open(HERE / "extra_reports.jsonl", "w", encoding="utf-8") as f:
        for row in out:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(len(out), "posts → extra_reports.jsonl")


if __name__ == "__main__":
    main()
