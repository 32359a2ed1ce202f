"""类案分析: recurring problems of a period (viewer and up), one case, the leads behind a number,
and governance suggestions raised from a case (admin)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from civicwatch.weeks import parse_week, week_end, week_start
from filters.classcases import CaseKey
from review import charts
from review.auth import require_viewer
from review.casebook import PERIOD_WEEKS, Analysis, Casebook, CaseView, Period
from review.render import render
from review.security import csrf_form
from sinks.analytics import FIELDS, METRICS
from sinks.users import User

router = APIRouter()
DRILL_LIMIT = 200
MAX_DRILL_WEEKS = 104
SUGGESTION_DAYS = 30  # default deadline: a month
CACHE_SECONDS = 300   # the page's figures are at most this old (suggestions are always fresh)


def casebook(request: Request) -> Casebook:
    return casebook_of(request.app.state)


def warm(state: Any) -> None:
    """Work out the default period's figures in the background as the console starts, so the
    first viewer of 类案分析 does not wait for a year's aggregation."""
    now = state.now()
    casebook_of(state).refresh_in_background(Period.parse(None, None, now), now)


def casebook_of(state: Any) -> Casebook:
    """One Casebook per console, made (and its indexes ensured) on first use."""
    book = getattr(state, "casebook", None)
    if book is None:
        book = Casebook(state.config, state.store.db, now=state.now, cache_seconds=CACHE_SECONDS,
                        serve_stale=getattr(state, "casebook_serve_stale", True))
        book.ensure_indexes()
        state.casebook = book
    return book


def require_admin(user: User = Depends(require_viewer)) -> User:
    if not user.can("admin"):
        raise HTTPException(status_code=403, detail="只有管理员可以提出治理建议。")
    return user


def _period(request: Request, week: str | None, weeks: str | None, district: str | None = None,
            category: str | None = None) -> Period:
    try:
        return Period.parse(week, weeks, request.app.state.now(), district=district, category=category)
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=f"时间段无效：{exc}") from None


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def drill(period: Period, first: str | None = None, last: str | None = None, *, metric: str = "leads",
          **fields: str | None) -> str:
    """The drill-down link of one number: leads of weeks first..last (default: the period)."""
    query = {"from": first or period.labels[0], "to": last or period.week, "metric": metric}
    query.update({k: v for k, v in {"district": period.district, "category": period.category, **fields}.items() if v})
    return "/classcases/leads?" + urlencode(query)


def case_url(key: str, period: Period) -> str:
    return "/classcases/case?" + urlencode({"key": key, "week": period.week, "weeks": period.weeks})


def _charts(analysis: Analysis, names: Any) -> dict[str, Any]:
    p = analysis.period
    labels = p.labels
    categories = analysis.categories
    series = [charts.Series(names.categories.get(code, code), counts) if code else
              charts.Series("其他", counts, pattern=charts.PLAIN) for code, counts in categories]

    def segment(i: int, w: int) -> str | None:
        code = categories[i][0]
        return drill(p, labels[w], labels[w], category=code) if code else None

    rates = [charts.RateRow(d.name, d.sla_compliance, d.return_rate,
                            drill(p, metric="on_time", department=d.code),
                            drill(p, metric="returned", department=d.code), note=f"{d.work_orders} 单")
             for d in analysis.departments[:10]]
    return {"weekly_chart": charts.stacked_weeks(labels, series, href=segment, width=420, height=230),
            "rates_chart": charts.department_rates(rates, width=560)}


@router.get("/classcases")
def classcases(request: Request, week: str | None = None, weeks: str | None = None, district: str | None = None,
               category: str | None = None, user: User = Depends(require_viewer)) -> Response:
    period = _period(request, week, weeks, district, category)
    analysis = casebook(request).analyse(period, request.app.state.now())
    return render(request, "classcases.html", {
        "a": analysis, "p": period, "period_weeks": PERIOD_WEEKS, "drill": drill, "case_url": case_url,
        "pct": pct, "sparkline": charts.sparkline, **_charts(analysis, request.app.state.config.catalogue),
    })


def _case_context(request: Request, view: CaseView, period: Period, form: dict[str, str] | None = None,
                  error: str | None = None) -> dict[str, Any]:
    now = request.app.state.now()
    labels = period.labels
    marks = []
    for s in view.suggestions:
        for label, moment in (("建议", s.record.document.raised_at), ("整改", s.record.rectified_on)):
            if moment is not None:
                w = next((i for i, wk in enumerate(labels) if week_start(wk).date() <= _date(moment)
                          < week_end(wk).date()), None)
                if w is not None:
                    marks.append((w, label))
    key = view.case.key
    chart = charts.weekly_line(labels, view.weekly, marks=marks,
                               href=lambda i: drill(period, labels[i], labels[i], **key.match()))
    deadline = (now + timedelta(days=SUGGESTION_DAYS)).date().isoformat()
    return {"v": view, "c": view.case, "p": period, "key": str(key), "chart": chart, "drill": drill, "pct": pct,
            "scope": key.match(), "error": error, "default_deadline": deadline,
            "form": form or _suggestion_defaults(request, view, period)}


