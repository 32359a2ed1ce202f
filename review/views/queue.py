"""The queue: pending leads, urgent first then by time left, with filters and SLA countdowns."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from civicwatch.models import Lead, LeadState
from review.auth import require_viewer
from review.render import PLATFORM_NAMES, render, sla_left
from sinks.users import User

router = APIRouter()
QUEUE_LIMIT = 200


def queue_order(lead: Lead) -> tuple[bool, Any]:
    """Urgent leads first, then the least time left."""
    return (lead.decision.urgency != "urgent", lead.deadline)


def queue_rows(leads: list[Lead], now: Any) -> list[dict[str, Any]]:
    return [{"lead": lead, "sla": sla_left(lead.deadline, now),
             "duplicates": max(len(lead.sources) - 1, 0)}
            for lead in sorted(leads, key=queue_order)]


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value else None


@router.get("/")
def queue(request: Request, category: str | None = None, district: str | None = None,
          platform: str | None = None, state: str | None = None,
          user: User = Depends(require_viewer)) -> Response:
    app = request.app.state
    filters = {"category": _clean(category), "district": _clean(district),
               "platform": _clean(platform), "state": _clean(state)}
    if filters["state"] not in {s.value for s in LeadState}:
        filters["state"] = None
    leads = app.leads.pending(**filters, limit=QUEUE_LIMIT)
    rows = queue_rows(leads, app.now())
    return render(request, "queue.html", {
        "rows": rows, "filters": filters, "limit": QUEUE_LIMIT,
        "overdue": sum(r["sla"]["overdue"] for r in rows),
        "platforms": PLATFORM_NAMES, "states": list(LeadState),
    })
