"""The queue: pending leads, urgent first then by time left, with filters, paging and SLA countdowns."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from civicwatch.models import Lead, LeadState
from review.auth import require_viewer
from review.render import PLATFORM_NAMES, render, sla_left
from sinks.users import User

router = APIRouter()
PAGE_SIZE = 50
FILTERS = ("category", "district", "platform", "state", "urgency")


def queue_rows(leads: list[Lead], now: Any) -> list[dict[str, Any]]:
    """The page's leads, in the order the service gave (urgent first, then least time left)."""
    return [{"lead": lead, "sla": sla_left(lead.deadline, now),
             "duplicates": max(len(lead.sources) - 1, 0)} for lead in leads]


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value else None


def queue_filters(params: Any) -> dict[str, str | None]:
    """The queue's filters from a query string, unknown values dropped."""
    filters = {name: _clean(params.get(name)) for name in FILTERS}
    if filters["state"] not in {s.value for s in LeadState}:
        filters["state"] = None
    if filters["urgency"] not in ("urgent", "general"):
        filters["urgency"] = None
    return filters


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def queue_page(app: Any, filters: dict[str, str | None], page: int) -> Any:
    return app.leads.queue(states=[filters["state"]] if filters["state"] else None,
                           urgency=filters["urgency"], category=filters["category"],
                           district=filters["district"], platform=filters["platform"],
                           offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, now=app.now())


@router.get("/")
def queue(request: Request, user: User = Depends(require_viewer)) -> Response:
    app = request.app.state
    filters = queue_filters(request.query_params)
    result = queue_page(app, filters, _page_number(request.query_params.get("page")))
    kept = {k: v for k, v in filters.items() if v}
    return render(request, "queue.html", {
        "rows": queue_rows(result.leads, app.now()), "result": result, "filters": filters,
        "query": urlencode(kept), "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        "page_url": lambda n: "/?" + urlencode({**kept, "page": n}),
        "platforms": PLATFORM_NAMES, "states": list(LeadState),
    })
