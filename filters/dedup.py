"""Near-duplicate incidents: the same problem reposted, copied or re-worded elsewhere.

Three keys, strongest first: an exact hash of the normalised words (a repost's quoted text
matches its original's own words); MinHash LSH on character 3-grams for near copies; and
place + item within a time window for re-worded reports of one incident. `dup_of` names the
earliest post of the incident.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
LSH_THRESHOLD = 0.5
WINDOW = timedelta(days=7)
_STRIP = re.compile(r"[\s#@，。！？、,.!?:：;；~…\"'“”‘’()（）\[\]【】]+")


def _fingerprint(text: str) -> str:
    return hashlib.blake2b(_STRIP.sub("", text).encode(), digest_size=12).hexdigest()


def _minhash(text: str) -> MinHash | None:
    text = _STRIP.sub("", text)
    if len(text) < 8:
        return None
    m = MinHash(num_perm=NUM_PERM, seed=7)
    m.update_batch([text[i:i + 3].encode() for i in range(len(text) - 2)])
    return m


@dataclass
class _Incident:
    key: str
    published_at: datetime


class DuplicateIndex:
    """Remembers leads' incidents; `find` answers the earliest post of a matching incident."""

    def __init__(self) -> None:
        self.exact: dict[str, _Incident] = {}
        self.lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self.by_lsh_key: dict[str, _Incident] = {}
        self.by_place: dict[tuple[str, str], list[tuple[datetime, _Incident]]] = {}

    def find(self, *, own: str, reposted: str, street: str | None, item: str | None,
             published_at: datetime) -> tuple[str | None, str | None]:
        """(dup_of, reason) for a post, before it is added."""
        for text in (reposted, own):
            if text and (hit := self.exact.get(_fingerprint(text))):
                return hit.key, "与已有线索文字相同"
        mh = _minhash(own + reposted)
        if mh is not None:
            keys = self.lsh.query(mh)
            if keys:
                first = min((self.by_lsh_key[k] for k in keys), key=lambda i: i.published_at)
                return first.key, "与已有线索高度相似"
        if street and item:
            for when, incident in self.by_place.get((street, item), []):
                if abs(published_at - when) <= WINDOW:
                    return incident.key, f"同一街道同类事项（{street} {item}）"
        return None, None

    def add(self, key: str, *, own: str, reposted: str, street: str | None, item: str | None,
            published_at: datetime, incident_key: str | None = None) -> None:
        # A duplicate's own keys point at the incident's first post, so chains stay flat.
        incident = _Incident(incident_key or key, published_at)
        if own:
            self.exact.setdefault(_fingerprint(own), incident)
        mh = _minhash(own + reposted)
        if mh is not None and key not in self.by_lsh_key:
            self.by_lsh_key[key] = incident
            self.lsh.insert(key, mh)
        if street and item:
            self.by_place.setdefault((street, item), []).append((published_at, incident))
