"""Normalisation: the forms people use to dodge filters all reach one canonical text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from filters.normalise import clean, normalise


def test_obfuscation_and_traditional_and_full_width() -> None:
    assert clean("噪 音擾民") == "噪音扰民"
    assert clean("欠*薪  ２个月") == "欠薪 2个月"
    assert clean("拖-欠_工·资") == "拖欠工资"
    assert clean("&lt;b&gt;停水&lt;/b&gt;🙄") == "停水"


def test_repost_chain_is_split_from_own_words() -> None:
    n = normalise("连续三晚了//@西乡打工人:凌晨1点还在打桩//@别人:转发")
    assert n.own == "连续三晚了"
    assert "打桩" in n.reposted and "打桩" not in n.own


def _reference_clean(text: str) -> str:
    """clean() by its definition, every step applied to every text (no fast paths)."""
    import html
    import re
    import unicodedata

    from filters.normalise import _EMOJI, _TAG, _t2s

    text = unicodedata.normalize("NFKC", _TAG.sub(" ", html.unescape(text)))
    text = _t2s().convert(_EMOJI.sub(" ", text))  # type: ignore[attr-defined]
    interleaved = r"(?<=[\u4e00-\u9fff])[\s\*\.\-_~·•|/\\#]+(?=[\u4e00-\u9fff])"  # separators between Han
    return re.sub(r"\s+", " ", re.sub(interleaved, "", text)).strip()


# Characters each fast path must get right: full-width forms, compatibility characters NFKC
# rewrites, combining marks and jamo it composes, emoji it leaves or rewrites, traditional
# characters alone and in phrases OpenCC converts whole, entities, tags and separators.
_ALPHABET = ("噪音欠薪井盖龍華區乾淨穿著 \t\n*.-_~·|/#，！？：；（）。、“”…ＫＴＶ１２ａ①㎡㍿"
             "\u0301e\u1100\u1161\u00a0\u3000😀👍🏻🄀🅰☔☀\u200d\ufe0f⃣&lt;<b>//@某:深圳\ue000𠮷℃～°½²·")


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_fast_paths_clean_exactly_like_the_definition(text: str) -> None:
    assert clean(text) == _reference_clean(text)


def test_fast_paths_on_the_labelled_posts() -> None:
    import json
    from pathlib import Path

    dev = Path(__file__).resolve().parents[3] / "shared" / "data" / "dev_posts.jsonl"
    sample = Path(__file__).resolve().parents[2] / "simulator" / "data" / "sample_posts.jsonl"
    rows = [json.loads(x) for p in (dev, sample) if p.exists() for x in p.read_text(encoding="utf-8").splitlines()]
    assert rows
    for r in rows:
        for text in (r["text"], r.get("title") or "", r.get("author") or ""):
            assert clean(text) == _reference_clean(text)
