"""ISO weeks in Beijing time (周): labels such as `2026-W48`, their bounds, ranges of weeks.

Class cases, the 类案分析 page and the weekly report count leads per ISO week (Monday 00:00 to
Monday 00:00, Asia/Shanghai), the same weeks MongoDB's `%G-W%V` date format gives.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from civicwatch.clock import SHANGHAI

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def week_of(moment: datetime | date) -> str:
    """The ISO week label of a moment (in Beijing time) or a date."""
    day = moment.astimezone(SHANGHAI).date() if isinstance(moment, datetime) else moment
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(label: str) -> tuple[int, int]:
    """(ISO year, week) of a label; ValueError names the expected form."""
    m = _WEEK_RE.match(label.strip())
    if m:
        year, week = int(m.group(1)), int(m.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            pass
        else:
            return year, week
    raise ValueError(f"not an ISO week: {label!r} (expected e.g. 2026-W48)")


def week_start(label: str) -> datetime:
    """Monday 00:00 Beijing time of the week."""
    year, week = parse_week(label)
    return datetime.combine(date.fromisocalendar(year, week, 1), time(0), tzinfo=SHANGHAI)


def week_end(label: str) -> datetime:
    """The next Monday 00:00: weeks are half-open intervals [start, end)."""
    return week_start(label) + timedelta(days=7)


def shift_week(label: str, weeks: int) -> str:
    return week_of((week_start(label) + timedelta(weeks=weeks)).date())


def weeks_ending(label: str, count: int) -> list[str]:
    """`count` consecutive week labels, oldest first, the last one being `label`."""
    return [shift_week(label, -i) for i in range(count - 1, -1, -1)]


def last_complete_week(now: datetime) -> str:
    """The week before the one `now` falls in (what a Monday review meeting looks back on)."""
    return shift_week(week_of(now), -1)
