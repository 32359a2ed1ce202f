"""JSON API for automation, mirroring the console (token auth: `Authorization: Bearer …`).

Tokens come from `civicwatch users token NAME` and act with that user's role. The same
LeadService rules apply as in the console: a stale version is 409, a step the lifecycle does
not allow is 409, an unknown lead 404, bad input 422 (each exception's own `status`, turned
into {"detail": …} by review/app.py's handler).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from civicwatch.corrections import validate_corrections
from civicwatch.exceptions import InvalidInputError, LoginRequired
from civicwatch.models import Lead, LeadState
from sinks.search import LeadSearch, SearchFilters
from sinks.users import User

router = APIRouter()
DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA = DOCS / "workorder.schema.json"
STATUS_SCHEMA = DOCS / "status-event.schema.json"


def api_user(request: Request) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    user = request.app.state.users.by_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise LoginRequired("missing or invalid token")
    return user


def api_verifier(user: User = Depends(api_user)) -> User:
    if not user.can("verifier"):
        raise HTTPException(status_code=403, detail=f"role {user.role} cannot act on leads")
    return user


def lead_json(lead: Lead) -> dict[str, Any]:
    return lead.model_dump(mode="json", by_alias=True)


class VerifyBody(BaseModel):
    expected_version: int
    # checked by civicwatch.corrections, as the console's form is (422 naming the field)
    corrections: dict[str, Any] = Field(default_factory=dict)


class RejectBody(BaseModel):
    expected_version: int
    reason: str = Field(min_length=1)


class MergeBody(BaseModel):
    expected_version: int
    into: str = Field(min_length=1)


@router.get("/api/health")
def health(request: Request) -> JSONResponse:
    checks: dict[str, Any] = {}
    try:
        request.app.state.store.ping()
        checks["mongo"] = "ok"
    except Exception as exc:  # report, don't raise: this is what monitoring reads
        checks["mongo"] = f"error: {exc}"
    checks["outbox_pending"] = request.app.state.leads.outbox_pending() if checks["mongo"] == "ok" else None
    client = getattr(request.app.state, "redis", None)
    if client is not None:  # each server on its own line: a Redis outage is not an ok console
        try:
            client.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}"
    ok = checks["mongo"] == "ok" and checks.get("redis", "ok") == "ok"
    return JSONResponse({"status": "ok" if ok else "error", **checks}, status_code=200 if ok else 503)


@router.get("/api/leads")
def list_leads(request: Request, state: str | None = None, category: str | None = None,
               district: str | None = None, platform: str | None = None, urgency: str | None = None,
               q: str | None = None, limit: int = 200, offset: int = 0,
               user: User = Depends(api_user)) -> JSONResponse:
    """The queue's order (urgent first, then least time left), with the true total for paging;
    with `q`, every stored lead whose posts contain its words (newest first, as the console's
    search), in `state` when given."""
    if state is not None and state not in {s.value for s in LeadState}:
        raise InvalidInputError(f"unknown state {state!r}", field="state")
    if urgency is not None and urgency not in ("urgent", "general"):
        raise InvalidInputError(f"unknown urgency {urgency!r}", field="urgency")
    limit, offset = max(1, min(limit, 1000)), max(0, offset)
    if q and q.strip():
        found = LeadSearch(request.app.state.store).leads(
            SearchFilters(q=q[:200], states=[state] if state else None, urgency=urgency), limit=10_000)
        return JSONResponse({"leads": [lead_json(lead) for lead in found[offset:offset + limit]],
                             "total": len(found), "offset": offset, "limit": limit})
    page = request.app.state.leads.queue(states=[state] if state else None, urgency=urgency, category=category,
                                         district=district, platform=platform, offset=offset, limit=limit)
    return JSONResponse({"leads": [lead_json(lead) for lead in page.leads], "total": page.total,
                         "offset": page.offset, "limit": page.limit, "urgent": page.urgent,
                         "overdue": page.overdue})


@router.get("/api/leads/{lead_id}")
def get_lead(request: Request, lead_id: str, user: User = Depends(api_user)) -> JSONResponse:
    return JSONResponse(lead_json(request.app.state.leads.get(lead_id)))


@router.post("/api/leads/{lead_id}/verify")
def verify(request: Request, lead_id: str, body: VerifyBody, user: User = Depends(api_verifier)) -> Response:
    app = request.app.state
    lead = app.leads.get(lead_id)
    corrections = validate_corrections(body.corrections, lead.decision, gazetteer=app.config.gazetteer,
                                       catalogue=app.config.catalogue,
                                       max_text_chars=app.config.settings.review_text_max_chars)
    order = app.leads.verify_and_dispatch(
        lead_id, actor=user.name, expected_version=body.expected_version, corrections=corrections or None)
    return JSONResponse({"work_order": json.loads(order.model_dump_json())})


@router.post("/api/leads/{lead_id}/reject")
def reject(request: Request, lead_id: str, body: RejectBody, user: User = Depends(api_verifier)) -> Response:
    lead = request.app.state.leads.reject(lead_id, actor=user.name, reason=body.reason,
                                          expected_version=body.expected_version)
    return JSONResponse(lead_json(lead))


@router.post("/api/leads/{lead_id}/merge")
def merge(request: Request, lead_id: str, body: MergeBody, user: User = Depends(api_verifier)) -> Response:
    lead = request.app.state.leads.merge(lead_id, body.into, actor=user.name,
                                         expected_version=body.expected_version)
    return JSONResponse(lead_json(lead))


@router.get("/schema/workorder.json")
def workorder_schema() -> Response:
    return Response(SCHEMA.read_text(encoding="utf-8"), media_type="application/schema+json")


@router.get("/schema/status-event.json")
def status_event_schema() -> Response:
    """What the dispatch system may put on the status back-channel (contract 5)."""
    return Response(STATUS_SCHEMA.read_text(encoding="utf-8"), media_type="application/schema+json")
