"""Normalisation: the forms people use to dodge filters all reach one canonical text."""

from __future__ import annotations

from filters.normalize import clean, normalize


def test_obfuscation_and_traditional_and_full_width() -> None:
    assert clean("噪 音擾民") == "噪音扰民"
    assert clean("欠*薪  ２个月") == "欠薪 2个月"
    assert clean("拖-欠_工·资") == "拖欠工资"
    assert clean("&lt;b&gt;停水&lt;/b&gt;🙄") == "停水"


def test_repost_chain_is_split_from_own_words() -> None:
    n = normalize("连续三晚了//@西乡打工人:凌晨1点还在打桩//@别人:转发")
    assert n.own == "连续三晚了"
    assert "打桩" in n.reposted and "打桩" not in n.own
