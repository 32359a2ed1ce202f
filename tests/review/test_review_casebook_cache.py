"""The 类案分析 figures at a year's volume: served from the cache, and once older than the cache
time still served (with their time) while a background refresh works out new ones."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from civicwatch.clock import SHANGHAI
from civicwatch.config import Config
from review.casebook import Casebook, Period
from tests.review.conftest import seed_lead

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)  # Wednesday of 2026-W49: the default period ends W48
IN_PERIOD = NOW - timedelta(days=5)


def add(store: Any, config: Config, pid: str) -> None:
    seed_lead(store, config, pid, "小区门口的路灯坏了好几天", item="SD01", now=IN_PERIOD)


def wait_for_refresh(book: Casebook, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while book._refreshing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not book._refreshing, "the refresh did not finish"


def test_stale_figures_are_served_while_the_refresh_runs(store: Any, console_config: Config) -> None:
    add(store, console_config, "c1")
    book = Casebook(console_config, store.db, now=lambda: NOW, cache_seconds=0.2, serve_stale=True)
    period = Period.parse(None, None, NOW)
    assert book.analyse(period, NOW).total == 1
    add(store, console_config, "c2")
    assert book.analyse(period, NOW).total == 1  # within the cache time
    time.sleep(0.3)
    stale = book.analyse(period, NOW)
    assert stale.total == 1  # past it: the older figures at once, a refresh behind them
    wait_for_refresh(book)
    assert book.analyse(period, NOW).total == 2


def test_without_serve_stale_an_old_entry_is_worked_out_again_at_once(store: Any, console_config: Config) -> None:
    add(store, console_config, "d1")
    book = Casebook(console_config, store.db, now=lambda: NOW, cache_seconds=0.2)
    period = Period.parse(None, None, NOW)
    assert book.analyse(period, NOW).total == 1
    add(store, console_config, "d2")
    time.sleep(0.3)
    assert book.analyse(period, NOW).total == 2


def test_one_refresh_per_period_at_a_time(store: Any, console_config: Config) -> None:
    add(store, console_config, "e1")
    book = Casebook(console_config, store.db, now=lambda: NOW, cache_seconds=60, serve_stale=True)
    period = Period.parse(None, None, NOW)
    book._refreshing.add(period)  # as while one runs
    assert book.refresh_in_background(period, NOW) is None
    book._refreshing.discard(period)
    first = book.refresh_in_background(period, NOW)
    assert first is not None
    first.join(timeout=60)
    assert book.analyse(period, NOW).total == 1  # the warm figures, no new aggregation needed


def test_the_console_warms_the_default_period_at_start(app: Any, store: Any, console_config: Config) -> None:
    from review.views.classcases import casebook_of, warm

    add(store, console_config, "f1")
    warm(app.state)
    book = casebook_of(app.state)
    wait_for_refresh(book)
    assert Period.parse(None, None, app.state.now()) in book._cache
