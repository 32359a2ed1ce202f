"""The class-case analysis of a period, as the 类案分析 page and the weekly report show it.

Three round trips to the database (sinks/analytics.py: overview, the top cases' weeks and
examples, recurrences), the ranking in filters/classcases.py, governance suggestions from
sinks/suggestions.py. Everything here works on grouped rows, never on all leads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from civicwatch.clock import now_shanghai
from civicwatch.config import Config
from civicwatch.weeks import parse_week, shift_week, week_end, week_of, week_start, weeks_ending
from filters.classcases import (
    CaseKey,
    CaseParams,
    Cell,
    ClassCase,
    Effect,
    Recurrence,
    Trend,
    build_cases,
    count_spots,
    rising,
    summarise,
    trend,
)
from sinks.analytics import Analytics
from sinks.leads import LeadService
from sinks.mongo import Store
from sinks.suggestions import SuggestionRecord, SuggestionStore

logger = logging.getLogger(__name__)
PERIOD_WEEKS = (4, 8, 12, 26, 52)
DEFAULT_WEEKS = 8
HEAT_STREETS = 15
TOP_CATEGORIES = 6
EVIDENCE_LEADS = 50
EFFECT_WEEKS = 4  # leads in this many weeks before and after a rectification are compared
CACHE_ENTRIES = 32


@dataclass(frozen=True, slots=True)
class Period:
    """The analysed weeks: `weeks` ISO weeks ending with `week`, optionally one district/category."""

    week: str
    weeks: int = DEFAULT_WEEKS
    district: str | None = None
    category: str | None = None

    @property
    def labels(self) -> list[str]:
        return weeks_ending(self.week, self.weeks)

    @property
    def start(self) -> datetime:
        return week_start(self.labels[0])

    @property
    def end(self) -> datetime:
        return week_end(self.week)

    @classmethod
    def parse(cls, week: str | None, weeks: int | str | None, now: datetime, *, district: str | None = None,
              category: str | None = None) -> Period:
        """From request or command-line values; ValueError on a malformed week. The default is the
        last complete week (what a Monday review meeting looks back on)."""
        label = week.strip() if week and week.strip() else shift_week(week_of(now), -1)
        parse_week(label)
        n = int(weeks) if weeks not in (None, "") else DEFAULT_WEEKS
        if n not in PERIOD_WEEKS:
            raise ValueError(f"weeks must be one of {', '.join(map(str, PERIOD_WEEKS))}")
        return cls(label, n, district or None, category or None)


@dataclass(slots=True)
class SuggestionView:
    record: SuggestionRecord
    overdue: bool
    effect: Effect | None = None  # leads before and after rectification


@dataclass(slots=True)
class CaseView:
    case: ClassCase
    rank: int
    title: str
    weekly: list[int]
    trend: Trend
    spots: list[tuple[str, int]] = field(default_factory=list)
    examples: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    recurrences: list[Recurrence] = field(default_factory=list)
    suggestions: list[SuggestionView] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.case.key)


@dataclass(slots=True)
class DepartmentRow:
    code: str
    name: str
    leads: int
    work_orders: int
    on_time: int
    late: int
    returned: int
    resolved: int

    @property
    def sla_compliance(self) -> float | None:
        judged = self.on_time + self.late
        return self.on_time / judged if judged else None

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.work_orders if self.work_orders else None


@dataclass(slots=True)
class Analysis:
    period: Period
    total: int
    cases: list[CaseView]
    categories: list[tuple[str, list[int]]]           # (category code or "" for 其他, counts per week)
    heat: list[tuple[str, str, list[int]]]            # (district, street, counts per week)
    heat_max: int
    rising: list[tuple[str, Trend, list[int]]]        # (item code, trend, counts per week)
    departments: list[DepartmentRow]
    recurrences: list[tuple[Recurrence, str | None]]  # with the key of the case it belongs to
    open_suggestions: list[SuggestionView]
    figures_at: datetime | None = None  # when the numbers were computed (they may be cached)


@dataclass(slots=True)
class _Figures:
    made: float  # time.monotonic()
    at: datetime
    overview: dict[str, list[dict[str, Any]]]
    cases: list[ClassCase]
    details: list[dict[str, Any]]
    recurrences: list[Recurrence]


def case_title(key: CaseKey, config: Config) -> str:
    cat = config.catalogue
    subject = cat.items[key.code].name if key.scope == "item" and key.code in cat.items else \
        cat.categories.get(key.code, key.code)
    place = f"{key.district}{key.street}" if key.street else f"{key.district}（多个街道）"
    return f"{place} · {subject}"


def _cells(rows: list[dict[str, Any]]) -> list[Cell]:
    return [Cell(item=r["item"], category=r.get("category") or "", district=r["district"], street=r.get("street"),
                 department=r.get("department"), leads=r["leads"], work_orders=r["work_orders"],
                 on_time=r["on_time"], late=r["late"], returned=r["returned"], resolved=r["resolved"])
            for r in rows]


def _days(overview: dict[str, list[dict[str, Any]]]) -> dict[tuple[str, str, str, str | None], int]:
    days: dict[tuple[str, str, str, str | None], int] = {}
    for r in overview["days_street"]:
        if r.get("street"):
            days[("item", r["item"], r["district"], r["street"])] = r["days"]
    for r in overview["days_district"]:
        days[("item", r["item"], r["district"], None)] = r["days"]
    for r in overview["days_category"]:
        if r.get("street") and r.get("category"):
            days[("category", r["category"], r["district"], r["street"])] = r["days"]
    return days


def _series(rows: list[dict[str, Any]], labels: list[str], *keys: str) -> dict[tuple[Any, ...], list[int]]:
    index = {w: i for i, w in enumerate(labels)}
    out: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * len(labels))
    for r in rows:
        if r.get("week") in index:
            out[tuple(r.get(k) for k in keys)][index[r["week"]]] += r["leads"]
    return out


def _recurrence(row: dict[str, Any]) -> Recurrence:
    return Recurrence(row["_id"], row["item"], row.get("district"), row.get("street"), row["resolved_at"],
                      [(x["id"], x["t"]) for x in row["leads"]])


class Casebook:
    """Builds analyses for a period on a Store's database."""

    def __init__(self, config: Config, db: Any, *, params: CaseParams = CaseParams(),  # noqa: B008 (a frozen dataclass of defaults)
                 now: Callable[[], datetime] = now_shanghai, cache_seconds: float = 0,
                 serve_stale: bool = False) -> None:
        self.config = config
        self.cache_seconds = cache_seconds
        # With serve_stale, figures past cache_seconds are still shown (with their 数据截至 time)
        # while one background thread per period works out new ones: at a year's volume the
        # embedded server needs tens of seconds, which no page view should wait for twice.
        self.serve_stale = serve_stale
        self._cache: dict[Period, _Figures] = {}
        self._refreshing: set[Period] = set()
        self._lock = threading.Lock()
        self.db = db
        self.analytics = Analytics(db, sla_minutes=config.catalogue.sla_minutes)
        self.suggestions = SuggestionStore(db, now=now)
        self.params = params
        self._spot_names = sorted({n for lm in config.gazetteer.landmarks for n in (lm.name, *lm.aliases)
                                   if len(n) >= 3})

    def ensure_indexes(self) -> None:
        """Indexes, and the flat facts of leads stored before them (a one-off, idempotent backfill
        by the one writer; the console, `report weekly` and the benchmark run it at start)."""
        self.analytics.ensure_indexes()
        self.suggestions.ensure_indexes()
        written = LeadService(Store(db=self.db), self.config.catalogue).backfill_facts()
        if written:
            logger.info("class cases: flat facts written for %d leads stored before them", written)

    # --- the period ------------------------------------------------------------------------

    def _figures(self, period: Period, now: datetime) -> _Figures:
        """The database's part of an analysis (three aggregations), kept `cache_seconds`: a past
        period barely changes, and at a year's volume the embedded server needs seconds for it."""
        hit = self._cache.get(period)
        if hit is not None and time.monotonic() - hit.made < self.cache_seconds:
            return hit
        if hit is not None and self.serve_stale:
            self.refresh_in_background(period, now)
            return hit
        return self._compute(period, now)

    def refresh_in_background(self, period: Period, now: datetime) -> threading.Thread | None:
        """Work out `period`'s figures in a daemon thread (unless one already is) and keep them;
        the thread, or None when one was already running."""
        with self._lock:
            if period in self._refreshing:
                return None
            self._refreshing.add(period)

        def work() -> None:
            try:
                self._compute(period, now)
            except Exception:  # the page keeps its older figures; the next view tries again
                logger.exception("class-case figures for %s could not be refreshed", period.week)
            finally:
                with self._lock:
                    self._refreshing.discard(period)

        thread = threading.Thread(target=work, name=f"casebook-{period.week}", daemon=True)
        thread.start()
        return thread

    def _compute(self, period: Period, now: datetime) -> _Figures:
        a = self.analytics
        overview = a.overview(period.start, period.end, now=now, district=period.district, category=period.category)
        cases = build_cases(_cells(overview["cells"]), _days(overview), self.params)
        figures = _Figures(
            made=time.monotonic(), at=now, overview=overview, cases=cases,
            details=a.cases([c.key.match() for c in cases], period.start, period.end, now=now),
            recurrences=[_recurrence(r) for r in a.recurrences(period.start, period.end, district=period.district,
                                                               category=period.category)])
        if self.cache_seconds > 0:
            with self._lock:
                if period not in self._cache and len(self._cache) >= CACHE_ENTRIES:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[period] = figures
        return figures

    def analyse(self, period: Period, now: datetime) -> Analysis:
        """The period's analysis; governance suggestions are always read fresh."""
        f = self._figures(period, now)
        labels, overview, found = period.labels, f.overview, f.recurrences
        views = [self._view(i + 1, case, detail, labels, found, now)
                 for i, (case, detail) in enumerate(zip(f.cases, f.details, strict=True))]
        return Analysis(
            period=period, total=sum(r["leads"] for r in overview["category_week"]), cases=views,
            categories=self._categories(overview, labels), **self._heat(overview, labels),
            rising=[(item, t, s) for (item,), t, s in self._rising(overview, labels)],
            departments=self._departments(overview),
            recurrences=[(r, next((v.key for v in views if v.case.key.covers(r.item, self._category(r.item),
                                                                             r.district, r.street)), None))
                         for r in found],
            open_suggestions=[self._suggestion(r, now) for r in self.suggestions.open()],
            figures_at=f.at,
        )

    def _category(self, item: str | None) -> str | None:
        it = self.config.catalogue.items.get(item or "")
        return it.category if it else None

    def _view(self, rank: int, case: ClassCase, detail: dict[str, Any], labels: list[str],
              recurrences: list[Recurrence], now: datetime) -> CaseView:
        weekly = [detail["weeks"].get(w, 0) for w in labels]
        examples = detail["examples"]
        key = case.key
        return CaseView(
            case=case, rank=rank, title=case_title(key, self.config), weekly=weekly, trend=trend(weekly),
            spots=count_spots((x.get("text") or "" for x in examples), self._spot_names),
            examples=examples[:3], evidence=[x["_id"] for x in examples[:EVIDENCE_LEADS]],
            recurrences=[r for r in recurrences if key.covers(r.item, self._category(r.item), r.district, r.street)],
            suggestions=[self._suggestion(r, now) for r in self.suggestions.for_case(str(key))])

    def _categories(self, overview: dict[str, Any], labels: list[str]) -> list[tuple[str, list[int]]]:
        by = _series(overview["category_week"], labels, "category")
        ranked = sorted(by.items(), key=lambda kv: (-sum(kv[1]), str(kv[0][0])))
        top = [(code or "", s) for (code,), s in ranked[:TOP_CATEGORIES]]
        rest = [s for _, s in ranked[TOP_CATEGORIES:]]
        if rest:
            top.append(("", [sum(col) for col in zip(*rest, strict=True)]))
        return top

    def _heat(self, overview: dict[str, Any], labels: list[str]) -> dict[str, Any]:
        by = _series([r for r in overview["street_week"] if r.get("street")], labels, "district", "street")
        rows = sorted(by.items(), key=lambda kv: (-sum(kv[1]), kv[0]))[:HEAT_STREETS]
        heat = [(d, s, counts) for (d, s), counts in rows]
        return {"heat": heat, "heat_max": max((max(c) for _, _, c in heat), default=0)}

    def _rising(self, overview: dict[str, Any], labels: list[str]) -> list[tuple[tuple[Any, ...], Trend, list[int]]]:
        by = _series([r for r in overview["item_week"] if r.get("item")], labels, "item")
        return [(k, t, by[k]) for k, t in rising(by)]

    def _departments(self, overview: dict[str, Any]) -> list[DepartmentRow]:
        names = self.config.catalogue.departments
        rows = [DepartmentRow(code=r.get("department") or "", name=names.get(r.get("department") or "", "未定"),
                              **{k: r[k] for k in ("leads", "work_orders", "on_time", "late", "returned", "resolved")})
                for r in overview["departments"] if r.get("work_orders")]
        return sorted(rows, key=lambda r: (-r.work_orders, r.code))

    # --- suggestions -----------------------------------------------------------------------

    def _suggestion(self, record: SuggestionRecord, now: datetime) -> SuggestionView:
        view = SuggestionView(record, record.overdue(now))
        rectified = record.rectified_on
        if rectified is not None:
            key = CaseKey.parse(record.document.case_key)
            pivot = datetime.combine(rectified, datetime.min.time(), tzinfo=now.tzinfo)
            span = timedelta(weeks=EFFECT_WEEKS)
            after_end = min(now, pivot + span)
            view.effect = Effect(
                before=self.analytics.count(pivot - span, pivot, **key.match()),
                after=self.analytics.count(pivot, after_end, **key.match()) if after_end > pivot else 0,
                days_before=span / timedelta(days=1), days_after=max((after_end - pivot) / timedelta(days=1), 0.0))
        return view

    # --- one case ------------------------------------------------------------------------

    def case(self, key: CaseKey, period: Period, now: datetime) -> CaseView | None:
        """One case over the period, whether or not it ranks: its numbers, weeks, examples, places,
        recurrences and suggestions; None when it has no lead in the period."""
        scope = {"district": key.district,
                 "category": key.code if key.scope == "category" else self._category(key.code)}
        overview = self.analytics.overview(period.start, period.end, now=now, **scope)
        members = [c for c in _cells(overview["cells"]) if key.covers(c.item, c.category, c.district, c.street)]
        if not members:
            return None
        case = summarise(key, members, _days(overview).get(tuple(key), 0))  # type: ignore[call-overload]
        detail = self.analytics.cases([key.match()], period.start, period.end, now=now)[0]
        found = [_recurrence(r) for r in self.analytics.recurrences(period.start, period.end, **scope)]
        return self._view(0, case, detail, period.labels, found, now)
