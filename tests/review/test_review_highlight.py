"""Highlighting escapes first and marks up only escaped text; links must be absolute http(s)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from civicwatch.clock import SHANGHAI
from review.render import highlight, sla_left
from review.security import safe_url


@pytest.mark.parametrize(("text", "words", "expected"), [
    ("小区停水三天", ["停水"], "小区<mark>停水</mark>三天"),
    ("<script>alert(1)</script>停水", ["停水"], "&lt;script&gt;alert(1)&lt;/script&gt;<mark>停水</mark>"),
    ("停水<b>", ["<b>"], "停水<mark>&lt;b&gt;</mark>"),
    ("a&amp停电", ["amp"], "a&amp;<mark>amp</mark>停电"),  # never matches inside an entity
    ("路面积水积水", ["积水", "路面积水"], "<mark>路面积水</mark><mark>积水</mark>"),
    ("没有命中", [], "没有命中"),
    ("", ["x"], ""),
    ('"引号"', ["x"], "&#34;引号&#34;"),
])
def test_highlight_escapes_before_marking(text: str, words: list[str], expected: str) -> None:
    assert str(highlight(text, words)) == expected


@pytest.mark.parametrize(("url", "expected"), [
    ("https://m.weibo.cn/detail/1", "https://m.weibo.cn/detail/1"),
    ("http://bbs.example.org/t/2", "http://bbs.example.org/t/2"),
    ("javascript:alert(1)", None),
    ("JavaScript:alert(1)", None),
    ("data:text/html,<script>", None),
    ("//evil.example/x", None),
    ("/relative", None),
    ("", None),
    (None, None),
])
def test_safe_url_allows_only_absolute_http(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_sla_left_labels_overdue_and_remaining() -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    assert sla_left(now + timedelta(minutes=25), now) == {
        "minutes": 25, "overdue": False, "soon": False, "label": "剩余 25 分"}
    late = sla_left(now - timedelta(minutes=90), now)
    assert late["overdue"] and late["label"] == "超时 1 小时 30 分"
