"""Faults the simulator injects per platform on request (tests, demos of source health)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["rate_limited", "blocked", "login_required", "captcha", "empty", "malformed", "slow",
                    "duplicate_ids", "deleted"]
KINDS: tuple[str, ...] = FaultKind.__args__  # type: ignore[attr-defined]


@dataclass
class Fault:
    kind: str
    page: int | None = None        # only this page (1-based); None = every page
    remaining: int | None = None   # how many responses to spoil; None = until cleared
    delay_s: float = 2.0           # for `slow`
    path: str | None = None        # only requests whose path starts with this


class FaultBook:
    """Thread-safe: the HTTP thread reads while tests write."""

    def __init__(self) -> None:
        self._faults: dict[str, Fault] = {}
        self._lock = threading.Lock()

    def set(self, platform: str, fault: Fault) -> None:
        if fault.kind not in KINDS:
            raise ValueError(f"unknown fault {fault.kind!r}; known: {', '.join(KINDS)}")
        with self._lock:
            self._faults[platform] = fault

    def clear(self, platform: str | None = None) -> None:
        with self._lock:
            if platform is None:
                self._faults.clear()
            else:
                self._faults.pop(platform, None)

    def take(self, platform: str, page: int, path: str = "/") -> Fault | None:
        """The fault for this response, if any (counting it down)."""
        with self._lock:
            fault = self._faults.get(platform)
            if fault is None or (fault.page is not None and fault.page != page):
                return None
            if fault.path is not None and not path.startswith(fault.path):
                return None
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    del self._faults[platform]
            return fault
