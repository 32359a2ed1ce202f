"""Shenzhen place resolution from the gazetteer: is the post about Shenzhen, and where?

Every name (districts, streets, landmarks, their short forms and aliases, the city's names,
and other cities' names) is one Aho-Corasick automaton. Short forms flagged ambiguous
(南山, 龙华, 光明 …) count only when a second cue agrees; a Shenzhen name right after another
place's name belongs to that place (鹤岗南山区, 海口龙华区, 东莞长安, 博罗县龙华镇, 徐汇龙华街道:
the national table of divisions, filters/divisions.py); another city named as where someone
comes from (老家长沙, 从东莞回来) weighs less than one named as where things happen; IP属地 is a
weak signal.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import ahocorasick

from civicwatch.config import Gazetteer
from filters.divisions import evidence_names, parents_by_name, prefecture_shorts, prefix_names

# Cities and regions people name when a post is not about Shenzhen (plus those in the
# gazetteer's list of colliding places).
OTHER_CITIES = (
    "广州 东莞 惠州 佛山 中山 珠海 江门 肇庆 清远 汕头 湛江 茂名 韶关 梅州 潮州 揭阳 阳江 云浮 河源 "
    "香港 澳门 台湾 北京 上海 天津 重庆 杭州 南京 苏州 武汉 成都 长沙 西安 郑州 青岛 厦门 福州 南昌 "
    "合肥 济南 昆明 南宁 海口 三亚 贵阳 兰州 沈阳 大连 哈尔滨 长春 石家庄 太原 呼和浩特 乌鲁木齐 "
    "宁波 温州 无锡 常州 徐州 泉州 桂林 柳州 鹤岗 大庆 洛阳 义乌 "
    # towns just across Shenzhen's borders, often named in cross-border posts
    "凤岗 塘厦 清溪 长安镇 虎门 樟木头 黄江 惠阳 大亚湾 淡水 新圳"
).split()

STRONG, MEDIUM, WEAK = 2.0, 1.5, 0.5
# A place name used as a location: "光明这边", "龙华这个工地", "福田某小区".
_LOCATIVE = re.compile(r"(?:这边|这里|这个|这家|这段|那边|那个|某|附近|一带|片区)")
# Another city named as where someone or something comes from, not where the problem is.
# (Not 去: 去东莞长安镇打工被欠薪 happened there.)
_ORIGIN_BEFORE = ("老家", "来自", "从")
_ORIGIN_AFTER = re.compile(r"(?:人|老乡|口音|回来|过来)")
# Between another place's name and the Shenzhen name it owns: nothing, a space, 的.
_GLUE = " \u3000的·"
_LONGEST_PREFIX = 12  # characters: 克孜勒苏柯尔克孜自治州 has 11
_DIVISION_END = re.compile(r"[省市县区旗盟州]")  # how the full names of provinces … counties end


@dataclass(frozen=True)
class _Name:
    kind: str            # city | district | street | landmark | foreign
    district: str | None
    street: str | None
    weight: float
    canonical: str


@dataclass
class PlaceResult:
    is_shenzhen: bool
    score: float
    district: str | None
    street: str | None
    evidence: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    landmarks: list[str] = field(default_factory=list)  # named spots (parks, roads, villages): dedup keys


def _names(gazetteer: Gazetteer) -> dict[str, list[_Name]]:
    """Every name the resolver knows, with each place it can name."""
    names: dict[str, list[_Name]] = defaultdict(list)

    def add(term: str, name: _Name) -> None:
        if term and len(term) >= 2:
            names[term].append(name)

    for alias in [gazetteer.city.name, *gazetteer.city.aliases]:
        if re.search(r"[\u4e00-\u9fff]", alias):
            add(alias, _Name("city", None, None, STRONG, "深圳市"))
    for d in gazetteer.districts:
        add(d.name, _Name("district", d.name, None, STRONG, d.name))
        for alias in d.aliases:
            add(alias, _Name("district", d.name, None, STRONG, d.name))
        add(d.short, _Name("district", d.name, None, WEAK if d.ambiguous_short else MEDIUM, d.name))
        for s in d.streets:
            add(s.name, _Name("street", d.name, s.name, STRONG, s.name))
            for alias in s.aliases:
                add(alias, _Name("street", d.name, s.name, STRONG, s.name))
            add(s.short, _Name("street", d.name, s.name, WEAK if s.ambiguous_short else MEDIUM, s.name))
    for lm in gazetteer.landmarks:
        weight = WEAK if lm.ambiguous else MEDIUM
        for term in (lm.name, *lm.aliases):
            add(term, _Name("landmark", lm.district, lm.street, weight, lm.name))
    foreign = set(OTHER_CITIES)
    for other in gazetteer.other_places_with_same_names:
        foreign.update(m for m in re.findall(r"(?:省|^)([\u4e00-\u9fff]{2,4}?)市", other.where))
        if other.level == "county" and other.name not in names:
            foreign.add(other.name)
    # Prefectures' short forms of the national table (their full names, and counties', are
    # looked up by their suffix in resolve: thousands more first characters would slow the
    # automaton's every step), unless the gazetteer gives the name to Shenzhen.
    foreign.update(prefecture_shorts())
    for term in foreign:
        if term not in names:
            names[term].append(_Name("foreign", None, None, STRONG, term))
    return names


def _shenzhen(names: dict[str, list[_Name]]) -> frozenset[str]:
    return frozenset(t for t, entries in names.items() if any(e.kind != "foreign" for e in entries))


def shenzhen_names(gazetteer: Gazetteer) -> frozenset[str]:
    """Every name that can count for Shenzhen (the candidate screen's half of the vocabulary)."""
    return _shenzhen(_names(gazetteer))


class PlaceResolver:
    def __init__(self, gazetteer: Gazetteer) -> None:
        self.automaton = ahocorasick.Automaton()
        names = _names(gazetteer)
        self.shenzhen_names = _shenzhen(names)
        # Written right before a Shenzhen name, these make it another place's: any division
        # elsewhere in full; the parents (also short) of a place elsewhere that has the name.
        self._prefixes = prefix_names() - self.shenzhen_names
        # Provinces, prefectures and counties elsewhere, in full: another city by themselves.
        self._elsewhere = evidence_names() - self.shenzhen_names
        self._owners = {term: above - self.shenzhen_names
                        for term, above in parents_by_name(self.shenzhen_names).items()}
        for term, entries in names.items():
            # A name shared by several places (e.g. a street short that is also a district
            # short) keeps its strongest reading; another city's name has only that reading.
            best = max(entries, key=lambda n: n.weight)
            # With it, ready for resolve's loop: its length, its reading as a location (a weak
            # short name followed by 这边, 某…) and its evidence line.
            as_location = _Name(best.kind, best.district, best.street, MEDIUM, best.canonical)
            self.automaton.add_word(term, (term, best, best.kind == "foreign", len(term), as_location,
                                           f"{term}→{best.canonical}"))
        self.automaton.make_automaton()

    def _owned_elsewhere(self, text: str, start: int, term: str) -> bool:
        """Is another place's name written right before the Shenzhen name at `start`?"""
        if start < 2:
            return False
        if text[start - 1] in _GLUE:
            start -= 1
        owners = self._owners.get(term, ())
        for size in range(2, min(_LONGEST_PREFIX, start) + 1):
            before = text[start - size:start]
            if before in self._prefixes or before in owners:
                return True
        return False

    def _divisions_elsewhere(self, text: str) -> list[tuple[int, int]]:
        """Spans of provinces, prefectures and counties elsewhere written in full (博罗县,
        大庆市龙凤区), found from their last character, the longest name first."""
        spans: list[tuple[int, int]] = []
        for m in _DIVISION_END.finditer(text):
            end = m.end()
            for size in range(min(_LONGEST_PREFIX, end), 1, -1):
                if end - size >= (spans[-1][1] if spans else 0) and text[end - size:end] in self._elsewhere:
                    spans.append((end - size, end))
                    break
        return spans

    @staticmethod
    def _origin(text: str, term: str) -> bool:
        """老家长沙, 从东莞回来, 湖南人: every mention of `term` says where someone comes from."""
        at = text.find(term)
        while at >= 0:
            end = at + len(term)
            if not (text.endswith(_ORIGIN_BEFORE, 0, at) or _ORIGIN_AFTER.match(text, end)):
                return False
            at = text.find(term, end)
        return True

    def resolve(self, text: str, ip_region: str | None = None) -> PlaceResult:
        mentions: list[tuple[str, _Name]] = []
        evidence: list[str] = []
        elsewhere = self._divisions_elsewhere(text)
        foreign = [text[start:end] for start, end in elsewhere]
        foreign_ends = {end for _, end in elsewhere}
        # Longest non-overlapping names, left to right (pyahocorasick does that in C).
        for last, (term, best, is_foreign, size, as_location, seen) in self.automaton.iter_long(text):
            end = last + 1
            start = end - size
            if elsewhere and any(s < end and start < e for s, e in elsewhere):
                continue  # part of a division's full name elsewhere: 北京 in 北京市, 新安 in 新安县
            if is_foreign:
                foreign.append(term)
                foreign_ends.add(end)
                continue
            if best.kind != "city" and (start in foreign_ends or start - 1 in foreign_ends
                                        or self._owned_elsewhere(text, start, term)):
                foreign.append(term)  # 鹤岗南山区, 博罗县龙华镇: the other place's
                foreign_ends.add(end)  # 海口市龙华区龙华街道: and what follows it
                continue
            if best.weight == WEAK and _LOCATIVE.match(text, end):
                best = as_location  # 龙华这个工地
            mentions.append((term, best))
            evidence.append(seen)
        by_district: dict[str, float] = {}
        score = 0.0
        has_city = any(n.kind == "city" for _, n in mentions)
        for _, name in mentions:
            weight = name.weight
            if weight == WEAK:
                agrees = any(other is not name and other.district == name.district and name.district
                             for _, other in mentions) or has_city
                weight = MEDIUM if agrees else WEAK
            score += weight
            if name.district:
                by_district[name.district] = by_district.get(name.district, 0.0) + weight
        foreign_weight = sum(WEAK if self._origin(text, t) else STRONG for t in set(foreign))
        outweighs_foreign = score > foreign_weight  # IP属地 is too weak to decide between cities
        if ip_region and "广东" in ip_region:
            score += 0.3
        is_sz = score >= MEDIUM and outweighs_foreign
        district = max(by_district, key=lambda d: by_district[d]) if by_district else None
        street = None
        if district:
            streets = [(n.weight, n.street) for _, n in mentions if n.street and n.district == district]
            if streets:
                street = max(streets, key=lambda s: s[0])[1]
        return PlaceResult(is_shenzhen=is_sz, score=round(score, 2), district=district, street=street,
                           evidence=evidence, foreign=foreign,
                           landmarks=sorted({t for t, n in mentions if n.kind == "landmark" and len(t) >= 3}))
