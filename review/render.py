"""Templates and their helpers: names from the catalogue, SLA countdowns, safe highlighting."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from civicwatch.clock import SHANGHAI
from civicwatch.config import Config
from civicwatch.lifecycle import OPEN_STATES
from civicwatch.models import LeadState
from review.security import CSRF_FIELD, csrf_token, safe_url

TEMPLATES_DIR = Path(__file__).parent / "templates"

PLATFORM_NAMES = {
    "weibo": "微博", "douyin": "抖音", "xiaohongshu": "小红书", "toutiao": "今日头条",
    "zhihu": "知乎", "tieba": "百度贴吧", "bilibili": "哔哩哔哩", "kuaishou": "快手",
    "wechat": "微信公众号", "liuyan": "领导留言板", "forum": "本地论坛",
}
STATE_NAMES = {
    LeadState.PENDING_REVIEW: "待核实", LeadState.DISPATCHED: "已派单", LeadState.ACCEPTED: "已签收",
    LeadState.RESOLVED: "已办结", LeadState.REJECTED: "已驳回", LeadState.MERGED: "已合并",
    LeadState.RETURNED: "被退单",
}
URGENCY_NAMES = {"urgent": "紧急", "general": "一般"}
ACTION_NAMES = {
    "discovered": "发现", "verify_and_dispatch": "核实并派单", "reject": "驳回", "merge": "合并",
    "merged_from": "并入来源", "reopen": "重新打开", "withdraw": "撤回工单", "correct": "更正",
    # status back-channel events keep the dispatch system's own words (签收 / 退单 / 办结)
}


def highlight(text: str | None, words: list[str] | None) -> Markup:
    """Escape `text` and wrap each occurrence of `words` in <mark>.

    The raw text is split on the words first and every piece is escaped on its own, so markup
    is only ever added around already-escaped text and a word can never match inside an entity.
    """
    text = text or ""
    words = sorted({w for w in (words or []) if w}, key=len, reverse=True)
    if not words:
        return Markup(escape(text))
    pattern = re.compile("|".join(re.escape(w) for w in words))
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        out.append(str(escape(text[pos:m.start()])))
        out.append(f"<mark>{escape(m.group())}</mark>")
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def local_time(dt: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    if dt is None:
        return "—"
    return dt.astimezone(SHANGHAI).strftime(fmt)


def sla_left(deadline: datetime, now: datetime) -> dict[str, Any]:
    """Minutes until the dispatch deadline (negative when overdue) and a Chinese label."""
    minutes = int((deadline - now).total_seconds() // 60)
    if minutes < 0:
        label = f"超时 {_duration(-minutes)}"
    else:
        label = f"剩余 {_duration(minutes)}"
    return {"minutes": minutes, "overdue": minutes < 0, "soon": 0 <= minutes < 10, "label": label}


def _duration(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} 分"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} 小时 {rest} 分"
    return f"{hours // 24} 天"


def make_templates(config: Config) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.autoescape = True  # every template, whatever its extension
    cat = config.catalogue
    env.globals.update(
        PLATFORM_NAMES=PLATFORM_NAMES, STATE_NAMES=STATE_NAMES, URGENCY_NAMES=URGENCY_NAMES,
        ACTION_NAMES=ACTION_NAMES, CSRF_FIELD=CSRF_FIELD, OPEN_STATES=OPEN_STATES, catalogue=cat,
        districts=config.gazetteer.districts,
    )
    env.filters.update(
        highlight=highlight, local_time=local_time, safe_url=safe_url,
        platform_name=lambda code: PLATFORM_NAMES.get(code, code),
        state_name=lambda s: STATE_NAMES.get(s, s) if s else "—",  # StrEnum: a value finds its member
        urgency_name=lambda u: URGENCY_NAMES.get(u, "未定") if u else "未定",
        department_name=lambda code: cat.departments.get(code, code) if code else "未定",
        category_name=lambda code: cat.categories.get(code, code) if code else "未分类",
        item_name=lambda code: cat.items[code].name if code in cat.items else (code or "未定"),
        action_name=lambda a: ACTION_NAMES.get(a, a),
    )
    return templates


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a page with the signed-in user, the CSRF token and the flash message."""
    state = request.app.state
    ctx = {
        "user": getattr(request.state, "user", None),
        "csrf": csrf_token(request),
        "flash": request.session.pop("flash", None),
        **context,
    }
    return state.templates.TemplateResponse(request, name, ctx, status_code=status_code)
