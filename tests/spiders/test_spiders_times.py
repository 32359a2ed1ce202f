"""Every time format docs/platforms.md lists, read against the response's fetch time."""

from __future__ import annotations

from datetime import datetime

import pytest

from civicwatch.clock import SHANGHAI
from spiders.utils.text import strip_html
from spiders.utils.times import TimeFormatError, parse_time

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("raw, expected", [
    ("Sat Jan 14 18:34:32 +0800 2023", datetime(2023, 1, 14, 18, 34, 32, tzinfo=SHANGHAI)),
    ("Sat Jan 14 10:34:32 +0000 2023", datetime(2023, 1, 14, 18, 34, 32, tzinfo=SHANGHAI)),
    ("1773552643", datetime(2026, 3, 15, 13, 30, 43, tzinfo=SHANGHAI)),
    (1778112064000, datetime(2026, 5, 7, 8, 1, 4, tzinfo=SHANGHAI)),
    ("刚刚", NOW),
    ("30秒前", datetime(2026, 11, 22, 11, 59, 30, tzinfo=SHANGHAI)),
    ("5分钟前", datetime(2026, 11, 22, 11, 55, tzinfo=SHANGHAI)),
    ("3小时前", datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI)),
    ("今天 08:30", datetime(2026, 11, 22, 8, 30, tzinfo=SHANGHAI)),
    ("昨天 23:10", datetime(2026, 11, 21, 23, 10, tzinfo=SHANGHAI)),
    ("11:24", datetime(2026, 11, 22, 11, 24, tzinfo=SHANGHAI)),
    ("11月20日 12:30", datetime(2026, 11, 20, 12, 30, tzinfo=SHANGHAI)),
    ("2023年11月20日 12:30", datetime(2023, 11, 20, 12, 30, tzinfo=SHANGHAI)),
    ("04-24", datetime(2026, 4, 24, tzinfo=SHANGHAI)),
    ("2024-8-6&nbsp;22:55", datetime(2024, 8, 6, 22, 55, tzinfo=SHANGHAI)),
    ("发布于 2026-3-15", datetime(2026, 3, 15, tzinfo=SHANGHAI)),
    ("2019-11-20 12:30:45", datetime(2019, 11, 20, 12, 30, 45, tzinfo=SHANGHAI)),
])
def test_formats(raw: object, expected: datetime) -> None:
    assert parse_time(raw, NOW) == expected


def test_month_day_in_the_future_is_last_year() -> None:
    january = datetime(2027, 1, 2, 9, 0, tzinfo=SHANGHAI)
    assert parse_time("12-30", january) == datetime(2026, 12, 30, tzinfo=SHANGHAI)


@pytest.mark.parametrize("raw", ["", None, "下周三", "Sat Foo 14 18:34:32 +0800 2023", "13月40日"])
def test_unknown_forms_raise_a_time_format_error(raw: object) -> None:
    with pytest.raises(TimeFormatError):
        parse_time(raw, NOW)


def test_html_is_read_as_text_never_run() -> None:
    html = '井盖<span class="url-icon"><img alt="[允悲]" src="x"></span>没了<script>alert(1)</script>&amp;'
    assert strip_html(html) == "井盖[允悲]没了&"
    assert strip_html("<div><p>未闭合") == "未闭合"
