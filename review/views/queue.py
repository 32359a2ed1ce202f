"""The queue: pending leads, urgent first then by time left, with filters, paging and SLA countdowns."""

from __future__ import annotations

import zlib
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from civicwatch.lifecycle import OPEN_STATES
from civicwatch.models import Lead, LeadState
from review.auth import require_viewer
from review.render import PLATFORM_NAMES, render, sla_left
from sinks.users import User

router = APIRouter()
PAGE_SIZE = 50
FILTERS = ("category", "district", "platform", "state", "urgency")
OPEN = [s.value for s in OPEN_STATES]


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


LIVE_POLL_MS = 5000  # how often an open queue asks whether anything changed (304 when not)


def live_etag(app: Any, query: str) -> str:
    """Changes when any lead is written (the queue's change counter) or a minute passes (so the
    overdue count and the countdowns stay true); the query names the filtered page."""
    minute = app.now().strftime("%Y%m%d%H%M")
    return f'W/"{app.leads.queue_index.changes()}-{minute}-{zlib.crc32(query.encode()):08x}"'


def _context(request: Request) -> dict[str, Any]:
    app = request.app.state
    filters = queue_filters(request.query_params)
    page = _page_number(request.query_params.get("page"))
    result = queue_page(app, filters, page)
    kept = {k: v for k, v in filters.items() if v}
    query = urlencode({**kept, **({"page": page} if page > 1 else {})})
    return {
        "rows": queue_rows(result.leads, app.now()), "result": result, "filters": filters,
        "query_string": query, "back": "/" + (f"?{query}" if query else ""),
        "page_url": lambda n: "/?" + urlencode({**kept, "page": n}),
        "urgent_open": app.leads.queue_index.total(OPEN, "0"),
    }


@router.get("/")
def queue(request: Request, user: User = Depends(require_viewer)) -> Response:
    ctx = _context(request)
    return render(request, "queue.html", {
        **ctx, "etag": live_etag(request.app.state, ctx["query_string"]),
        "poll_ms": getattr(request.app.state, "live_poll_ms", LIVE_POLL_MS),
        "platforms": PLATFORM_NAMES, "states": list(LeadState),
    })


@router.get("/queue/live")
def queue_live(request: Request, user: User = Depends(require_viewer)) -> Response:
    """What the open queue page polls: 304 while nothing changed, else the fresh part of the page
    (rendered by the same autoescaping template), the tab title and the urgent lead ids on it."""
    app = request.app.state
    query = urlencode({k: v for k, v in request.query_params.items() if k in (*FILTERS, "page")})
    etag = live_etag(app, query)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    ctx = _context(request)
    html = app.templates.get_template("_queue_live.html").render({**ctx, "user": user})
    urgent = ctx["urgent_open"]
    return JSONResponse({
        "html": html, "urgent_open": urgent, "title": f"({urgent}) 待核实队列" if urgent else "待核实队列",
        "urgent_ids": [r["lead"].id for r in ctx["rows"] if r["lead"].decision.urgency == "urgent"],
    }, headers=headers)
