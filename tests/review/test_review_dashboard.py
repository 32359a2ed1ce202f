"""The dashboard's numbers are links, and each link lists exactly the leads its number counts."""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from civicwatch.clock import now_shanghai
from review.app import create_app
from tests.review.conftest import login, seed_lead


def test_every_number_links_to_the_leads_it_counts(console_config: Any, store: Any, users: Any) -> None:
    noon = now_shanghai().replace(hour=12, minute=0, second=0, microsecond=0)
    app = create_app(console_config, store, users=users, secret="test-dashboard-links", now=lambda: noon)
    seed_lead(store, console_config, "d1", "停水", item="SD01", urgency="urgent", district="南山区", now=noon)
    seed_lead(store, console_config, "d2", "停水了", item="SD01", urgency="general", district="南山区", now=noon,
              platform="douyin")
    seed_lead(store, console_config, "d3", "井盖", item="DL02", urgency="urgent", district="福田区",
              found_ago_minutes=40, now=noon)
    late = seed_lead(store, console_config, "d4", "路灯", item="CS05", district="福田区", found_ago_minutes=200,
                     now=noon)
    app.state.leads.verify_and_dispatch(late.id, actor="alice", expected_version=late.version)
    with TestClient(app, follow_redirects=False) as client:
        login(client, "vic")
        page = client.get("/dashboard").text
        links = re.findall(r'<a href="([^"]+)">(\d+)</a>', page)
        links += re.findall(r'<a class="card kpi[^"]*" href="([^"]+)" id="[^"]+">\s*<span class="label">[^<]*</span>'
                            r'<span class="value">(\d+)</span>', page)
        assert len(links) >= 12
        for href, n in links:
            href = htmllib.unescape(href)
            target = client.get(href).text
            if href.startswith("/search"):
                shown = re.search(r'id="search-total">(\d+)<', target).group(1)
            else:
                shown = re.search(r'id="lead-count">(\d+)<', target).group(1)
            assert shown == n, f"{href} lists {shown}, the dashboard says {n}"
    assert (noon - timedelta(hours=1)).date() == noon.date()
