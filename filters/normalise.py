"""Text normalisation for matching: one canonical form of what people write.

Traditional → simplified (OpenCC), full-width → half-width (NFKC), HTML entities and tags,
emoji, noise interleaved to dodge keyword filters (`噪 音`, `欠*薪`), and repost chains
(`//@某某:`) split from the author's own words.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_TAG = re.compile(r"<[^>]{0,300}>")
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0001F900-\U0001F9FF\uFE0F\u200d\u20e3]+")
_HAN = r"\u4e00-\u9fff"
# Separators slipped between two Chinese characters: spaces, * . - _ ~ · | / and friends. The
# pattern opens with the separator itself (the lookbehind then checks the character before
# it), so sre can skip ahead to separators instead of trying the lookbehind at every position.
_SEP = r"[\s\*\.\-_~·•|/\\#]"
_INTERLEAVED = re.compile(rf"{_SEP}(?<=[{_HAN}]{_SEP}){_SEP}*(?=[{_HAN}])")
_REPOST = re.compile(r"//\s*@[^:：\s]{1,30}[:：]")
_PART = "\ue000"  # private-use mark joining title, own words and quote so they are cleaned in one pass


# CJK blocks whose characters OpenCC may convert (unified, extension A and B, compatibility).
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional() -> re.Pattern[str]:
    """Characters that OpenCC's t2s changes on their own. A text with none of them is left as
    it is: conversion is the costliest step of normalising, and most posts are already
    simplified. (t2s phrase rules only ever rewrite phrases holding such a character.)"""
    chars = [chr(c) for lo, hi in _CJK_RANGES for c in range(lo, hi)]
    converted = _t2s().convert("\n".join(chars)).split("\n")  # type: ignore[attr-defined]
    changed = "".join(a for a, b in zip(chars, converted, strict=True) if a != b and ord(a) < 0x10000)
    # sre keeps a fast bitmap only for BMP sets; rare extension-B characters all go to OpenCC.
    return re.compile(f"[{changed}]|[\U00020000-\U0002A6DF]")


def to_simplified(text: str) -> str:
    if not _traditional().search(text):
        return text
    return _t2s().convert(text)  # type: ignore[attr-defined]


# Compatibility characters in nearly every Chinese post (full-width punctuation, the ellipsis,
# ℃), with what NFKC makes of them: replaced directly, they do not send a post through NFKC.
_COMMON_COMPAT = (("，", ","), ("！", "!"), ("？", "?"), ("：", ":"), ("；", ";"), ("（", "("),
                  ("）", ")"), ("\u3000", " "), ("…", "..."), ("～", "~"), ("℃", "°C"))


@lru_cache(maxsize=1)
def _unusual() -> re.Pattern[str]:
    """Any character that NFKC or the emoji rule could change, other than the common ones
    above: most posts have none, and are spared NFKC (a third of the cost
    of cleaning a post). Combining marks and jamo are unusual too, since NFKC composes them."""
    spans = ((0x20, 0x7F), (0xA0, 0x100), (0x2000, 0x2070), (0x3000, 0x3040), (0xFF00, 0xFFF0))
    usual = [chr(c) for lo, hi in spans for c in range(lo, hi)]
    usual = [c for c in usual if unicodedata.normalize("NFKC", c) == c and not unicodedata.combining(c)
             and not _EMOJI.match(c)]
    usual += [fw for fw, _ in _COMMON_COMPAT] + ["\t\n\r", _PART, "\u3400-\u4dbf\u4e00-\u9fff"]
    return re.compile("[^" + "".join(c if len(c) > 1 else re.escape(c) for c in usual) + "]")


@lru_cache(maxsize=1)
def _stable_emoji() -> re.Pattern[str]:
    """The emoji NFKC leaves as they are: removing them first spares NFKC for most posts."""
    ranges = ((0x1F000, 0x1FB00), (0x2600, 0x27C0), (0xFE0F, 0xFE10), (0x200D, 0x200E), (0x20E3, 0x20E4))
    stable = [c for lo, hi in ranges for c in range(lo, hi)
              if unicodedata.normalize("NFKC", chr(c)) == chr(c) and _EMOJI.match(chr(c))]
    spans: list[list[int]] = []
    for c in stable:  # as ranges: sre tests a long list of astral characters one by one
        if spans and spans[-1][1] == c - 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    return re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in spans) + "]+")


def _nfkc(text: str) -> str:
    if _unusual().search(text):
        text = _stable_emoji().sub(" ", text)
        if _unusual().search(text):
            return _EMOJI.sub(" ", unicodedata.normalize("NFKC", text))
    for compat, plain in _COMMON_COMPAT:
        if compat in text:
            text = text.replace(compat, plain)
    return text


def clean(text: str) -> str:
    """Canonical matching form of one text (not for display: it drops emoji and separators)."""
    text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = to_simplified(_nfkc(text))
    text = _INTERLEAVED.sub("", text)
    return " ".join(text.split())


class Normalised:
    """A post's words in matching form: the author's own, the quoted repost chain, the title."""

    __slots__ = ("own", "reposted", "title", "full")

    def __init__(self, own: str, reposted: str = "", title: str = "") -> None:
        self.own = own
        self.reposted = reposted
        self.title = title
        # Everything, as the classifier and place resolver read it (a repost is about the
        # quoted incident, so the quoted words count too).
        self.full = " ".join([p for p in (title, own, reposted) if p]) if (title or reposted) else own

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Normalised) and \
            (self.own, self.reposted, self.title) == (other.own, other.reposted, other.title)

    def __hash__(self) -> int:
        return hash((self.own, self.reposted, self.title))

    def __repr__(self) -> str:
        return f"Normalised(own={self.own!r}, reposted={self.reposted!r}, title={self.title!r})"


def split_repost(text: str) -> tuple[str, str]:
    m = _REPOST.search(text) if "//" in text else None
    if not m:
        return text, ""
    return text[:m.start()], _REPOST.sub(" ", text[m.start():])


def normalise(text: str, title: str | None = None) -> Normalised:
    own, reposted = split_repost(html.unescape(text or ""))
    title = title or ""
    if _PART in own or _PART in reposted or _PART in title:  # the mark cannot come from the input
        own, reposted, title = (p.replace(_PART, "") for p in (own, reposted, title))
    if not title and not reposted:  # most posts: one text, cleaned alone
        return Normalised(clean(own))
    # Title, own words and quote cleaned in one pass, joined by the mark.
    parts = clean(f"{title}{_PART}{own}{_PART}{reposted}").split(_PART)
    if len(parts) != 3:  # cannot happen (the mark is removed from the input), but stay safe
        return Normalised(own=clean(own), reposted=clean(reposted), title=clean(title))
    return Normalised(own=parts[1].strip(), reposted=parts[2].strip(), title=parts[0].strip())
