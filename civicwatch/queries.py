"""What the query planner knows of each query and round (filters/planner.py decides with it,
sinks/planner.py stores it, `civicwatch queries` shows it).

Rounds are the platform's own polling rounds, numbered from 1; a coverage period is counted in
them, so a run with CIVICWATCH_TIME_SCALE=0 plans exactly as a real-time one does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Query kinds, in the order `civicwatch queries` and the metrics list them.
KINDS = ("keyword", "city", "district", "street", "estate", "metro", "road", "landmark", "board")


@dataclass
class QueryState:
    """One query on one platform: how often it was asked, what it cost, what it found."""

    platform: str
    query: str
    kind: str
    first_round: int                      # the round it became a candidate
    asks: int = 0
    requests: int = 0
    leads: int = 0
    last_asked_round: int | None = None
    # The last ask that read every result down to the watermark (not cut at max_pages or by the
    # budget, no refusal): only such an ask vouches for the queries it contains (see covers).
    last_complete_round: int | None = None
    complete: bool | None = None          # was the last ask complete
    # Leads and requests, discounted by the planner's half-life, as of `decayed_round`.
    decayed_leads: float = 0.0
    decayed_requests: float = 0.0
    decayed_round: int = 0
    cost_per_ask: float | None = None     # requests per ask (moving average)
    follow_up_round: int | None = None    # ask again by this round: a lead named this place

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.query}"


@dataclass
class PlannedQuery:
    query: str
    kind: str
    reason: str           # coverage | follow_up | yield | explore
    expected_requests: float
    score: float          # the sampled leads per request it was ranked by


@dataclass
class RoundLog:
    """One planned round: what was asked and what it cost (the latest few are kept)."""

    platform: str
    round: int
    budget: int
    planned: list[PlannedQuery] = field(default_factory=list)
    requests: int = 0
    leads: int = 0
    cut: int = 0              # requests the budget refused
    coverage_needed: float = 0.0  # requests this round had to spend to keep every deadline

# Sent with every request of a planned round when the crawl runs against the simulator: the
# simulator's rate limits count requests per round, as a platform counts per polling interval.
ROUND_HEADER = "X-Civicwatch-Round"
