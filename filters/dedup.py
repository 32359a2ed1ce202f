"""Near-duplicate incidents: the same problem reposted, copied or re-worded elsewhere.

Keys, strongest first:
- exact match (a hash lookup) of the normalised words without punctuation (a repost's quoted
  text matches its original's words), and the opening words of a quote (repost chains
  truncate the original);
- MinHash LSH on character 3-grams for near copies;
- place + item within a time window for re-worded reports of one incident (street, else
  district; a week, since formal letters follow posts by days);
- a named spot (landmark, road, village) + some shared wording within two days, whatever item
  the classifier gave each (a follow-up about the same hole may read as a different item).
`dup_of` names the earliest post of the incident.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from filters.lsh import BandIndex, signature

WINDOW = timedelta(days=7)         # same street, same item
COARSE_WINDOW = timedelta(days=1)  # same district (or other city), same item
SPOT_WINDOW = timedelta(days=2)
FOLLOW_WINDOW = timedelta(days=3)
# Words that open a follow-up to something already reported ("更新：…", "还是坂田那个工地…"):
# with the same place, the item may read differently (workers at the gate vs unpaid wages).
FOLLOW_UP = re.compile(r"^.{0,6}(更新|后续|跟进|还是.{0,8}那个|又来了|还没修好|还没解决|还没处理|今天又)")
PREFIX = 14           # characters of a quote's opening that identify its original
SPOT_OVERLAP = 0.06   # bigram Jaccard needed on top of a shared named spot
_STRIP = re.compile(r"[\s#@，。！？、,.!?:：;；~…\"'“”‘’()（）\[\]【】]+")


# A lead's find() and add() strip and split the same few texts: the last ones are remembered.
@lru_cache(maxsize=16)
def _stripped(text: str) -> str:
    return _STRIP.sub("", text) if text else ""


@lru_cache(maxsize=4)
def _bigrams(text: str) -> frozenset[str]:
    text = _stripped(text)
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


@dataclass
class _Incident:
    key: str
    published_at: datetime


@dataclass
class _Spotted:
    incident: _Incident
    when: datetime
    grams: frozenset[str] = field(default_factory=frozenset)


class DuplicateIndex:
    """Remembers leads' incidents; `find` answers the earliest post of a matching incident."""

    def __init__(self) -> None:
        self.exact: dict[str, _Incident] = {}
        self.prefix: dict[str, _Incident] = {}
        # Near copies: each bucket keeps the earliest (time, incident) hashed into it.
        self.lsh: BandIndex[tuple[datetime, str]] = BandIndex()
        self.in_lsh: set[str] = set()  # words already hashed in: a repeat adds nothing to the LSH
        self.by_place: dict[tuple[str, str], deque[tuple[datetime, _Incident, str | None]]] = {}
        self.by_spot: dict[str, deque[_Spotted]] = {}
        self.by_where: dict[str, deque[tuple[datetime, _Incident, str | None]]] = {}  # (when, incident, item)
        self._last: tuple[str, list[bytes] | None] = ("", None)  # find() then add() hash the same text

    def _bands(self, text: str) -> list[bytes] | None:
        """The LSH band keys of `text`'s words (None for a text too short to compare)."""
        if self._last[0] != text:
            sig = signature(_stripped(text))
            self._last = (text, None if sig is None else self.lsh.keys(sig))
        return self._last[1]

    def _same_words(self, own: str, reposted: str, *, lead: bool = False) -> tuple[str | None, str | None]:
        """The exact keys: a lead's words, quoted or copied, or the opening of a quote. Nearly
        half the stream asks, so only a lead's words (hashed and added next) go through the cache."""
        quote = _STRIP.sub("", reposted) if reposted else ""
        if quote and (hit := self.exact.get(quote)):
            return hit.key, "与已有线索文字相同"
        words = _stripped(own) if lead else _STRIP.sub("", own)
        if words and (hit := self.exact.get(words)):
            return hit.key, "与已有线索文字相同"
        if len(quote) >= PREFIX and (hit := self.prefix.get(quote[:PREFIX])):
            return hit.key, "转发已有线索"
        return None, None

    def find_wording(self, own: str, reposted: str, where: str | None,
                     published_at: datetime, item: str | None = None) -> tuple[str | None, str | None]:
        """(dup_of, reason) from the cheap keys only: the same words, a quote's opening, a
        follow-up cue at the same place (for posts that are not leads themselves)."""
        dup, why = self._same_words(own, reposted)
        if dup:
            return dup, why
        return self._follow_up(own, where, published_at, item)

    def find(self, *, own: str, reposted: str, street: str | None, item: str | None,
             published_at: datetime, district: str | None = None,
             spots: list[str] | tuple[str, ...] = ()) -> tuple[str | None, str | None]:
        """(dup_of, reason) for a lead, before it is added: every key."""
        dup, why = self._same_words(own, reposted, lead=True)
        if dup:
            return dup, why
        bands = self._bands(own + reposted)
        if bands is not None:
            earliest = self.lsh.query(bands)
            if earliest:
                _, incident_key = earliest
                return incident_key, "与已有线索高度相似"
        if item and (street or district):
            # A street must agree; a post placed only by district matches any street in it.
            candidates = [(e, street) for e in self.by_place.get((street, item), ())] if street else []
            if district:
                candidates += [(e, district) for e in self.by_place.get((district, item), ())
                               if street is None or e[2] is None]
            for (when, incident, _), where in candidates:
                if abs(published_at - when) <= WINDOW:
                    return incident.key, f"同一地点同类事项（{where} {item}）"
        if item and district:
            for when, incident, _ in self.by_place.get((district, item), ()):
                if abs(published_at - when) <= COARSE_WINDOW:
                    return incident.key, f"同区同类事项一天内（{district} {item}）"
        dup, why = self._follow_up(own, street or district, published_at, item)
        if dup:
            return dup, why
        if spots:
            grams = _bigrams(own + reposted)
            for spot in spots:
                for seen in self.by_spot.get(spot, ()):
                    if abs(published_at - seen.when) > SPOT_WINDOW or not grams:
                        continue
                    overlap = len(grams & seen.grams) / len(grams | seen.grams)
                    if overlap >= SPOT_OVERLAP:
                        return seen.incident.key, f"同一地点相近描述（{spot}）"
        return None, None

    def _follow_up(self, own: str, where: str | None, published_at: datetime,
                   item: str | None = None) -> tuple[str | None, str | None]:
        """The incident a follow-up cue at `where` continues: the latest one there, or the latest
        one there about `item` when the follow-up names a problem one of them is about."""
        if where and FOLLOW_UP.match(own):
            recent = [(when, inc, about) for when, inc, about in self.by_where.get(where, ())
                      if timedelta(0) <= published_at - when <= FOLLOW_WINDOW]
            same = [entry for entry in recent if item and entry[2] == item]
            if recent:
                return max(same or recent, key=lambda entry: entry[0])[1].key, f"后续跟帖（{where}）"
        return None, None

    def add(self, key: str, *, own: str, reposted: str, street: str | None, item: str | None,
            published_at: datetime, incident_key: str | None = None, district: str | None = None,
            spots: list[str] | tuple[str, ...] = ()) -> None:
        # A duplicate's own keys point at the incident's first post, so chains stay flat.
        incident = _Incident(incident_key or key, published_at)
        opening = _stripped(own)
        # A repost's own words are its key only when they say something: "转发扩散" would
        # join every later repost that says the same, whatever it reposts.
        if opening and (not reposted or len(opening) >= PREFIX):
            self.exact.setdefault(opening, incident)  # the words themselves are the key: leads are few
            if len(opening) >= PREFIX:
                self.prefix.setdefault(opening[:PREFIX], incident)
        words = _stripped(own + reposted)
        bands = self._bands(own + reposted) if words not in self.in_lsh else None
        if bands is not None:
            self.in_lsh.add(words)
            self.lsh.insert(bands, (published_at, incident.key))
        if item:
            for where in {street, district} - {None}:
                _append(self.by_place.setdefault((where, item), deque()), (published_at, incident, street),
                        lambda entry: entry[0], published_at - WINDOW)
        if street or district:
            _append(self.by_where.setdefault(street or district, deque()), (published_at, incident, item),
                    lambda entry: entry[0], published_at - FOLLOW_WINDOW)
        if spots:
            grams = _bigrams(own + reposted)
            for spot in spots:
                _append(self.by_spot.setdefault(spot, deque()), _Spotted(incident, published_at, grams),
                        lambda entry: entry.when, published_at - SPOT_WINDOW)


def _append(bucket: deque, entry: object, when: object, horizon: datetime) -> None:
    """Append, dropping entries older than the window (posts arrive roughly in time order)."""
    bucket.append(entry)
    while bucket and when(bucket[0]) < horizon:  # type: ignore[operator]
        bucket.popleft()
