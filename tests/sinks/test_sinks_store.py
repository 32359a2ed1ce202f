"""Store, seen-set and lead service against the real embedded servers."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis

from civicwatch.clock import SHANGHAI
from civicwatch.config import Settings, load_config
from civicwatch.exceptions import InvalidInputError, StaleLeadError, TransitionError
from civicwatch.lifecycle import work_order_id_for
from civicwatch.models import Decision, Lead, LeadState, Post
from sinks.leads import LeadService
from sinks.mongo import Store
from sinks.seen import SeenSet

CONFIG = load_config(Settings(config_dir=Path(__file__).resolve().parents[2] / "config"))
SLA = CONFIG.catalogue.sla_minutes
T0 = datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI)


def post(pid: str, text: str = "福田区梅林街道小区门口井盖丢了", minutes: int = 0) -> Post:
    return Post(platform="weibo", post_id=pid, url=f"https://m.weibo.cn/detail/{pid}", author="张三",
                text=text, published_at=T0 + timedelta(minutes=minutes),
                fetched_at=T0 + timedelta(minutes=minutes + 2), keyword="福田")


def decision(pid: str, *, dup_of: str | None = None, item: str = "DL02", urgency: str = "urgent") -> Decision:
    it = CONFIG.catalogue.items[item]
    return Decision(platform="weibo", post_id=pid, is_lead=True, score=0.9, district="福田区",
                    street="梅林街道", category=it.category, item=item, department=it.department,
                    urgency=urgency, dup_of=dup_of, text_masked="福田区梅林街道小区门口井盖丢了")


def save(store: Store, pid: str, **kw: object) -> tuple[Lead, bool]:
    p = post(pid)
    return LeadService(store, CONFIG.catalogue).record(p, decision(pid, **kw), text_masked=p.text,
                                                       title_masked=None, author_hash="abc", now=T0)


def test_record_is_idempotent_and_sets_the_sla_deadline(store: Store) -> None:
    lead, created = save(store, "1")
    again, created_again = save(store, "1")
    assert created and not created_again
    assert store.leads.count_documents({}) == 1 and store.posts.count_documents({}) == 1
    assert lead.id == again.id == "lead:weibo:1"
    assert lead.state == LeadState.PENDING_REVIEW
    assert lead.deadline - lead.discovered_at == timedelta(minutes=30)  # DL02 is urgent
    stored = store.posts.find_one({"_id": "weibo:1"})
    assert "张三" not in str(stored) and stored["author_hash"] == "abc"
    assert "井盖" in stored["tokens"]
    assert store.count_leads(state="pending_review", platform="weibo") == 1
    assert store.count_leads(state="dispatched") == 0


def test_duplicate_joins_the_incident_instead_of_a_new_lead(store: Store) -> None:
    save(store, "1")
    lead, created = save(store, "2", dup_of="weibo:1")
    save(store, "2", dup_of="weibo:1")
    assert not created and lead.id == "lead:weibo:1"
    assert [s.key for s in store.lead("lead:weibo:1").sources] == ["weibo:1", "weibo:2"]
    assert store.leads.count_documents({}) == 1


def test_watermarks_only_move_forward(store: Store) -> None:
    store.advance_watermark("weibo", "福田", T0)
    store.advance_watermark("weibo", "福田", T0 - timedelta(hours=1))
    assert store.get_watermarks("weibo") == {"福田": T0}
    store.advance_watermark("weibo", "福田", T0 + timedelta(hours=1))
    assert store.get_watermarks("weibo")["福田"] == T0 + timedelta(hours=1)
    assert store.get_watermarks("tieba") == {}


def test_recent_lead_posts_give_back_masked_posts_and_decisions(store: Store) -> None:
    save(store, "1")
    rows = list(store.recent_lead_posts(T0 - timedelta(days=1)))
    assert len(rows) == 1 and rows[0][0].key == "weibo:1" and rows[0][1].item == "DL02"
    assert list(store.recent_lead_posts(T0 + timedelta(days=1))) == []


def test_seen_set_reports_new_keys_and_trims_by_age(redis_client: redis.Redis) -> None:
    seen = SeenSet(redis_client, ttl_days=1)
    assert seen.add(["a", "b"]) == [True, True]
    assert seen.add(["b", "c"]) == [False, True]
    assert seen.contains("a") and not seen.contains("z")
    redis_client.zadd("civicwatch:seen", {"old": 1.0})  # first seen in 1970
    seen.add(["d"])
    assert not seen.contains("old") and len(seen) == 4


def test_dispatch_writes_state_history_and_outbox_together(store: Store) -> None:
    lead, _ = save(store, "1")
    service = LeadService(store, CONFIG.catalogue, now=lambda: T0 + timedelta(minutes=10))
    order = service.verify_and_dispatch(lead.id, actor="alice", expected_version=lead.version,
                                        corrections={"item": "DL01"})
    doc = store.leads.find_one({"_id": lead.id})
    assert doc["state"] == "dispatched" and doc["outbox"]["state"] == "pending"
    assert order.service_request_id == work_order_id_for(lead.id) == doc["work_order_id"]
    assert order.service_code == "DL01" and order.department == "JTYS" and order.urgency == "general"
    assert doc["history"][-1]["actor"] == "alice"


def test_second_reviewer_on_a_stale_version_is_refused(store: Store) -> None:
    lead, _ = save(store, "1")
    service = LeadService(store, CONFIG.catalogue)
    service.reject(lead.id, actor="alice", reason="重复", expected_version=lead.version)
    with pytest.raises(StaleLeadError):
        service.verify_and_dispatch(lead.id, actor="bob", expected_version=lead.version)
    with pytest.raises(InvalidInputError):
        service.reject(lead.id, actor="bob", reason=" ", expected_version=lead.version + 1)
    with pytest.raises(TransitionError):  # a rejected lead must be reopened before dispatch
        service.verify_and_dispatch(lead.id, actor="bob", expected_version=lead.version + 1)


def test_queue_orders_by_deadline_so_urgent_comes_first(store: Store) -> None:
    save(store, "1", item="CS01", urgency="general")
    save(store, "2", item="DL02", urgency="urgent")
    service = LeadService(store, CONFIG.catalogue)
    assert [lead.id for lead in service.pending()] == ["lead:weibo:2", "lead:weibo:1"]
    assert [lead.id for lead in service.pending(category="CS")] == ["lead:weibo:1"]


def test_merge_moves_sources_and_reopen_brings_back(store: Store) -> None:
    save(store, "1")
    other, _ = save(store, "9")
    service = LeadService(store, CONFIG.catalogue)
    merged = service.merge(other.id, "lead:weibo:1", actor="alice", expected_version=other.version)
    assert merged.state == LeadState.MERGED and merged.merged_into == "lead:weibo:1"
    assert {s.key for s in service.get("lead:weibo:1").sources} == {"weibo:1", "weibo:9"}
    back = service.reopen(other.id, actor="alice", expected_version=merged.version, reason="误并")
    assert back.state == LeadState.PENDING_REVIEW
