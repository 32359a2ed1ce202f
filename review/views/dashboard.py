"""SLA dashboard: today's counts by state, category, district and platform; SLA compliance;
overdue leads and overdue work orders per department."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from review.auth import require_viewer
from review.render import PLATFORM_NAMES, STATE_NAMES, render
from sinks.users import User

router = APIRouter()


@router.get("/dashboard")
def dashboard(request: Request, user: User = Depends(require_viewer)) -> Response:
    app = request.app.state
    now = app.now()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    stats = app.leads.stats(since=today)
    catalogue = app.config.catalogue
    overdue_orders = Counter(lead.decision.department or "—" for lead in app.leads.overdue_work_orders(now))
    compliance = stats["sla_compliance"]
    return render(request, "dashboard.html", {
        "today": today, "stats": stats,
        "compliance": "—" if compliance is None else f"{compliance:.0%}",
        "state_names": {state.value: name for state, name in STATE_NAMES.items()},
        "categories": catalogue.categories, "departments": catalogue.departments,
        "platforms": PLATFORM_NAMES,
        "overdue_leads": stats["overdue_by_department"], "overdue_orders": dict(overdue_orders),
    })
