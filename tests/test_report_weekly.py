"""`civicwatch report weekly` on a generated year: the HTML report opened and checked (tables,
charts, no remote resource, black-and-white patterns) and the spreadsheet of the same tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from civicwatch.config import Config, get_settings, load_config
from civicwatch.models import SuggestionReply
from crawlers.cli import app
from sinks.mongo import Store
from sinks.suggestions import SuggestionStore
from tests.leadgen import LeadGenerator, seeded_year

WEEK = "2026-W48"


class Page(HTMLParser):
    """Tags with their attributes, and which table ids exist."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def ids(self, tag: str) -> set[str]:
        return {a["id"] or "" for t, a in self.tags if t == tag and a.get("id")}


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(get_settings())


@pytest.fixture(scope="module")
def report(
    mongo_uri: str,
    config: Config,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, LeadGenerator]]:
    name, generator = seeded_year(mongo_uri, config)
    store = Store(mongo_uri, name)
    suggestions = SuggestionStore(store.db, now=lambda: generator.now - timedelta(days=40))
    common = {
        "problem": "电动车飞线充电反复出现",
        "requested_action": "专项整治",
        "department": "YJ",
        "agency_responsible": "应急管理局",
        "evidence": ["lead:weibo:g0000001"],
        "evidence_total": 49,
        "item": "AQ02",
        "category": "AQ",
        "district": "福田区",
        "street": "沙头街道",
    }
    late = suggestions.raise_suggestion(
        raised_by="ada",
        case_key="item:AQ02:福田区:沙头街道",
        title="逾期的建议",
        deadline=date(2026, 11, 20),
        **common,
    )
    suggestions.now = lambda: generator.now
    suggestions.raise_suggestion(
        raised_by="ada",
        case_key="item:HJ01:南山区:粤海街道",
        title="在办的建议",
        deadline=date(2026, 12, 31),
        **{**common, "item": "HJ01"},
    )
    suggestions.apply(
        SuggestionReply(
            event_id="e1",
            suggestion_id=late.suggestion_id,
            status="received",
            at=generator.now - timedelta(days=35),
        )
    )
    out = tmp_path_factory.mktemp("report") / "weekly.html"
    env = {"CIVICWATCH_MONGO_URI": mongo_uri, "CIVICWATCH_MONGO_DB": name}
    result = CliRunner().invoke(app, ["report", "weekly", "--week", WEEK, "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert "class cases" in result.output
    yield out, generator
    store.db["suggestions"].delete_many({})


def test_the_report_has_its_tables_and_the_planted_problems_on_top(
    report: tuple[Path, LeadGenerator],
) -> None:
    out, generator = report
    html = out.read_text(encoding="utf-8")
    page = Page()
    page.feed(html)
    assert {
        "report-cases",
        "report-categories",
        "heat",
        "rising",
        "departments",
        "recurrences",
        "suggestions",
    } <= page.ids("table")
    cases = re.findall(r'<tr class="case-row" data-case="([^"]+)"', html)
    assert set(cases[:3]) == set(generator.plan.cases)
    recurrences = re.findall(r'<tr class="recur-row" data-resolved="([^"]+)"', html)
    assert recurrences[0] == generator.plan.recurrence_resolved
    assert "“" in html.split('id="report-cases"')[1].split("</table>")[0]  # example posts quoted
    overdue = html.split('id="suggestions"')[1].split("</table>")[0]
    assert "逾期的建议" in overdue and "⚠ 逾期" in overdue and "在办的建议" in overdue


def test_the_report_is_self_contained(report: tuple[Path, LeadGenerator]) -> None:
    page = Page()
    page.feed(report[0].read_text(encoding="utf-8"))
    remote = [
        (t, a) for t, a in page.tags for k in ("src", "href") if re.match(r"^\s*(https?:)?//", a.get(k) or "")
    ]
    assert remote == []
    assert not [t for t, a in page.tags if t in ("script", "link", "img", "iframe")]
    assert sum(1 for t, _ in page.tags if t == "svg") >= 3 + 3  # two charts and a line per case


def test_the_charts_are_readable_in_black_and_white(report: tuple[Path, LeadGenerator]) -> None:
    html = report[0].read_text(encoding="utf-8")
    weekly = html.split('id="chart-weekly"')[1].split("</figure>")[0]
    legend = re.findall(
        r'<rect x="[\d.]+" y="[\d.]+" width="14" height="14" fill="url\(#(rw-p\d+)\)"', weekly
    )
    assert len(legend) >= 5 and len(set(legend)) == len(legend)  # one pattern per series
    patterns = dict(re.findall(r'<pattern id="(rw-p\d+)"(.*?)</pattern>', weekly, flags=re.S))
    lined = [p for p in legend if 'stroke="#000"' in patterns[p] or 'fill="#000"' in patterns[p]]
    assert len(lined) >= len(legend) - 1  # all but the plain "其他" carry black lines or dots
    assert re.search(r">\d+</text>", weekly)  # values written on the chart, not only colour


def test_the_spreadsheet_has_the_same_tables(report: tuple[Path, LeadGenerator]) -> None:
    out, generator = report
    book = openpyxl.load_workbook(out.with_suffix(".xlsx"))
    assert book.sheetnames == ["类案", "每周类别", "街道×周", "上升事项", "部门", "办结后复发", "治理建议"]
    cases = book["类案"]
    header = [c.value for c in cases[1]]
    keys = [cases.cell(row=r, column=header.index("键") + 1).value for r in (2, 3, 4)]
    assert set(keys) == set(generator.plan.cases)
    assert "2026-W48" in header and "例一（已脱敏）" in header
    assert book["办结后复发"].cell(row=2, column=1).value == generator.plan.recurrence_resolved
    rows = [[c.value for c in row] for row in book["治理建议"].iter_rows(min_row=2)]
    assert any(r[1] == "逾期的建议" and r[6] == "逾期" for r in rows)
    dept = book["部门"]
    assert dept.max_row > 5 and all(
        isinstance(dept.cell(row=r, column=4).value, int) for r in range(2, dept.max_row + 1)
    )


def test_a_bad_week_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "weekly", "--week", "2026-48", "-o", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 2, result.output
    assert "ISO week" in result.output


@pytest.mark.browser
def test_the_report_opens_in_chromium_without_a_request(report: tuple[Path, LeadGenerator]) -> None:
    from playwright.sync_api import sync_playwright

    from tests.review.test_review_browser import CHROMIUM_ARGS

    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report[0].as_uri())
        assert page.locator("#report-cases tr.case-row").count() >= 3
        assert page.locator("svg.chart").count() >= 6
        pdf: Any = page.pdf()  # prints (the meeting prints it)
        page.close()
        browser.close()
    assert [u for u in requests if not u.startswith("file:")] == []
    assert pdf[:4] == b"%PDF"
