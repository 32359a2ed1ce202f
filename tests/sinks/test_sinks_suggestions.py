"""The governance-suggestion loop end to end on the real servers: raised from a case in the
console, on the work-order stream once, replies on the status stream applied once each, shown on
the case with the effect of the rectification, overdue ones flagged."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import redis
from fastapi.testclient import TestClient
from pymongo.database import Database

from civicwatch.config import Config, get_settings, load_config
from civicwatch.models import GovernanceSuggestion, StatusEvent, SuggestionReply, suggestion_json_schema
from civicwatch.weeks import week_start
from review.app import create_app
from sinks.leads import LeadService
from sinks.mongo import Store
from sinks.status import StatusApplier, publish_status
from sinks.stream import WorkOrderConsumer
from sinks.suggestions import SuggestionRelay, SuggestionReplies, SuggestionStore, publish_reply
from sinks.users import UserStore
from tests.leadgen import LeadGenerator, seed

ROOT = Path(__file__).resolve().parents[2]
KEY = "item:AQ02:福田区:沙头街道"
PASSWORD = "correct-horse-1"
RECTIFIED = date(2026, 11, 9)  # Monday of 2026-W46


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(get_settings())


@pytest.fixture
def world(mongo_db: Database, config: Config) -> Iterator[dict[str, Any]]:
    """Ten leads of the case in the four weeks before the rectification, one after, and others."""
    gen = LeadGenerator(config, ordinary=300, seed=7)
    store = Store(db=mongo_db)
    before = [week_start("2026-W42") + timedelta(days=2 * i + 1, hours=20) for i in range(10)]
    case = [gen.lead("AQ02", "福田区", "沙头街道", at, "上沙村楼道里飞线给电动车充电。", fate="pending")
            for at in [*before, week_start("2026-W47") + timedelta(days=2, hours=21)]]
    seed(store, [*case, *gen.ordinary_leads()])
    users = UserStore(mongo_db)
    users.add("ada", "admin", PASSWORD)
    app = create_app(config, store, users=users, now=lambda: gen.now, secret="sg-" + uuid.uuid4().hex)
    with TestClient(app, follow_redirects=False) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        assert client.post("/login", data={"username": "ada", "password": PASSWORD, "csrf_token": token,
                                           "next": "/"}).status_code == 303
        yield {"client": client, "store": store, "gen": gen, "case": case, "db": mongo_db, "config": config}


def case_page(client: TestClient) -> str:
    r = client.get("/classcases/case?" + urlencode({"key": KEY, "week": "2026-W48", "weeks": 8}))
    assert r.status_code == 200, r.text[:300]
    return r.text


def raise_from_console(client: TestClient, deadline: str) -> str:
    html = case_page(client)
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html.split('id="suggest-form"')[1]))
    form.update(department="YJ", problem="沙头街道城中村电动车飞线充电反复出现。", deadline=deadline,
                requested_action="开展电动车充电专项整治，增设集中充电设施。")
    r = client.post("/classcases/case/suggest", data=form)
    assert r.status_code == 303, r.text[:500]
    flash = re.search(r"治理建议 (GS-[0-9A-F-]+) 已提出", client.get(r.headers["location"]).text)
    assert flash
    return flash.group(1)


def test_the_suggestion_loop(world: dict[str, Any], redis_client: redis.Redis, caplog: pytest.LogCaptureFixture,
                             redis_url: str) -> None:
    client, db, case = world["client"], world["db"], world["case"]
    sid = raise_from_console(client, "2026-12-31")
    store = SuggestionStore(db, now=lambda: world["gen"].now)

    # on the work-order stream, once, as its own message type beside the work orders
    relay = SuggestionRelay(store, redis_client)
    consumer = WorkOrderConsumer(redis_client, "dispatch", "d1")
    assert relay.relay_once() == 1
    db["suggestions"].update_one({"_id": sid}, {"$set": {"outbox.state": "pending"}})  # as if the mark was lost
    assert relay.relay_once() == 0
    entries = redis_client.xrange("civicwatch:workorders")
    assert len(entries) == 1
    fields = entries[0][1]
    assert fields[b"type"] == b"suggestion" and fields[b"id"].decode() == sid
    sent = GovernanceSuggestion.model_validate_json(fields[b"document"])
    assert sent.case_key == KEY and sent.department == "YJ" and sent.agency_responsible == "应急管理局"
    assert set(sent.evidence) == {lead.id for lead in case} and sent.evidence_total == len(case)
    (delivery,) = consumer.read()
    assert delivery.kind == "suggestion" and delivery.order_id == sid

    # the department answers on the status stream; the work-order applier leaves those entries alone
    at = world["gen"].now - timedelta(days=25)
    replies = [SuggestionReply(event_id="r1", suggestion_id=sid, status="received", at=at),
               SuggestionReply(event_id="r2", suggestion_id=sid, status="adopted", at=at + timedelta(days=1)),
               SuggestionReply(event_id="r3", suggestion_id=sid, status="rectified", at=at + timedelta(days=5),
                               rectified_on=RECTIFIED)]
    applier = SuggestionReplies(store, redis_client)
    statuses = StatusApplier(LeadService(Store(db=db), world["config"].catalogue), redis_client)
    for reply in [*replies, replies[1]]:  # the adoption is delivered twice
        publish_reply(redis_client, reply)
    publish_status(redis_client, StatusEvent(event_id="w1", service_request_id="WO-NONE", status="签收", at=at))
    with caplog.at_level(logging.WARNING):
        assert statuses.apply_pending() == 0
    assert "unreadable" not in caplog.text
    assert applier.apply_pending() == 3
    assert applier.apply_pending() == 0
    for reply in replies:  # the whole batch again: nothing changes
        assert store.apply(reply) is False
    publish_reply(redis_client, SuggestionReply(event_id="r4", suggestion_id=sid, status="declined", at=at,
                                                reason="迟到的答复"))
    assert applier.apply_pending() == 0  # declined after rectified is not a step
    record = store.get(sid)
    assert record is not None and record.state == "rectified"
    assert [h.status for h in record.history] == ["received", "adopted", "rectified"]
    assert record.rectified_on == RECTIFIED and not record.overdue(world["gen"].now)

    # shown on the case, with whether leads fell after the rectification; an overdue one flagged
    late = raise_from_console(client, "2026-11-20")
    html = case_page(client)
    rows = html.split('id="suggestions"')[1].split("</table>")[0]
    mine = rows.split(f'data-suggestion="{sid}"')[1].split("</tr>")[0]
    assert "已整改" in mine and "已收到" in mine and "已采纳" in mine and "整改日期 2026-11-09" in mine
    assert "整改前 4 周 10 条 → 整改后 1 条（21 天）" in mine and "线索下降" in mine
    assert "逾期" not in mine
    overdue = rows.split(f'data-suggestion="{late}"')[1].split("</tr>")[0]
    assert "⚠ 逾期" in overdue and "尚未答复" in overdue
    assert f'data-suggestion="{late}"' in rows.split("is-overdue")[1]


def test_a_bad_reply_is_dead_lettered_and_acknowledged(mongo_db: Database, redis_client: redis.Redis,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    store = SuggestionStore(mongo_db)
    applier = SuggestionReplies(store, redis_client)
    redis_client.xadd("civicwatch:workorder-status", {"type": "suggestion", "event": json.dumps(
        {"event_id": "x", "suggestion_id": "GS-1", "status": "declined", "at": "2026-11-30T09:00:00+08:00"})})
    with caplog.at_level(logging.WARNING):
        assert applier.apply_pending() == 0
    assert "needs a reason" in caplog.text
    dead = redis_client.xrange("civicwatch:workorder-status-dead")
    assert len(dead) == 1 and b"needs a reason" in dead[0][1][b"reason"]
    assert redis_client.xpending("civicwatch:workorder-status", "civicwatch-suggestions")["pending"] == 0


@pytest.mark.parametrize(("status", "extra", "problem"), [
    ("declined", {}, "needs a reason"),
    ("rectified", {}, "needs rectified_on"),
])
def test_replies_carry_what_their_status_needs(status: str, extra: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        SuggestionReply(event_id="e", suggestion_id="GS-1", status=status, at="2026-11-30T09:00:00+08:00", **extra)


@pytest.mark.parametrize(("model", "name"), [(GovernanceSuggestion, "suggestion.schema.json"),
                                             (SuggestionReply, "suggestion-reply.schema.json")])
def test_published_schemas_are_current(model: Any, name: str) -> None:
    published = json.loads((ROOT / "docs" / name).read_text(encoding="utf-8"))
    flag = " --reply" if model is SuggestionReply else ""
    assert published == suggestion_json_schema(model), f"run: civicwatch suggestions schema{flag} > docs/{name}"


@pytest.mark.e2e
def test_the_example_consumer_tells_a_suggestion_from_a_work_order(mongo_db: Database, redis_client: redis.Redis,
                                                                   redis_url: str) -> None:
    store = SuggestionStore(mongo_db)
    sent = store.raise_suggestion(
        raised_by="ada", case_key=KEY, title="沙头街道 · 电动车飞线充电", problem="反复出现", requested_action="整治",
        department="YJ", agency_responsible="应急管理局", deadline=date(2026, 12, 31), evidence=["lead:weibo:1"],
        evidence_total=9, item="AQ02", category="AQ", district="福田区", street="沙头街道")
    assert SuggestionRelay(store, redis_client).relay_once() == 1
    proc = subprocess.Popen([sys.executable, "examples/consumer.py", "--redis", redis_url, "--group", "dispatch",
                             "--name", "ex2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            groups = {g["name"].decode(): g for g in redis_client.xinfo_groups("civicwatch:workorders")}
            if "dispatch" in groups and groups["dispatch"]["pending"] == 0 and \
                    groups["dispatch"]["last-delivered-id"] != b"0-0":
                break
            time.sleep(0.2)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert f"{sent.suggestion_id} 治理建议 → 应急管理局" in out, err
    sys.path.insert(0, str(ROOT / "examples"))
    from consumer import report_suggestion  # type: ignore[import-not-found]

    report_suggestion(redis_client, "ex-1", sent.suggestion_id, "declined", reason="不属于本单位职责")
    assert SuggestionReplies(store, redis_client).apply_pending() == 1
    record = store.get(sent.suggestion_id)
    assert record is not None and record.state == "declined" and record.declined_reason == "不属于本单位职责"


def test_one_loop_round_sends_and_applies_and_the_cli_lists(mongo_db: Database, redis_client: redis.Redis,
                                                             mongo_uri: str) -> None:
    from typer.testing import CliRunner

    from crawlers.cli import app
    from sinks.suggestions import SuggestionLoop

    store = SuggestionStore(mongo_db)
    sent = store.raise_suggestion(
        raised_by="ada", case_key=KEY, title="沙头街道 · 电动车飞线充电", problem="反复出现", requested_action="整治",
        department="YJ", agency_responsible="应急管理局", deadline=date(2020, 1, 31), evidence=["lead:weibo:1"],
        evidence_total=9, item="AQ02", category="AQ", district="福田区", street="沙头街道")
    loop = SuggestionLoop(mongo_db, redis_client)
    assert loop.step() == (1, 0)
    publish_reply(redis_client, SuggestionReply(event_id="l1", suggestion_id=sent.suggestion_id, status="adopted",
                                                at="2026-11-30T09:00:00+08:00"))
    assert loop.step() == (0, 1)
    result = CliRunner().invoke(app, ["suggestions", "list"], env={"CIVICWATCH_MONGO_URI": mongo_uri, "COLUMNS": "200",
                                                                  "CIVICWATCH_MONGO_DB": mongo_db.name})
    assert result.exit_code == 0, result.output
    assert sent.suggestion_id in result.output and "已采纳" in result.output and "逾期" in result.output
