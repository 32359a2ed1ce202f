"""The weekly class-case report for the review meeting (每周一议): one self-contained HTML file
(charts as inline SVG, CSS inline, no remote resource; readable printed in black and white) and
a spreadsheet of the same tables. `civicwatch report weekly` (crawlers/commands/report.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from civicwatch.clock import SHANGHAI
from civicwatch.config import Config
from filters.pii import mask_pii
from review import charts
from review.casebook import Analysis, Casebook, Period
from review.render import make_templates

CSS = Path(__file__).parent / "static" / "classcases.css"
TREND_NAMES = {"rising": "上升", "falling": "下降", "steady": "持平"}
STATE_NAMES = {
    "raised": "已发出",
    "received": "已收到",
    "adopted": "已采纳",
    "declined": "不采纳",
    "rectified": "已整改",
}


@dataclass(slots=True)
class WeeklyReport:
    analysis: Analysis
    generated_at: datetime
    charts: dict[str, Any]
    examples: dict[str, list[str]]  # case key → masked example texts

    @property
    def period(self) -> Period:
        return self.analysis.period


def build(casebook: Casebook, period: Period, now: datetime) -> WeeklyReport:
    analysis = casebook.analyse(period, now)
    return WeeklyReport(
        analysis=analysis,
        generated_at=now,
        charts=_charts(analysis, casebook.config),
        examples={v.key: [mask_pii(x.get("text") or "") for x in v.examples[:2]] for v in analysis.cases},
    )


def _charts(a: Analysis, config: Config) -> dict[str, Any]:
    names = config.catalogue.categories
    series = [
        charts.Series(names.get(code, code), counts)
        if code
        else charts.Series("其他", counts, pattern=charts.PLAIN)
        for code, counts in a.categories
    ]
    rates = [
        charts.RateRow(d.name, d.sla_compliance, d.return_rate, note=f"{d.work_orders} 单")
        for d in a.departments[:12]
    ]
    return {
        "weekly": charts.stacked_weeks(a.period.labels, series, prefix="rw", width=720, height=280),
        "rates": charts.department_rates(rates, prefix="rr", width=720),
        "cases": {v.key: charts.sparkline(v.weekly, width=150, height=34) for v in a.cases},
    }


def render_html(report: WeeklyReport, config: Config) -> str:
    env = make_templates(config).env
    return env.get_template("report_weekly.html").render(
        r=report,
        a=report.analysis,
        p=report.period,
        css=CSS.read_text(encoding="utf-8"),
        pct=lambda v: "—" if v is None else f"{v:.0%}",
        trend_names=TREND_NAMES,
    )


# --- the spreadsheet ---------------------------------------------------------------------

_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDE3EA")


def _sheet(
    book: Workbook, title: str, header: list[str], rows: list[list[Any]], widths: dict[int, int] | None = None
) -> None:
    ws = book.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = _BOLD
        cell.fill = _HEAD_FILL
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = (widths or {}).get(
            i, max(10, len(str(name)) * 2 + 2)
        )
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _pct(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def write_xlsx(report: WeeklyReport, config: Config, path: Path) -> None:
    a, cat = report.analysis, config.catalogue
    labels = a.period.labels
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        "类案",
        [
            "排名",
            "类案",
            "键",
            "线索",
            "天数",
            "超出常态",
            *labels,
            "趋势",
            "本周",
            "前4周均",
            "地点",
            "承办部门",
            "按时签收率",
            "退单率",
            "办结后复发",
            "治理建议",
            "例一（已脱敏）",
            "例二（已脱敏）",
        ],
        [
            [
                v.rank,
                v.title,
                v.key,
                v.case.leads,
                v.case.days,
                round(v.case.excess, 1),
                *v.weekly,
                TREND_NAMES[v.trend.direction],
                v.trend.last,
                v.trend.baseline,
                "、".join(f"{s or '街道未定'} {n}" for s, n in v.case.streets.most_common(3))
                + "".join(f"、{n} {c}" for n, c in v.spots[:3]),
                cat.departments.get(v.case.department or "", ""),
                _pct(v.case.sla_compliance),
                _pct(v.case.return_rate),
                sum(len(r.leads) for r in v.recurrences),
                "；".join(
                    f"{s.record.document.suggestion_id} {STATE_NAMES[s.record.state]}{' 逾期' if s.overdue else ''}"
                    for s in v.suggestions
                ),
                *(report.examples.get(v.key, []) + ["", ""])[:2],
            ]
            for v in a.cases
        ],
        widths={2: 36, 3: 30, len(labels) + 10: 40, len(labels) + 17: 60, len(labels) + 18: 60},
    )
    _sheet(
        book,
        "每周类别",
        ["类别", *labels, "合计"],
        [
            [cat.categories.get(code, code) if code else "其他", *counts, sum(counts)]
            for code, counts in a.categories
        ],
    )
    _sheet(
        book,
        "街道×周",
        ["区", "街道", *labels, "合计"],
        [[d, s, *counts, sum(counts)] for d, s, counts in a.heat],
    )
    _sheet(
        book,
        "上升事项",
        ["事项", "代码", *labels, "本周", "前4周均", "增加"],
        [
            [cat.items[i].name if i in cat.items else i, i, *series, t.last, t.baseline, round(t.change, 1)]
            for i, t, series in a.rising
        ],
        widths={1: 36},
    )
    _sheet(
        book,
        "部门",
        ["部门", "代码", "线索", "工单", "按时签收", "超时", "按时签收率", "退单", "退单率", "办结"],
        [
            [
                d.name,
                d.code,
                d.leads,
                d.work_orders,
                d.on_time,
                d.late,
                _pct(d.sla_compliance),
                d.returned,
                _pct(d.return_rate),
                d.resolved,
            ]
            for d in a.departments
        ],
        widths={1: 26},
    )
    _sheet(
        book,
        "办结后复发",
        [
            "办结的线索",
            "区",
            "街道",
            "事项",
            "办结时间",
            "30天内又出现",
            "首次复发（天后）",
            "复发的线索",
            "所属类案",
        ],
        [
            [
                r.resolved_lead_id,
                r.district,
                r.street,
                cat.items[r.item].name if r.item in cat.items else r.item,
                r.resolved_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                len(r.leads),
                round(r.first_after_days, 1),
                "、".join(lid for lid, _ in r.leads),
                key or "",
            ]
            for r, key in a.recurrences
        ],
        widths={1: 30, 4: 30, 8: 60, 9: 30},
    )
    _sheet(
        book,
        "治理建议",
        ["编号", "类案", "承办部门", "提出", "期限", "状态", "逾期", "问题", "建议措施"],
        [
            [
                s.record.document.suggestion_id,
                s.record.document.title,
                s.record.document.agency_responsible,
                s.record.document.raised_at.astimezone(SHANGHAI).strftime("%Y-%m-%d"),
                s.record.document.deadline.isoformat(),
                STATE_NAMES[s.record.state],
                "逾期" if s.overdue else "",
                s.record.document.problem,
                s.record.document.requested_action,
            ]
            for s in a.open_suggestions
        ],
        widths={2: 36, 8: 60, 9: 40},
    )
    book.save(path)
