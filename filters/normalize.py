"""Text normalisation for matching: one canonical form of what people write.

Traditional → simplified (OpenCC), full-width → half-width (NFKC), HTML entities and tags,
emoji, noise interleaved to dodge keyword filters (`噪 音`, `欠*薪`), and repost chains
(`//@某某:`) split from the author's own words.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_TAG = re.compile(r"<[^>]{0,300}>")
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0001F900-\U0001F9FF\uFE0F\u200d\u20e3]+")
_HAN = r"\u4e00-\u9fff"
# Separators slipped between two Chinese characters: spaces, * . - _ ~ · | / and friends.
_INTERLEAVED = re.compile(rf"(?<=[{_HAN}])[\s\*\.\-_~·•|/\\#]+(?=[{_HAN}])")
_REPOST = re.compile(r"//\s*@[^:：\s]{1,30}[:：]")
_SPACES = re.compile(r"\s+")
_HAN_CHAR = re.compile(f"[{_HAN}]")
_PART = "\ue000"  # private-use mark joining title, own words and quote so they are cleaned in one pass


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)  # type: ignore[attr-defined]


def clean(text: str) -> str:
    """Canonical matching form of one text (not for display: it drops emoji and separators)."""
    text = _TAG.sub(" ", html.unescape(text))
    text = unicodedata.normalize("NFKC", text)
    text = _EMOJI.sub(" ", text)
    if _HAN_CHAR.search(text):
        text = to_simplified(text)
    text = _INTERLEAVED.sub("", text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Normalized:
    own: str          # the author's own words
    reposted: str     # text quoted from the repost chain
    title: str

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.title, self.own, self.reposted) if p)


def split_repost(text: str) -> tuple[str, str]:
    m = _REPOST.search(text)
    if not m:
        return text, ""
    return text[:m.start()], _REPOST.sub(" ", text[m.start():])


def normalize(text: str, title: str | None = None) -> Normalized:
    own, reposted = split_repost(html.unescape(text or ""))
    parts = clean(_PART.join(p.replace(_PART, "") for p in (title or "", own, reposted))).split(_PART)
    if len(parts) != 3:  # cannot happen (the mark is removed from the input), but stay safe
        return Normalized(own=clean(own), reposted=clean(reposted), title=clean(title or ""))
    return Normalized(own=parts[1].strip(), reposted=parts[2].strip(), title=parts[0].strip())
