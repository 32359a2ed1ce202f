"""Class cases (类案): leads grouped into recurring problems, ranked; pure logic, no I/O.

The database groups a period's leads into cells (one item at one street, sinks/analytics.py);
this module turns cells into class cases at three levels and ranks them:

- `item` at a street: the same catalogue item again and again in one street (电动车飞线充电 in
  one street's urban villages, noise from one site);
- `item` in a whole district: the same item spread over a district's streets (gyms closing in
  several streets of one district);
- `category` at a street: several items of one category at one street (施工噪声 + 工业噪声).

A wider case only stands when no single narrower part holds most of its leads
(`CaseParams.max_part_share`): otherwise that part is the case. Merged leads are duplicates of
another lead's incident and rejected ones are not problems, so the database leaves both out;
single incidents reported many times are damped by the spread over days (below).

Score (the ranking, documented in README "类案分析"):

    expected = leads of the item (or category) city-wide × leads of the place / all leads
    excess   = leads − expected          (what the place's share and the item's rate do not explain)
    spread   = min(1, distinct days with a lead / spread_days)
    score    = excess × spread

A case needs at least `min_leads` leads on at least `min_days` days and a positive excess.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, NamedTuple, TypeVar

Scope = Literal["item", "category"]
Direction = Literal["rising", "falling", "steady"]
K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class CaseParams:
    min_leads: int = 5           # fewer leads than this is not a class of problem
    min_days: int = 3            # leads on fewer days look like one incident
    spread_days: int = 7         # from this many distinct days on, no damping
    max_part_share: float = 0.5  # a wider case needs its biggest part below this share
    limit: int = 10              # cases returned


class CaseKey(NamedTuple):
    """Which leads a case holds; `str()` is the id used in URLs and governance suggestions."""

    scope: str             # "item" | "category"
    code: str              # item or category code
    district: str
    street: str | None     # None: the whole district

    def __str__(self) -> str:
        return f"{self.scope}:{self.code}:{self.district}:{self.street or '*'}"

    @classmethod
    def parse(cls, text: str) -> CaseKey:
        parts = text.split(":")
        if len(parts) != 4 or parts[0] not in ("item", "category") or not all(parts[1:3]):
            raise ValueError(f"not a class-case key: {text!r}")
        return cls(parts[0], parts[1], parts[2], None if parts[3] in ("*", "") else parts[3])

    def covers(self, item: str | None, category: str | None, district: str | None,
               street: str | None) -> bool:
        """Whether a lead with these fields belongs to the case."""
        subject = item if self.scope == "item" else category
        return (subject == self.code and district == self.district
                and (self.street is None or street == self.street))

    def match(self) -> dict[str, str]:
        """The decision fields (and values) the case's leads share."""
        fields = {self.scope: self.code, "district": self.district}
        if self.street:
            fields["street"] = self.street
        return fields


@dataclass(frozen=True, slots=True)
class Cell:
    """One item's leads at one place (street may be unknown) in the analysed period."""

    item: str
    category: str
    district: str
    street: str | None
    department: str | None = None
    leads: int = 0
    work_orders: int = 0   # leads dispatched at least once
    on_time: int = 0       # work orders accepted (签收) within their SLA class's time
    late: int = 0          # accepted later, or still not accepted past it
    returned: int = 0      # work orders returned (退单) at least once
    resolved: int = 0      # work orders resolved (办结)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(slots=True)
class ClassCase:
    key: CaseKey
    leads: int
    expected: float
    days: int
    score: float
    items: Counter[str] = field(default_factory=Counter)
    streets: Counter[str] = field(default_factory=Counter)  # "" = street unknown
    departments: Counter[str] = field(default_factory=Counter)
    work_orders: int = 0
    on_time: int = 0
    late: int = 0
    returned: int = 0
    resolved: int = 0

    @property
    def excess(self) -> float:
        return self.leads - self.expected

    @property
    def sla_compliance(self) -> float | None:
        return rate(self.on_time, self.on_time + self.late)

    @property
    def return_rate(self) -> float | None:
        return rate(self.returned, self.work_orders)

    @property
    def department(self) -> str | None:
        """The department most of the case's leads went to."""
        return self.departments.most_common(1)[0][0] if self.departments else None


