"""The queue page over a large backlog: urgent leads first, true totals, pages, filters in links."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.review.conftest import login, seed_lead


def _ids(html: str) -> list[str]:
    return re.findall(r'data-lead-id="([^"]+)"', html)


def test_urgent_leads_show_first_behind_210_overdue_general_leads(client: TestClient, store: Any,
                                                                   console_config: Any) -> None:
    for i in range(210):
        seed_lead(store, console_config, f"g{i}", "垃圾堆积", item="CS01", urgency="general",
                  found_ago_minutes=400 - i)
    for i in range(27):
        seed_lead(store, console_config, f"u{i}", "井盖丢了", item="DL02", urgency="urgent", found_ago_minutes=i)
    login(client, "alice")
    html = client.get("/").text
    ids = _ids(html)
    assert len(ids) == 50
    assert ids[:27] == [f"lead:weibo:u{i}" for i in range(26, -1, -1)]  # least time left first
    assert ids[27] == "lead:weibo:g0"
    assert 'id="lead-count">237<' in html and 'id="urgent-count" class="urgent-text">27<' in html
    assert 'id="overdue-count" class="overdue-text">210<' in html
    assert "第 1 / 5 页" in html
    last = client.get("/?page=5").text
    assert _ids(last) == [f"lead:weibo:g{i}" for i in range(173, 210)]
    everything = [i for p in range(1, 6) for i in _ids(client.get(f"/?page={p}").text)]
    assert len(everything) == len(set(everything)) == 237


def test_pager_links_keep_the_filters(client: TestClient, store: Any, console_config: Any) -> None:
    for i in range(60):
        seed_lead(store, console_config, f"f{i}", "停水", item="SD01", urgency="general", district="福田区",
                  street=None, found_ago_minutes=i)
    seed_lead(store, console_config, "other", "停水", item="SD01", district="南山区")
    login(client, "alice")
    html = client.get("/?district=福田区&urgency=general").text
    assert 'id="lead-count">60<' in html
    assert 'href="/?district=%E7%A6%8F%E7%94%B0%E5%8C%BA&amp;urgency=general&amp;page=2"' in html
    assert len(_ids(client.get("/?district=福田区&urgency=general&page=2").text)) == 10
    assert 'id="lead-count">0<' in client.get("/?urgency=urgent").text
