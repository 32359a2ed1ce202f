"""One lead: its sources, evidence and history, and the verifier's actions on it.

Every action form carries the version the reviewer saw (`expected_version`); if someone else
changed the lead meanwhile the service raises StaleLeadError and nothing happens.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from civicwatch.corrections import CORRECTION_FIELDS, validate_corrections
from civicwatch.exceptions import FormInputError, InvalidInputError, LeadNotFound, StaleLeadError, TransitionError
from civicwatch.lifecycle import can_transition, withdrawable
from civicwatch.models import Lead, LeadState
from review.auth import require_verifier, require_viewer
from review.navigation import local_back
from review.render import STATE_NAMES, render, sla_left
from review.security import csrf_form
from sinks.search import LeadSearch
from sinks.users import User

router = APIRouter()

STALE_MESSAGE = ("操作未生效：这条线索在您查看之后已被其他审核员处理或修改。"
                 "页面已刷新为最新状态，请核对后再决定是否操作。")
ACTION_LABELS = {"verify": "核实派单", "reject": "驳回", "merge": "合并", "reopen": "重新打开",
                 "withdraw": "撤回工单", "correct": "保存更正"}
# The state each action moves a lead to; the page offers an action only where TRANSITIONS allow it.
ACTION_TARGETS = {"verify": LeadState.DISPATCHED, "reject": LeadState.REJECTED,
                  "merge": LeadState.MERGED, "reopen": LeadState.PENDING_REVIEW}
# After these the reviewer stays on the lead; after the others they go back to their queue.
STAY_ON_LEAD = {"reopen", "withdraw", "correct"}


def allowed_actions(lead: Lead, now: Any, withdraw_window_s: float) -> set[str]:
    allowed = {a for a, target in ACTION_TARGETS.items() if can_transition(lead.state, target)}
    if lead.state == LeadState.DISPATCHED:
        allowed.discard("reopen")  # a dispatched lead comes back by a withdrawal only
        if withdrawable(lead, now, withdraw_window_s):
            allowed.add("withdraw")
    return allowed


def post_age(published: Any, now: Any) -> str:
    minutes = max(0, int((now - published).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} 分钟前"
    if minutes < 48 * 60:
        return f"{minutes // 60} 小时前"
    return f"{minutes // 1440} 天前"


def _page(request: Request, lead: Lead, *, error: str | None = None, status_code: int = 200,
          form: dict[str, str] | None = None) -> Response:
    app = request.app.state
    gazetteer = app.config.gazetteer
    now = app.now()
    form = form or {}
    posts = app.store.posts_by_key([s.key for s in lead.sources])
    back = local_back(form.get("back") or request.query_params.get("back"))
    window = app.config.settings.withdraw_window_s
    return render(request, "lead.html", {
        "lead": lead, "d": lead.decision, "sla": sla_left(lead.deadline, now),
        "duplicates": max(len(lead.sources) - 1, 0), "error": error, "form": form,
        "streets": {d.name: [s.name for s in d.streets] for d in gazetteer.districts},
        "allowed": allowed_actions(lead, now, window), "withdraw_minutes": int(window // 60),
        "can_act": getattr(request.state, "user", None) is not None and request.state.user.can("verifier"),
        "sources": [{"source": s, "post": posts.get(s.key),
                     "age": post_age(s.published_at, now)} for s in lead.sources],
        "back": back, "focus": request.query_params.get("focus"),
        "suggestions": LeadSearch(app.store).similar(lead, form.get("merge_q")) if lead.state in (
            LeadState.PENDING_REVIEW, LeadState.RETURNED) else [],
        "departments": app.config.catalogue.departments,
        "reject_reasons": app.config.settings.reject_reasons,
    }, status_code=status_code)


@router.get("/leads/{lead_id}")
def lead_page(request: Request, lead_id: str, user: User = Depends(require_viewer)) -> Response:
    return _page(request, request.app.state.leads.get(lead_id))


@router.get("/leads/{lead_id}/similar")
def similar(request: Request, lead_id: str, q: str = "", user: User = Depends(require_viewer)) -> JSONResponse:
    """Open leads the merge box suggests for `q` (or, empty, of the same item and street)."""
    app = request.app.state
    lead = app.leads.get(lead_id)
    found = LeadSearch(app.store).similar(lead, q[:200])
    items = app.config.catalogue.items
    return JSONResponse({"leads": [{
        "id": x.id, "text": (x.decision.text_masked or "")[:80], "state": STATE_NAMES[x.state],
        "item": items[x.decision.item].name if x.decision.item in items else "",
        "place": " ".join(p for p in (x.decision.district, x.decision.street) if p),
    } for x in found]})


def _version(form: dict[str, str]) -> int:
    try:
        return int(form.get("expected_version", ""))
    except ValueError:
        raise HTTPException(status_code=400, detail="表单缺少版本号，请刷新页面后重试。") from None


def corrections_from(form: dict[str, str], lead: Lead, request: Request) -> dict[str, Any]:
    """The fields the verifier changed, checked by the one validation the JSON API uses too
    (civicwatch.corrections); its message is shown on the form as it is."""
    config = request.app.state.config
    given: dict[str, Any] = {k: form[k] for k in CORRECTION_FIELDS if k in form and k != "co_departments"}
    # one checkbox per department (co_department_<code>), or a comma list from a script
    co = [k.removeprefix("co_department_") for k in form if k.startswith("co_department_")]
    co += [c.strip() for c in form.get("co_departments", "").split(",") if c.strip()]
    if co:
        given["co_departments"] = co
    try:
        return validate_corrections(given, lead.decision, gazetteer=config.gazetteer, catalogue=config.catalogue,
                                    max_text_chars=config.settings.review_text_max_chars)
    except InvalidInputError as exc:
        raise FormInputError(str(exc)) from None


def _act(request: Request, lead_id: str, form: dict[str, str], action: str, user: User) -> Response:
    app = request.app.state
    service = app.leads
    version = _version(form)
    lead = service.get(lead_id)
    back = local_back(form.get("back"))
    try:
        if action == "verify":
            corrections = corrections_from(form, lead, request)
            order = service.verify_and_dispatch(lead_id, actor=user.name, expected_version=version,
                                                corrections=corrections or None)
            dept = app.config.catalogue.departments.get(order.department, order.department)
            flash = f"已核实并派单：工单 {order.service_request_id}，承办部门 {dept}。"
            if order.co_agencies:
                flash += f"协办：{'、'.join(order.co_agencies)}。"
        elif action == "correct":
            corrections = corrections_from(form, lead, request)
            corrections.pop("description", None)
            corrections.pop("co_departments", None)
            if not corrections:
                raise FormInputError("没有更改需要保存。")
            service.correct(lead_id, actor=user.name, expected_version=version, corrections=corrections)
            flash = "已保存更正。" + ("紧急程度改变，派单时限已重新计算。" if "urgency" in corrections else "")
        elif action == "reject":
            reason = (form.get("reason", "").strip() or form.get("preset", "")).strip()  # typed wins
            if not reason:
                raise FormInputError("驳回必须填写理由。")
            service.reject(lead_id, actor=user.name, reason=reason, expected_version=version)
            flash = "已驳回该线索。"
        elif action == "merge":
            into = (form.get("pick") or form.get("into_id") or "").strip()  # a suggestion, else typed
            if not into:
                raise FormInputError("请填写或从建议中选择要合并到的线索。")
            into = into if into.startswith("lead:") else f"lead:{into}"
            if into == lead_id:
                raise FormInputError("不能合并到自身。")
            try:
                service.merge(lead_id, into, actor=user.name, expected_version=version)
            except LeadNotFound as exc:
                if str(exc) != into:
                    raise
                raise FormInputError(f"目标线索 {into} 不存在，请从建议中选择或检查编号。") from None
            flash = f"已合并到线索 {into}。"
        elif action == "withdraw":
            service.withdraw(lead_id, actor=user.name, expected_version=version,
                             window_s=app.config.settings.withdraw_window_s,
                             reason=form.get("reason", "").strip() or None)
            flash = "已撤回工单，线索回到待核实队列；派单系统将收到撤回消息。"
        else:
            service.reopen(lead_id, actor=user.name, expected_version=version,
                           reason=form.get("reason", "").strip() or None)
            flash = "已重新打开，线索回到待核实队列。"
    # The page again, with what the verifier typed, rather than the generic error page
    # (review/app.py) that every other CivicwatchError gets.
    except FormInputError as exc:
        return _page(request, lead, error=str(exc), status_code=400, form=form)
    except InvalidInputError as exc:  # the service's own input checks (it validates again)
        return _page(request, lead, error=f"操作无法完成：{exc}", status_code=400, form=form)
    except StaleLeadError:
        return _page(request, service.get(lead_id), error=STALE_MESSAGE, status_code=409, form={"back": back})
    except TransitionError as exc:
        state = STATE_NAMES[LeadState(exc.from_state)]
        return _page(request, service.get(lead_id), status_code=409, form={"back": back},
                     error=f"当前状态「{state}」不允许「{ACTION_LABELS[action]}」操作。")
    request.session["flash"] = flash
    if action in STAY_ON_LEAD:
        return RedirectResponse(f"/leads/{quote(lead_id, safe='')}?back={quote(back, safe='')}", status_code=303)
    return RedirectResponse(back, status_code=303)


@router.post("/leads/{lead_id}/{action}")
def lead_action(request: Request, lead_id: str, action: str,
                user: User = Depends(require_verifier),
                form: dict[str, str] = Depends(csrf_form)) -> Response:
    if action not in ACTION_LABELS:
        raise HTTPException(status_code=404, detail="没有这个操作。")
    return _act(request, lead_id, form, action, user)