def build_cases(cells: Iterable[Cell], days: Mapping[tuple[str, str, str, str | None], int],
                params: CaseParams = CaseParams()) -> list[ClassCase]:
    """The period's class cases, best first, at most `params.limit`, none overlapping another.

    `days` maps each candidate key (as a plain tuple) to its number of distinct days with a lead.
    """
    cells = [c for c in cells if c.leads > 0]
    total = sum(c.leads for c in cells)
    if not total:
        return []
    by_item: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_street: Counter[tuple[str, str | None]] = Counter()
    by_district: Counter[str] = Counter()
    groups: dict[CaseKey, list[Cell]] = defaultdict(list)
    for c in cells:
        by_item[c.item] += c.leads
        by_category[c.category] += c.leads
        by_street[(c.district, c.street)] += c.leads
        by_district[c.district] += c.leads
        groups[CaseKey("item", c.item, c.district, None)].append(c)
        if c.street:
            groups[CaseKey("item", c.item, c.district, c.street)].append(c)
            groups[CaseKey("category", c.category, c.district, c.street)].append(c)
    candidates = []
    for key, members in groups.items():
        case = _case(key, members, days.get(tuple(key), 0), params, total,  # type: ignore[arg-type]
                     subject=(by_item if key.scope == "item" else by_category)[key.code],
                     place=by_street[(key.district, key.street)] if key.street else by_district[key.district])
        if case is not None:
            candidates.append(case)
    candidates.sort(key=lambda c: (-c.score, str(c.key)))
    chosen: list[ClassCase] = []
    for case in candidates:
        if not any(_overlap(case, other) for other in chosen):
            chosen.append(case)
            if len(chosen) >= params.limit:
                break
    return chosen


def summarise(key: CaseKey, members: Iterable[Cell], days: int, *, expected: float = 0.0,
              score: float = 0.0) -> ClassCase:
    """A case's numbers from its cells (whether or not it would rank)."""
    case = ClassCase(key=key, leads=0, expected=round(expected, 2), days=days, score=round(score, 2))
    for c in members:
        case.leads += c.leads
        case.items[c.item] += c.leads
        case.streets[c.street or ""] += c.leads
        if c.department:
            case.departments[c.department] += c.leads
        case.work_orders += c.work_orders
        case.on_time += c.on_time
        case.late += c.late
        case.returned += c.returned
        case.resolved += c.resolved
    return case


def _case(key: CaseKey, members: list[Cell], days: int, params: CaseParams, total: int, *,
          subject: int, place: int) -> ClassCase | None:
    leads = sum(c.leads for c in members)
    if leads < params.min_leads or days < params.min_days:
        return None
    expected = subject * place / total
    excess = leads - expected
    if excess <= 0:
        return None
    case = summarise(key, members, days, expected=expected, score=excess * min(1.0, days / params.spread_days))
    if key.street is None or key.scope == "category":  # a wider case: no part may dominate it
        parts = case.streets if key.street is None else case.items
        if len(parts) < 2 or max(parts.values()) / leads > params.max_part_share:
            return None
    return case


def _overlap(a: ClassCase, b: ClassCase) -> bool:
    """Whether two cases could hold the same lead: one district, meeting places, shared items."""
    if a.key.district != b.key.district:
        return False
    if a.key.street and b.key.street and a.key.street != b.key.street:
        return False
    return bool(set(a.items) & set(b.items))


# --- trends --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trend:
    """The last week against the mean of the weeks before it."""

    last: int
    baseline: float
    direction: Direction

    @property
    def change(self) -> float:
        return self.last - self.baseline

    @property
    def ratio(self) -> float:
        # +1 on both sides: 0 → 3 is a rise, not a division by zero
        return (self.last + 1) / (self.baseline + 1)


PREVIOUS_WEEKS = 4   # the baseline: mean of up to this many weeks before the last
RISE_RATIO = 1.5     # rising: at least half as much again as the baseline …
RISE_MIN_CHANGE = 2  # … and at least two leads more (falling: the mirror image)


def trend(series: Sequence[int], previous: int = PREVIOUS_WEEKS) -> Trend:
    """Trend of a weekly series (oldest first); the last value is the week looked at."""
    if not series:
        return Trend(0, 0.0, "steady")
    last = series[-1]
    before = list(series[-1 - previous:-1])
    baseline = sum(before) / len(before) if before else 0.0
    t = Trend(last, round(baseline, 2), "steady")
    if t.ratio >= RISE_RATIO and t.change >= RISE_MIN_CHANGE:
        return Trend(last, t.baseline, "rising")
    if t.ratio <= 1 / RISE_RATIO and t.change <= -RISE_MIN_CHANGE:
        return Trend(last, t.baseline, "falling")
    return t


