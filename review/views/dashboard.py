"""SLA dashboard (今日态势): cards with today's figures and the queue's, bars by state, category,
district and platform, overdue leads and late work orders per department. Every number links
to the leads it counts (the queue, or the search with the same filters)."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from civicwatch.lifecycle import OPEN_STATES
from civicwatch.promotion import read_pointer
from filters.steps.learned import KEYWORDS_ONLY
from review.auth import require_viewer
from review.render import PLATFORM_NAMES, STATE_NAMES, render
from sinks.users import User

router = APIRouter()
OPEN = [s.value for s in OPEN_STATES]


def search_url(**params: str) -> str:
    return "/search?" + urlencode({k: v for k, v in params.items() if v})


def bars(counts: dict[str, int], names: dict[str, str], link: Any) -> list[dict[str, Any]]:
    """Rows for a bar chart, largest first: name, count, the bar's share of the largest (0–100), link."""
    peak = max(counts.values(), default=0) or 1
    return [{"name": names.get(code, code), "n": n, "pct": round(100 * n / peak, 1), "href": link(code)}
            for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def model_card(app: Any, now: Any) -> dict[str, Any]:
    """The model in use and how often reviewers agreed with it over the last 7 days."""
    settings = app.config.settings
    model = app.config.model
    pointer = read_pointer(settings.data_dir)
    promoted = pointer["promoted_at"][:16].replace("T", " ") if pointer and pointer["path"] == settings.model_path \
        else None
    # Agreement with the model in use: the steps on leads it decided (KEYWORDS_ONLY without one).
    agreement = app.leads.examples.agreement(now, days=7, version=model.version if model else KEYWORDS_ONLY)
    return {"version": model.version if model else "仅关键词（无模型）", "promoted": promoted,
            "reviewed": agreement["reviewed"], "rejected": agreement["rejected"], "other": agreement["other"],
            "lead": percent(agreement["lead"]), "item": percent(agreement["item"]),
            "district": percent(agreement["district"])}


@router.get("/dashboard")
def dashboard(request: Request, user: User = Depends(require_viewer)) -> Response:
    app = request.app.state
    now = app.now()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    day = today.strftime("%Y-%m-%d")
    stats = app.leads.stats(since=today)
    catalogue = app.config.catalogue
    queue = app.leads.queue_index
    memo: dict[str, Any] = {}
    late_orders = Counter(lead.decision.department or "—" for lead in app.leads.overdue_work_orders(now))
    compliance = stats["sla_compliance"]
    found_today = sum(stats["state"].values())

    def today_link(**filters: str) -> str:
        return search_url(since=day, until=day, **filters)

    return render(request, "dashboard.html", {
        "today": today, "stats": stats,
        "compliance": "—" if compliance is None else f"{compliance:.0%}",
        "cards": [
            {"label": "今日发现", "n": found_today, "href": today_link(), "id": "card-found"},
            {"label": "待处理", "n": queue.total(OPEN, "01", memo), "href": "/", "id": "card-open"},
            {"label": "其中紧急", "n": queue.total(OPEN, "0", memo), "href": "/?urgency=urgent", "id": "card-urgent",
             "alert": True},
            {"label": "已超派单时限", "n": queue.count_before(OPEN, now, "01", memo),
             "href": search_url(state="open", overdue="1"), "id": "card-overdue", "alert": True},
            {"label": "派单后超时未签收", "n": sum(late_orders.values()),
             "href": search_url(state="dispatched", late="1"), "id": "card-late", "alert": True},
        ],
        "charts": [
            ("今日线索 · 按状态", "by-state", bars(stats["state"], {s.value: n for s, n in STATE_NAMES.items()},
                                               lambda c: today_link(state=c))),
            ("今日线索 · 按类别", "by-category", bars(stats["category"], catalogue.categories,
                                                  lambda c: today_link(category=c))),
            ("今日线索 · 按区", "by-district", bars(stats["district"], {}, lambda c: today_link(district=c))),
            ("今日线索 · 按平台", "by-platform", bars(stats["platform"], PLATFORM_NAMES,
                                                  lambda c: today_link(platform=c))),
            ("超时未派单 · 按承办部门", "overdue-leads", bars(
                stats["overdue_by_department"], catalogue.departments,
                lambda c: search_url(state="open", overdue="1", department=c, since=day, until=day))),
            ("派单后超时未签收 · 按承办部门", "overdue-orders", bars(
                dict(late_orders), catalogue.departments,
                lambda c: search_url(state="dispatched", late="1", department=c))),
        ],
        "on_time_href": today_link(state="dispatched"),
        "model": model_card(app, now),
    })