def _date(moment: Any) -> Any:
    return moment.date() if isinstance(moment, datetime) else moment


def _suggestion_defaults(request: Request, view: CaseView, period: Period) -> dict[str, str]:
    c = view.case
    places = "、".join(s or "街道未定" for s, _ in c.streets.most_common(3))
    spots = "、".join(n for n, _ in view.spots[:3])
    problem = (f"{view.title}：{period.labels[0]} 至 {period.week} 共 {c.leads} 条线索"
               f"（{places}{'；' + spots if spots else ''}），最近一周 {view.trend.last} 条")
    if view.recurrences:
        problem += f"；办结后 30 天内又出现 {sum(len(r.leads) for r in view.recurrences)} 条"
    return {"department": c.department or "", "problem": problem + "。",
            "requested_action": "请排查问题根源，提出并落实整改措施，整改完成后反馈整改日期。", "deadline": ""}


def _category(key: CaseKey, catalogue: Any) -> str | None:
    if key.scope == "category":
        return key.code
    item = catalogue.items.get(key.code)
    return item.category if item else None


def _case_view(request: Request, key: str, period: Period) -> CaseView:
    try:
        parsed = CaseKey.parse(key)
    except ValueError:
        raise HTTPException(status_code=404, detail="类案不存在。") from None
    view = casebook(request).case(parsed, period, request.app.state.now())
    if view is None:
        raise HTTPException(status_code=404, detail="这个时间段内没有该类案的线索。")
    return view


@router.get("/classcases/case")
def case_page(request: Request, key: str, week: str | None = None, weeks: str | None = None,
              user: User = Depends(require_viewer)) -> Response:
    period = _period(request, week, weeks)
    return render(request, "classcase.html", _case_context(request, _case_view(request, key, period), period))


@router.post("/classcases/case/suggest")
def raise_suggestion(request: Request, form: dict[str, str] = Depends(csrf_form),
                     user: User = Depends(require_admin)) -> Response:
    period = _period(request, form.get("week"), form.get("weeks"))
    key = form.get("key", "")
    view = _case_view(request, key, period)
    catalogue = request.app.state.config.catalogue
    department = form.get("department", "").strip()
    k = view.case.key
    try:
        if department not in catalogue.departments:
            raise ValueError("请选择承办部门")
        evidence = [x for x in form.get("evidence", "").split(",") if x] or view.evidence
        suggestion = casebook(request).suggestions.raise_suggestion(
            raised_by=user.name, case_key=str(k), title=view.title, problem=form.get("problem", "").strip(),
            requested_action=form.get("requested_action", "").strip(), department=department,
            agency_responsible=catalogue.departments[department], deadline=form.get("deadline", "").strip(),
            evidence=evidence, evidence_total=view.case.leads,
            item=k.code if k.scope == "item" else None, category=_category(k, catalogue),
            district=k.district, street=k.street)
    except (ValueError, ValidationError) as exc:
        message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        ctx = _case_context(request, view, period, form=form, error=f"建议未提出：{message}")
        return render(request, "classcase.html", ctx, status_code=400)
    request.session["flash"] = f"治理建议 {suggestion.suggestion_id} 已提出，将发送给{suggestion.agency_responsible}。"
    return RedirectResponse(case_url(str(k), period), status_code=303)


@router.get("/classcases/leads")
def drill_page(request: Request, user: User = Depends(require_viewer)) -> Response:
    q = request.query_params
    try:
        first, last = q.get("from", ""), q.get("to", "")
        parse_week(first)
        parse_week(last)
        start, end = week_start(first), week_end(last)
        if not start < end or end - start > timedelta(weeks=MAX_DRILL_WEEKS):
            raise ValueError(f"from must not be after to, and at most {MAX_DRILL_WEEKS} weeks")
        metric = q.get("metric", "leads")
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}")
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=f"筛选条件无效：{exc}") from None
    fields = {k: q.get(k) for k in FIELDS if q.get(k)}
    total, rows = casebook(request).analytics.drill(start, end, now=request.app.state.now(), metric=metric,
                                                    limit=DRILL_LIMIT, **fields)
    return render(request, "classcases_leads.html", {
        "total": total, "rows": rows, "first": first, "last": last, "metric": metric, "fields": fields,
        "limit": DRILL_LIMIT})
