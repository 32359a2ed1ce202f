"""Search over every stored lead and its posts, with filters; CSV and Excel export of the result;
bulk reject (preset reasons) and bulk merge of the leads ticked in it."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from civicwatch.clock import SHANGHAI
from civicwatch.corrections import check_text
from civicwatch.exceptions import CivicwatchError, FormInputError, InvalidInputError
from civicwatch.models import Lead, LeadState
from review.auth import require_verifier, require_viewer
from review.navigation import local_back
from review.render import PLATFORM_NAMES, STATE_NAMES, URGENCY_NAMES, local_time, render
from review.security import csrf_form
from sinks.search import LeadSearch, SearchFilters
from sinks.users import User

router = APIRouter()
PAGE_SIZE = 50
EXPORT_LIMIT = 10_000
FIELDS = ("q", "state", "urgency", "since", "until", "category", "district", "platform", "department",
          "overdue", "late")
OPEN = ["pending_review", "returned"]


def _day(value: str | None) -> datetime | None:
    """A YYYY-MM-DD date as the start of that day, Beijing time; None when empty or malformed."""
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").replace(tzinfo=SHANGHAI)
    except ValueError:
        return None


def search_filters(params: Any, now: datetime) -> tuple[dict[str, str], SearchFilters]:
    """The form's values (as typed, cleaned) and the filters they mean. `state=open` is every
    state a reviewer still acts on; `overdue=1` leads past their dispatch deadline; `late=1`
    work orders not 签收 within their SLA (the dashboard links here with these)."""
    raw = {k: (params.get(k) or "").strip()[:200] for k in FIELDS}
    if raw["state"] not in {s.value for s in LeadState} | {"open"}:
        raw["state"] = ""
    if raw["urgency"] not in URGENCY_NAMES:
        raw["urgency"] = ""
    until = _day(raw["until"])
    states = OPEN if raw["state"] == "open" else [raw["state"]] if raw["state"] else None
    return raw, SearchFilters(q=raw["q"] or None, states=states, urgency=raw["urgency"] or None,
                              since=_day(raw["since"]),
                              until=until + timedelta(days=1) if until else None,  # the end day included
                              category=raw["category"] or None, district=raw["district"] or None,
                              platform=raw["platform"] or None, department=raw["department"] or None,
                              overdue_at=now if raw["overdue"] == "1" else None,
                              order_late_at=now if raw["late"] == "1" else None)


def _results(request: Request, filters: SearchFilters, limit: int) -> list[Lead]:
    if not (filters.q or filters.states or filters.since or filters.until):
        return []  # an empty form lists nothing (the queue is the place for "everything open")
    app = request.app.state
    return LeadSearch(app.store, app.config.catalogue.sla_minutes).leads(filters, limit=limit)


@router.get("/search")
def search(request: Request, user: User = Depends(require_viewer)) -> Response:
    raw, filters = search_filters(request.query_params, request.app.state.now())
    found = _results(request, filters, EXPORT_LIMIT)
    try:
        page = max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        page = 1
    kept = {k: v for k, v in raw.items() if v}
    query = urlencode(kept)
    return render(request, "search.html", {
        "form": raw, "found": found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], "total": len(found),
        "capped": len(found) >= EXPORT_LIMIT, "page": page, "pages": max(1, -(-len(found) // PAGE_SIZE)),
        "query": query, "query_plain": urlencode({k: v for k, v in kept.items() if k in FIELDS[:5]}),
        "back": "/search" + (f"?{urlencode({**kept, 'page': page})}" if kept else ""),
        "page_url": lambda n: "/search?" + urlencode({**kept, "page": n}),
        "states": list(LeadState), "reasons": request.app.state.config.settings.reject_reasons,
        "now": request.app.state.now(),
    })


COLUMNS = ("线索编号", "状态", "紧急程度", "发现时间（北京时间）", "派单时限（北京时间）", "区", "街道", "类别",
           "事项", "承办部门", "平台", "来源数", "内容（已脱敏）", "工单号")


def export_rows(request: Request, leads: list[Lead]) -> list[list[Any]]:
    cat = request.app.state.config.catalogue
    rows = []
    for lead in leads:
        d = lead.decision
        rows.append([
            lead.id, STATE_NAMES.get(lead.state, lead.state.value), URGENCY_NAMES.get(d.urgency or "", "未定"),
            local_time(lead.discovered_at, "%Y-%m-%d %H:%M"), local_time(lead.deadline, "%Y-%m-%d %H:%M"),
            d.district or "", d.street or "", cat.categories.get(d.category or "", d.category or ""),
            cat.items[d.item].name if d.item in cat.items else (d.item or ""),
            cat.departments.get(d.department or "", d.department or ""),
            PLATFORM_NAMES.get(d.platform, d.platform), len(lead.sources), _cell(d.text_masked),
            lead.work_order_id or "",
        ])
    return rows


def _cell(text: str | None) -> str:
    # A cell starting with = + - @ is a formula to Excel: scraped text must never run as one.
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@router.get("/search/export.{fmt}")
def export(request: Request, fmt: str, user: User = Depends(require_viewer)) -> Response:
    _, filters = search_filters(request.query_params, request.app.state.now())
    rows = export_rows(request, _results(request, filters, EXPORT_LIMIT))
    stamp = request.app.state.now().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        body = "\ufeff" + buf.getvalue()  # the BOM makes Excel read the file as UTF-8
        return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="civicwatch-leads-{stamp}.csv"'})
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "线索"
        sheet.append(COLUMNS)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        out = io.BytesIO()
        book.save(out)
        return Response(out.getvalue(), headers={
            "Content-Disposition": f'attachment; filename="civicwatch-leads-{stamp}.xlsx"'},
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response("unknown export format", status_code=404)


def _picked(form: dict[str, str]) -> list[tuple[str, int]]:
    """(lead id, version seen) of every ticked row (checkbox `pick:<id>` = version)."""
    out = []
    for key, value in form.items():
        if key.startswith("pick:"):
            try:
                out.append((key.removeprefix("pick:"), int(value)))
            except ValueError:
                continue
    return out


@router.post("/search/bulk")
def bulk(request: Request, user: User = Depends(require_verifier),
         form: dict[str, str] = Depends(csrf_form)) -> Response:
    """Reject (with a preset or typed reason) or merge the ticked leads; each one is its own step
    with the version the reviewer saw, so a lead someone else changed meanwhile is skipped."""
    service = request.app.state.leads
    back = local_back(form.get("back"))
    picked = _picked(form)
    if not picked:
        raise FormInputError("请先勾选线索。")
    done, skipped = 0, []
    if form.get("action") == "reject":
        reason = (form.get("reason_text") or form.get("reason") or "").strip()
        if not reason:
            raise FormInputError("批量驳回需要选择或填写理由。")
        try:  # too long is one message, not every lead skipped
            reason = check_text(reason, "reason", request.app.state.config.settings.review_text_max_chars)
        except InvalidInputError as exc:
            raise FormInputError(str(exc)) from None
        for lead_id, version in picked:
            try:
                service.reject(lead_id, actor=user.name, reason=reason, expected_version=version)
                done += 1
            except CivicwatchError:
                skipped.append(lead_id)
        flash = f"已驳回 {done} 条。"
    elif form.get("action") == "merge":
        into = (form.get("into") or "").strip()
        into = into if not into or into.startswith("lead:") else f"lead:{into}"
        if not into:
            raise FormInputError("批量合并需要指定目标线索。")
        service.get(into)  # an unknown target is a 404 before anything changes
        for lead_id, version in picked:
            if lead_id == into:
                continue
            try:
                service.merge(lead_id, into, actor=user.name, expected_version=version)
                done += 1
            except CivicwatchError:
                skipped.append(lead_id)
        flash = f"已将 {done} 条合并到 {into}。"
    else:
        raise FormInputError("未知的批量操作。")
    if skipped:
        flash += f"{len(skipped)} 条已被他人处理或状态不允许，已跳过。"
    request.session["flash"] = flash
    return RedirectResponse(back, status_code=303)
