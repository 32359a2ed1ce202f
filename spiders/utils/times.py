"""Platform time strings → aware Asia/Shanghai datetimes (docs/platforms.md, "Time formats").

Relative forms (`5分钟前`, `今天 12:30`, `MM-DD`) are read against `now`, the response's fetch
time (its Date header), never the clock at parse time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from civicwatch.clock import SHANGHAI

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_RFC = re.compile(r"^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$")
_AGO = re.compile(r"^(\d+)\s*(秒|分钟|小时|天)前")
_TODAY = re.compile(r"^(今天|昨天|前天)\s*(\d{1,2}):(\d{2})")
_HM = re.compile(r"^(\d{1,2}):(\d{2})$")
_YMD_CN = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日\s*(?:(\d{1,2}):(\d{2}))?")
_YMD = re.compile(r"^(?:(\d{4})-)?(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_DECOR = re.compile(r"^(?:编辑于|发布于)\s*")


class TimeFormatError(ValueError):
    """Raised for a time string in no known format."""


def _at(now: datetime, year: int | None, month: int, day: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    dt = datetime(year or now.year, month, day, hh, mm, ss, tzinfo=SHANGHAI)
    if year is None and dt > now + timedelta(days=1):  # January rollover: last year's date
        dt = dt.replace(year=dt.year - 1)
    return dt


def parse_time(raw: object, now: datetime) -> datetime:
    """Parse every form docs/platforms.md lists; `now` must be aware."""
    now = now.astimezone(SHANGHAI)
    if isinstance(raw, (int, float)) or (isinstance(raw, str) and raw.strip().isdigit()):
        value = float(raw)
        if value > 1e11:  # milliseconds
            value /= 1000
        return datetime.fromtimestamp(value, tz=UTC).astimezone(SHANGHAI)
    if not isinstance(raw, str) or not raw.strip():
        raise TimeFormatError(f"no time in {raw!r}")
    text = _DECOR.sub("", raw.replace("\xa0", " ").replace("&nbsp;", " ").strip())
    if text.startswith("刚刚"):
        return now
    if m := _RFC.match(text):
        mon, day, hh, mi, ss, sign, oh, om, year = m.groups()
        if mon.lower() not in _MONTHS:
            raise TimeFormatError(f"unknown month in {raw!r}")
        offset = timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
        dt = datetime(int(year), _MONTHS[mon.lower()], int(day), int(hh), int(mi), int(ss),
                      tzinfo=timezone(offset))
        return dt.astimezone(SHANGHAI)
    if m := _AGO.match(text):
        n, unit = int(m.group(1)), m.group(2)
        delta = {"秒": timedelta(seconds=n), "分钟": timedelta(minutes=n), "小时": timedelta(hours=n),
                 "天": timedelta(days=n)}[unit]
        return now - delta
    if m := _TODAY.match(text):
        days = {"今天": 0, "昨天": 1, "前天": 2}[m.group(1)]
        day = (now - timedelta(days=days)).date()
        return datetime(day.year, day.month, day.day, int(m.group(2)), int(m.group(3)), tzinfo=SHANGHAI)
    if m := _HM.match(text):
        return now.replace(hour=int(m.group(1)), minute=int(m.group(2)), second=0, microsecond=0)
    for pattern in (_YMD_CN, _YMD):
        if m := pattern.match(text):
            y, mo, d, hh, mi, *rest = m.groups()
            ss = rest[0] if rest else None
            try:
                return _at(now, int(y) if y else None, int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
            except ValueError as exc:
                raise TimeFormatError(f"{raw!r}: {exc}") from None
    raise TimeFormatError(f"unknown time format {raw!r}")
