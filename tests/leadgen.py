"""A generated year of leads with planted recurring problems (tests and benchmarks/analytics.py).

Ordinary leads: items and streets drawn with fixed uneven weights (some items and streets are
simply busier), times spread over 52 weeks, each with a plausible lifecycle (rejected, merged,
pending, or dispatched → 签收 → 办结, with some 退单), departments of uneven speed.

Planted (the analysis must find them):
- three recurring problems: prepaid gyms closing across 龙岗区's streets in the last three weeks
  (a district-wide case), e-bike charging in 福田区沙头街道's urban villages rising over twelve
  weeks, night-time construction noise from one site at 南山区粤海街道's 大冲村 for ten weeks;
- a recurrence after 办结: a blocked sewer at 罗湖区东门街道, resolved, then back four times within
  30 days (and once more after 30 days, which is not a recurrence).

The posts are this module's own writing. Leads are built as civicwatch.models.Lead and inserted
as the store's documents (`seed`): test and benchmark setup only.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from civicwatch.config import Config
from civicwatch.lifecycle import deadline_for, work_order_id_for
from civicwatch.models import Decision, HistoryEntry, Lead, LeadState, Outbox, Source
from civicwatch.weeks import week_end, week_start

PLATFORMS = ("weibo", "douyin", "xiaohongshu", "tieba", "zhihu", "toutiao", "liuyan", "forum")
VERIFIERS = ("alice", "bob", "chen")
# Departments that answer slowly or return many work orders (the others: 90 % on time, 5 % 退单).
SLOW_DEPARTMENTS = {"ZJ": (0.55, 0.22), "CG": (0.78, 0.12), "JTYS": (0.85, 0.08)}

OPENERS = ("{place}这边", "住在{place}的邻居们，", "{place}附近", "有没有人管管{place}，", "{place}又是老样子，",
           "今天路过{place}，", "我们{place}", "反映一下{place}的情况：")
CATEGORY_LINES = {
    "HJ": ("吵得整晚睡不好", "味道呛得窗户都不敢开", "孩子第二天上学都没精神"),
    "CS": ("垃圾堆了好几天没人收", "路灯黑了一整条街", "摊子把人行道占满了"),
    "JT": ("等车等了四十分钟", "路口天天堵成停车场", "乱停的车把路都挡了"),
    "DL": ("路面坑坑洼洼", "井盖松了一踩就响", "盲道被挖断了"),
    "XF": ("交了钱就找不到人了", "买到的东西用两天就坏", "收费单上多了好几项"),
    "LD": ("工资拖了两个月还没发", "公司不给交社保", "说辞退就辞退"),
    "WY": ("物业费涨了服务没变", "房东押金一直不退", "电梯坏了一周没人修"),
    "SD": ("又停水了也没提前通知", "水龙头出来的水是黄的", "电压忽高忽低"),
    "PS": ("一下雨就淹到小腿", "下水道反味，污水冒到路上", "排水沟堵死了"),
    "JY": ("学位申请材料来回跑了四趟", "学校额外收费", "培训机构说关就关"),
    "YL": ("挂号排了三个小时", "医保报销手续太复杂", "打疫苗的点人满为患"),
    "MZ": ("老人院床位排不上", "救助申请一直没有回音", "无障碍坡道被堵"),
    "ZA": ("最近小偷很多", "有人打着客服的名义骗钱", "夜里有人在楼下闹事"),
    "AQ": ("消防通道被杂物堵死", "楼道里拉着电线给电动车充电", "外墙的瓷砖往下掉"),
    "JS": ("泥头车撒得满地是土", "工地围挡歪了", "塔吊离居民楼太近"),
    "TX": ("手机一格信号都没有", "宽带三天两头断", "基站装好了一直不开通"),
    "WT": ("公园的健身器材坏了", "体育馆预约不到", "景区门口宰客"),
    "ZW": ("窗口办事要排一上午", "热线打了十几次没人接", "网上平台一直提交失败"),
}
CLOSERS = ("希望有关部门管一管。", "已经反映过一次了，还是没变化。", "拍了照片，大家评评理。", "谁能帮忙问问？",
           "麻烦相关部门尽快处理。", "")

GYM_NAMES = ("动能健身", "铁馆健身工作室", "悦动游泳健身", "燃脂训练营", "力行健身会所", "跃步瑜伽馆")
GYM_LINES = ("{gym}突然关门了，我办的年卡还剩大半年，前台电话打不通。",
             "{place}的{gym}人去楼空，门口贴了张装修通知，会员费怎么办？",
             "刚续费的{gym}私教课，第二天就锁门了，群里几十个会员在问退款。",
             "{gym}老板失联，卷走预付款，{place}这边已经是这个月第几家了？")
CHARGING_VILLAGES = ("上沙村", "沙尾村", "沙嘴村", "新洲村")
CHARGING_LINES = ("{village}出租屋楼道里一排电动车在充电，电线从三楼窗口吊下来，太吓人了。",
                  "{village}昨晚又有电动车充电起火，烟从楼梯间往上冒，住户都跑到街上。",
                  "{village}握手楼底下飞线充电，插排泡在积水里，迟早出事。",
                  "{village}有人把电池拎回房间充一整夜，隔壁就是小孩住的房间。")
NOISE_LINES = ("大冲村旁边的工地凌晨一点还在打桩，整栋楼都在震。",
               "大冲村工地夜里灯火通明，电锯声一直响到三点。",
               "又是大冲村那个工地，半夜混凝土罐车进进出出，喇叭不停。",
               "大冲村工地说好晚上十点停工，结果今晚又施工到凌晨。")
SEWER_LINES = ("东门老街后面那条巷子下水道又堵了，污水漫到店门口。",
               "东门老街的下水道上个月才疏通过，今天又冒黑水了。",
               "东门老街巷口污水外溢，味道熏得店都开不了门。")


@dataclass
class Plan:
    """What was planted, for assertions."""

    cases: list[str] = field(default_factory=list)        # the three case keys, as CaseKey strings
    recurrence_resolved: str = ""                          # the resolved work order's lead id
    recurrence_leads: list[str] = field(default_factory=list)  # back within 30 days
    late_return: str = ""                                  # back after 30 days: not a recurrence


class LeadGenerator:
    """Leads of the 52 weeks ending with `end_week`; `now` is the Monday 09:00 after it."""

    def __init__(self, config: Config, *, end_week: str = "2026-W48", ordinary: int = 8000,
                 seed: int = 15) -> None:
        self.catalogue = config.catalogue
        self.gazetteer = config.gazetteer
        self.end_week = end_week
        self.ordinary = ordinary
        self.rng = random.Random(seed)
        self.end = week_end(end_week)
        self.start = self.end - timedelta(weeks=52)
        self.now = self.end + timedelta(hours=9)
        self.plan = Plan()
        self._n = 0
        items = sorted(self.catalogue.items)
        self._items = items
        self._item_w = [self.rng.lognormvariate(0, 0.8) for _ in items]
        self._streets = [(d.name, s.name) for d in self.gazetteer.districts for s in d.streets]
        self._street_w = [self.rng.lognormvariate(0, 0.6) for _ in self._streets]
        # the planted ones grow with the volume, so they stand out at any scale
        self.weekly_rate = max(4.0, ordinary / 52 * 0.004)

    # --- building one lead -------------------------------------------------------------

    def _text(self, item: str, place: str) -> str:
        it = self.catalogue.items[item]
        line = self.rng.choice(CATEGORY_LINES.get(it.category, ("问题一直没解决",)))
        name = it.name.split("(")[0].split("、")[0]
        return f"{self.rng.choice(OPENERS).format(place=place)}{name}的问题：{line}，{self.rng.choice(CLOSERS)}"

    def _history(self, discovered: datetime, urgency: str, department: str, fate: str,
                 resolve: bool) -> list[tuple[datetime, str, str, LeadState, str | None]]:
        """(at, actor, action, to_state, reason) steps of one lead, before being cut at `now`."""
        rng = self.rng
        steps: list[tuple[datetime, str, str, LeadState, str | None]] = [
            (discovered, "system", "discovered", LeadState.PENDING_REVIEW, None)]
        t = discovered + timedelta(minutes=rng.uniform(10, 90))
        if fate == "reject":
            steps.append((t, rng.choice(VERIFIERS), "reject", LeadState.REJECTED,
                          rng.choice(("广告信息", "非深圳本地问题", "信息不实"))))
            return steps
        if fate == "pending":
            return steps
        on_time_p, return_p = SLOW_DEPARTMENTS.get(department, (0.9, 0.05))
        sla = self.catalogue.sla_minutes.get(urgency, 120)
        steps.append((t, rng.choice(VERIFIERS), "verify_and_dispatch", LeadState.DISPATCHED, None))
        if rng.random() < return_p:
            t += timedelta(hours=rng.uniform(1, 30))
            steps.append((t, "dispatch", "退单", LeadState.RETURNED, "不属于本单位职责"))
            t += timedelta(hours=rng.uniform(1, 6))
            steps.append((t, rng.choice(VERIFIERS), "verify_and_dispatch", LeadState.DISPATCHED, None))
        waited = rng.uniform(3, sla) if rng.random() < on_time_p else rng.uniform(sla * 1.1, sla * 6)
        t += timedelta(minutes=waited)
        steps.append((t, "dispatch", "签收", LeadState.ACCEPTED, None))
        if resolve:
            t += timedelta(days=rng.uniform(1, 12))
            steps.append((t, "dispatch", "办结", LeadState.RESOLVED, None))
        return steps

    def lead(self, item: str, district: str | None, street: str | None, discovered: datetime, text: str,
             *, fate: str | None = None, resolve: bool | None = None,
             steps: list[tuple[datetime, str, str, LeadState, str | None]] | None = None) -> Lead:
        rng = self.rng
        self._n += 1
        platform = rng.choice(PLATFORMS)
        post_id = f"g{self._n:07d}"
        lead_id = f"lead:{platform}:{post_id}"
        it = self.catalogue.items[item]
        if fate is None:
            roll = rng.random()
            recent = self.now - discovered < timedelta(days=10)
            fate = ("reject" if roll < 0.22 else "merge" if roll < 0.25
                    else "pending" if recent and roll < 0.45 else "dispatch")
        if resolve is None:
            resolve = rng.random() < 0.85
        if fate == "merge":
            fate, merged = "reject", True
        else:
            merged = False
        history = steps or self._history(discovered, it.sla, it.department, fate, resolve)
        kept = [s for s in history if s[0] <= self.now]
        entries, prev = [], None
        for at, actor, action, to_state, reason in kept:
            entries.append(HistoryEntry(at=at, actor=actor, action=action, from_state=prev, to_state=to_state,
                                        reason=reason))
            prev = to_state
        state = kept[-1][3]
        if merged:
            state = LeadState.MERGED
            entries[-1] = entries[-1].model_copy(update={"action": "merge", "to_state": LeadState.MERGED,
                                                         "reason": "并入同一事件"})
        dispatches = [s for s in kept if s[3] == LeadState.DISPATCHED]
        order_id = work_order_id_for(lead_id) if dispatches else None
        outbox = Outbox(state="delivered", dispatch_no=len(dispatches), created_at=dispatches[-1][0],
                        delivered_at=dispatches[-1][0], document={"service_request_id": order_id},
                        entry_id="0-0") if dispatches else None
        decision = Decision(platform=platform, post_id=post_id, is_lead=True, score=0.8, district=district,
                            street=street, category=it.category, item=item, department=it.department,
                            urgency=it.sla, text_masked=text, matched=[], reasons=["生成的线索"])
        return Lead(
            _id=lead_id, state=state, version=len(entries), decision=decision,
            sources=[Source(key=f"{platform}:{post_id}", platform=platform,
                            url=f"https://example.org/{platform}/{post_id}",
                            published_at=discovered - timedelta(minutes=rng.uniform(1, 30)), fetched_at=discovered)],
            discovered_at=discovered, deadline=deadline_for(discovered, it.sla, self.catalogue.sla_minutes),
            history=entries, work_order_id=order_id, outbox=outbox,
            merged_into="lead:weibo:g0000001" if merged else None,
            return_reason="不属于本单位职责" if state == LeadState.RETURNED else None,
        )

    # --- the year ------------------------------------------------------------------------

    def _when(self, start: datetime, end: datetime) -> datetime:
        seconds = (end - start).total_seconds()
        return start + timedelta(seconds=self.rng.uniform(0, seconds))

    def ordinary_leads(self) -> Iterator[Lead]:
        rng = self.rng
        items = rng.choices(self._items, self._item_w, k=self.ordinary)
        places = rng.choices(self._streets, self._street_w, k=self.ordinary)
        for item, (district, street) in zip(items, places, strict=True):
            if rng.random() < 0.1:
                street = None  # located to the district only
            yield self.lead(item, district, street, self._when(self.start, self.end),
                            self._text(item, street or district))

    def planted_leads(self) -> Iterator[Lead]:
        rng = self.rng
        rate = self.weekly_rate
        # 1. prepaid gyms closing across 龙岗区, the last three weeks, growing
        streets = [s.name for d in self.gazetteer.districts if d.name == "龙岗区" for s in d.streets]
        for w, factor in ((-2, 1.5), (-1, 2.0), (0, 2.5)):
            lo = week_start(self.end_week) + timedelta(weeks=w)
            for _ in range(round(rate * factor)):
                street = streets[rng.randrange(len(streets))]
                text = rng.choice(GYM_LINES).format(gym=rng.choice(GYM_NAMES), place=street)
                yield self.lead("XF01", "龙岗区", street, self._when(lo, lo + timedelta(days=7)), text,
                                fate=rng.choice(("pending", "dispatch")), resolve=False)
        self.plan.cases.append("item:XF01:龙岗区:*")
        # 2. e-bike charging in 沙头街道's urban villages, rising over twelve weeks
        for w in range(-11, 1):
            lo = week_start(self.end_week) + timedelta(weeks=w)
            for _ in range(round(rate * (0.4 + 0.15 * (w + 11)))):
                text = rng.choice(CHARGING_LINES).format(village=rng.choice(CHARGING_VILLAGES))
                yield self.lead("AQ02", "福田区", "沙头街道", self._when(lo, lo + timedelta(days=7)), text,
                                fate="dispatch", resolve=False)
        self.plan.cases.append("item:AQ02:福田区:沙头街道")
        # 3. night-time construction noise from one site, ten steady weeks
        for w in range(-9, 1):
            lo = week_start(self.end_week) + timedelta(weeks=w)
            for _ in range(round(rate * 1.2)):
                night = lo + timedelta(days=rng.randrange(7), hours=rng.choice((0, 1, 2, 23)),
                                       minutes=rng.randrange(60))
                yield self.lead("HJ01", "南山区", "粤海街道", night, rng.choice(NOISE_LINES),
                                fate="dispatch", resolve=False)
        self.plan.cases.append("item:HJ01:南山区:粤海街道")
        yield from self._recurrence()

    def _recurrence(self) -> Iterator[Lead]:
        """A sewer fixed (办结) and back: four times within 30 days, once after."""
        first = week_start(self.end_week) - timedelta(weeks=8) + timedelta(days=1, hours=10)
        resolved_at = first + timedelta(days=3)
        steps = [(first, "system", "discovered", LeadState.PENDING_REVIEW, None),
                 (first + timedelta(minutes=25), "alice", "verify_and_dispatch", LeadState.DISPATCHED, None),
                 (first + timedelta(minutes=70), "dispatch", "签收", LeadState.ACCEPTED, None),
                 (resolved_at, "dispatch", "办结", LeadState.RESOLVED, None)]
        fixed = self.lead("PS02", "罗湖区", "东门街道", first, SEWER_LINES[0], steps=steps)
        self.plan.recurrence_resolved = fixed.id
        yield fixed
        for days in (4, 9, 17, 26, 41):
            back = self.lead("PS02", "罗湖区", "东门街道", resolved_at + timedelta(days=days, hours=2),
                             self.rng.choice(SEWER_LINES[1:]), fate="pending")
            if days <= 30:
                self.plan.recurrence_leads.append(back.id)
            else:
                self.plan.late_return = back.id
            yield back

    def leads(self) -> Iterator[Lead]:
        yield from self.planted_leads()
        yield from self.ordinary_leads()


def seed(store: Any, leads: Iterable[Lead], batch: int = 2000, *, catalogue: Any = None) -> int:
    """Insert leads as LeadService stores them (LeadService.document: queue rank and facts, with the
    办结 each one follows worked out here over all of them) and mark their weeks changed, as the one
    writer would (setup code only; tests/sinks/test_sinks_facts.py checks both agree)."""
    from civicwatch.config import get_settings, load_config
    from sinks.leads import LeadService
    from sinks.summaries import mark_weeks_changed, weeks_of

    service = LeadService(store, catalogue or load_config(get_settings()).catalogue)
    docs = [service.document(lead) for lead in leads]
    add_follows(docs)
    weeks: set[str] = set()
    for i in range(0, len(docs), batch):
        store.leads.insert_many(docs[i:i + batch], ordered=False)
    for doc in docs:
        weeks.update(weeks_of(doc["facts"]))
    mark_weeks_changed(store.db, sorted(weeks))
    return len(docs)


def add_follows(docs: list[dict[str, Any]]) -> None:
    """Each document's `facts.follows`: the resolved leads of the same item, district and place
    with 办结 at most 30 days before its discovery (what LeadService finds with one query)."""
    import bisect

    from civicwatch.lifecycle import follows_fix

    fixes: dict[tuple[str, str, str], list[tuple[datetime, str]]] = {}
    for d in docs:
        f, dec = d["facts"], d["decision"]
        if f["resolved_at"] and dec.get("item") and f["place"]:
            key = (dec["item"], dec.get("district") or "", f["place"])
            fixes.setdefault(key, []).append((f["resolved_at"], d["_id"]))
    for times in fixes.values():
        times.sort()
    for d in docs:
        f, dec = d["facts"], d["decision"]
        times = fixes.get((dec.get("item") or "", dec.get("district") or "", f["place"] or ""), [])
        t = d["discovered_at"]
        lo = bisect.bisect_left(times, (t - timedelta(days=30), ""))
        f["follows"] = [{"id": i, "t": at} for at, i in times[lo:bisect.bisect_right(times, (t, "\uffff"))]
                        if i != d["_id"] and follows_fix(at, t)]


_SEEDED: dict[str, tuple[str, LeadGenerator]] = {}
TEST_VOLUME = 6000  # ordinary leads in the tests' year


def seeded_year(mongo_uri: str, config: Config) -> tuple[str, LeadGenerator]:
    """(database name, generator) of one generated year, seeded once per test session and shared
    by the tests that only read it (class-case page, report, browser)."""
    import atexit
    import uuid

    if mongo_uri not in _SEEDED:
        from sinks.mongo import Store

        name = f"year_{uuid.uuid4().hex[:10]}"
        generator = LeadGenerator(config, ordinary=TEST_VOLUME)
        store = Store(mongo_uri, name)
        seed(store, generator.leads(), catalogue=config.catalogue)
        _SEEDED[mongo_uri] = (name, generator)
        atexit.register(_drop, mongo_uri, name)
    return _SEEDED[mongo_uri]


def _drop(mongo_uri: str, name: str) -> None:
    # After the session: an embedded server is gone already (and its data with it); a real one is not.
    import pymongo

    with contextlib.suppress(pymongo.errors.PyMongoError):
        pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=1000).drop_database(name)
