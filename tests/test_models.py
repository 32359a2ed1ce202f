"""Domain models: ids, lifecycle, deadlines."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from civicwatch.clock import SHANGHAI
from civicwatch.lifecycle import can_transition, deadline_for, lead_id_for, work_order_id_for
from civicwatch.models import DECISIONS, DecidedPost, Decision, Lead, LeadState, Post


def test_numeric_post_ids_become_strings_without_precision_loss() -> None:
    post = Post(platform="douyin", post_id=7524494814152268633, url="u",
                published_at=datetime(2026, 11, 20, 8, 0, tzinfo=SHANGHAI))
    assert post.post_id == "7524494814152268633"
    assert post.key == "douyin:7524494814152268633"


def test_labelled_lines_are_read_as_posts_ignoring_the_label() -> None:
    post = Post.model_validate({"platform": "weibo", "post_id": "1", "url": "u", "text": "t",
                                "published_at": "2026-11-20T08:31:00+08:00", "label": {"is_lead": True}})
    assert post.published_at.utcoffset() == timedelta(hours=8)


def test_a_decision_is_validated_where_it_leaves_the_chain() -> None:
    # The chain builds decisions unvalidated; a lead, the store's hand-over and JSON check them.
    found = datetime(2026, 11, 20, 8, 0, tzinfo=SHANGHAI)
    post = Post(platform="weibo", post_id="1", url="u", published_at=found)
    bad = Decision(platform="weibo", post_id="1", is_lead=True, urgency="soon")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="urgency"):
        Lead(_id="lead:weibo:1", decision=bad, discovered_at=found, deadline=found)
    with pytest.raises(ValidationError, match="urgency"):
        DecidedPost(post=post, decision=bad)
    with pytest.raises(ValidationError, match="post_id"):
        DECISIONS.validate_python({"platform": "weibo", "post_id": None, "is_lead": False})
    good = Decision(platform="weibo", post_id="1", is_lead=True, urgency="urgent", reasons=["线索分 1.5"])
    stored = Lead(_id="lead:weibo:1", decision=good, discovered_at=found, deadline=found).model_dump()
    assert DECISIONS.validate_python(stored["decision"]) == good


def test_work_order_id_is_deterministic_per_lead() -> None:
    lead = lead_id_for("weibo:123")
    assert lead == "lead:weibo:123"
    assert work_order_id_for(lead) == work_order_id_for("lead:weibo:123")
    assert work_order_id_for(lead) != work_order_id_for("lead:weibo:124")


def test_lifecycle_allows_only_documented_steps() -> None:
    assert can_transition(LeadState.PENDING_REVIEW, LeadState.DISPATCHED)
    assert can_transition(LeadState.DISPATCHED, LeadState.RETURNED)
    assert can_transition(LeadState.RETURNED, LeadState.DISPATCHED)
    assert not can_transition(LeadState.RESOLVED, LeadState.PENDING_REVIEW)
    assert not can_transition(LeadState.PENDING_REVIEW, LeadState.RESOLVED)


def test_deadline_follows_sla_class() -> None:
    found = datetime(2026, 11, 20, 8, 0, tzinfo=SHANGHAI)
    sla = {"urgent": 30, "general": 120}
    assert deadline_for(found, "urgent", sla) - found == timedelta(minutes=30)
    assert deadline_for(found, "general", sla) - found == timedelta(minutes=120)
    assert deadline_for(found, None, sla) - found == timedelta(minutes=120)


def test_published_work_order_schema_is_current() -> None:
    import json
    from pathlib import Path

    from civicwatch.models import work_order_json_schema

    published = json.loads((Path(__file__).resolve().parents[1] / "docs" / "workorder.schema.json").read_text())
    assert published == work_order_json_schema(), "run: civicwatch workorders schema > docs/workorder.schema.json"
    assert {"service_request_id", "service_code", "agency_responsible", "lead_id"} <= set(published["required"])