def rising(series: Mapping[K, Sequence[int]], limit: int = 8) -> list[tuple[K, Trend]]:
    """The fastest-rising keys: rising trends, the biggest rise over the baseline first."""
    trends = [(k, trend(s)) for k, s in series.items()]
    up = [(k, t) for k, t in trends if t.direction == "rising"]
    up.sort(key=lambda kt: (-kt[1].change, -kt[1].ratio, str(kt[0])))
    return up[:limit]


# --- recurrence after 办结 -------------------------------------------------------------

RECURRENCE_DAYS = 30


class LeadFacts(NamedTuple):
    """What recurrence needs of a lead."""

    id: str
    item: str | None
    district: str | None
    street: str | None
    discovered_at: datetime
    resolved_at: datetime | None = None


@dataclass(slots=True)
class Recurrence:
    """A resolved work order (办结) followed by new leads of the same item at the same place."""

    resolved_lead_id: str
    item: str
    district: str | None
    street: str | None
    resolved_at: datetime
    leads: list[tuple[str, datetime]] = field(default_factory=list)  # (lead id, discovered), oldest first

    @property
    def first_after_days(self) -> float:
        return (self.leads[0][1] - self.resolved_at) / timedelta(days=1) if self.leads else 0.0


def place_of(district: str | None, street: str | None) -> str | None:
    """Where "the same place" is decided: the street, else the district."""
    return street or district


def find_recurrences(leads: Iterable[LeadFacts], start: datetime, end: datetime,
                     within_days: int = RECURRENCE_DAYS) -> list[Recurrence]:
    """Resolved leads (办结) followed, at most `within_days` later, by leads discovered in
    [start, end) of the same item at the same place: one Recurrence per resolved lead, with the
    leads that came back, the most first.

    The reference for sinks/analytics.py's pipeline, which does the same in the database.
    """
    by_place: dict[tuple[str, str, str], list[LeadFacts]] = defaultdict(list)
    for lead in leads:
        place = place_of(lead.district, lead.street)
        if lead.item and place:
            by_place[(lead.item, lead.district or "", place)].append(lead)
    found = []
    limit = timedelta(days=within_days)
    for group in by_place.values():
        for fixed in group:
            if fixed.resolved_at is None:
                continue
            back = sorted((lead.discovered_at, lead.id) for lead in group
                          if lead.id != fixed.id and start <= lead.discovered_at < end
                          and timedelta(0) <= lead.discovered_at - fixed.resolved_at <= limit)
            if back:
                found.append(Recurrence(fixed.id, fixed.item or "", fixed.district, fixed.street,
                                        fixed.resolved_at, [(i, at) for at, i in back]))
    return sorted(found, key=lambda r: (-len(r.leads), r.resolved_at, r.resolved_lead_id))


# --- places and effects ----------------------------------------------------------------


def count_spots(texts: Iterable[str], names: Iterable[str], limit: int = 5) -> list[tuple[str, int]]:
    """Named spots (estates, villages, roads, landmarks) the texts mention, most mentioned first."""
    names = sorted({n for n in names if len(n) >= 3}, key=len, reverse=True)
    counts: Counter[str] = Counter()
    for text in texts:
        seen: set[str] = set()
        for name in names:
            if name in text and not any(name in longer for longer in seen):
                seen.add(name)
        counts.update(seen)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


@dataclass(frozen=True, slots=True)
class Effect:
    """Leads in the weeks before and after a date (a rectification): did the weekly rate fall?

    `days_after` may be shorter than `days_before` while the after-period is still running, so
    rates per week are compared, not counts.
    """

    before: int
    after: int
    days_before: float
    days_after: float

    @property
    def rate_before(self) -> float:
        return self.before * 7 / self.days_before if self.days_before > 0 else 0.0

    @property
    def rate_after(self) -> float | None:
        return self.after * 7 / self.days_after if self.days_after > 0 else None

    @property
    def change(self) -> float | None:
        """Relative change of the weekly rate (−0.75: three quarters fewer)."""
        after = self.rate_after
        if after is None or not self.rate_before:
            return None
        return after / self.rate_before - 1

    @property
    def fell(self) -> bool | None:
        after = self.rate_after
        return None if after is None else after < self.rate_before
