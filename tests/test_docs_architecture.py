"""docs/architecture.md tells the truth about the lead lifecycle: every state it names is one the
code writes (driven through the one writer, LeadService, on the real embedded server), and every
state the code has is named there."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

from pymongo.database import Database

from civicwatch.models import LeadState, StatusEvent
from sinks.leads import LeadService
from sinks.mongo import Store
from tests.sinks.test_sinks_store import CONFIG, T0, save

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
STATE = re.compile(r"`([a-z_]+)`")


def documented_states() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Lead lifecycle", 1)[1].split("\n## ", 1)[0]
    line = next(x for x in section.splitlines() if x.startswith("States:"))
    return set(STATE.findall(line))


def table_states() -> set[str]:
    section = DOC.read_text(encoding="utf-8").split("## Lead lifecycle", 1)[1].split("\n## ", 1)[0]
    rows = [r for r in section.splitlines() if r.startswith("| ") and "`" in r]
    return {s for r in rows for cell in r.split("|")[1:3] for s in STATE.findall(cell)}


def written_states(mongo_db: Database) -> set[str]:
    """Every state that LeadService writes on the paths the console and the dispatch system take."""
    store = Store(db=mongo_db)
    store.ensure_indexes()
    service = LeadService(store, CONFIG.catalogue, now=lambda: T0 + timedelta(minutes=5))

    def status(order_id: str, kind: str) -> None:
        service.apply_status(StatusEvent(event_id=uuid.uuid4().hex, service_request_id=order_id,
                                         status=kind, at=T0 + timedelta(minutes=20), reason="原因"))

    a, _ = save(store, "a")
    order = service.verify_and_dispatch(a.id, actor="v", expected_version=a.version)
    status(order.service_request_id, "签收")
    status(order.service_request_id, "退单")
    again = service.get(a.id)
    service.verify_and_dispatch(a.id, actor="v", expected_version=again.version)
    status(order.service_request_id, "办结")
    b, _ = save(store, "b")
    rejected = service.reject(b.id, actor="v", reason="广告", expected_version=b.version)
    service.reopen(b.id, actor="v", expected_version=rejected.version)
    c, _ = save(store, "c")
    service.merge(c.id, a.id, actor="v", expected_version=c.version)
    states = set()
    for doc in mongo_db["leads"].find({}, {"history": 1}):
        states.update(h["to_state"] for h in doc["history"])
    return states


def test_every_documented_state_is_written_and_every_state_documented(mongo_db: Database) -> None:
    documented = documented_states()
    assert documented == {s.value for s in LeadState}
    assert table_states() == documented
    assert written_states(mongo_db) == documented
