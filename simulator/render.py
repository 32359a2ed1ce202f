"""Shared rendering helpers: paging with faults, relative times against the simulator's clock."""

from __future__ import annotations

from datetime import datetime

from civicwatch.models import Post
from simulator.faults import Fault


def page_of(hits: list[Post], page: int, size: int, fault: Fault | None) -> tuple[list[Post], bool]:
    start = (page - 1) * size
    chunk = hits[start:start + size]
    has_next = start + size < len(hits)
    if fault and fault.kind == "duplicate_ids" and page > 1 and hits:
        chunk = hits[start - 1:start + size - 1]  # the previous page's last post again
    if fault and fault.kind == "deleted" and chunk:
        chunk = chunk[1:]  # a post vanished between listing and paging
    return chunk, has_next


def relative_time(dt: datetime, now: datetime) -> str:
    seconds = int((now - dt).total_seconds())
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{seconds // 60}分钟前"
    return f"{seconds // 3600}小时前"
