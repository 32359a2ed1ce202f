"""Default settings of the filter chain (Scrapy-style component dicts, STYLE.md §2).

CIVICWATCH_FILTERS_BASE lists the built-in steps (dotted path -> order, lower runs first);
FilterChain.from_config(config, overrides) merges CIVICWATCH_FILTERS-style overrides into it,
where None switches a step off and a new path adds one.
"""

from __future__ import annotations

CIVICWATCH_FILTERS_BASE: dict[str, int | None] = {
    "filters.steps.normalise.NormaliseStep": 100,
    "filters.steps.screen.ScreenStep": 150,     # most posts leave here for the decision
    "filters.steps.classify.ClassifyStep": 250,
    "filters.steps.learned.LearnedStep": 270,   # the n-gram models, joined with the keyword evidence
    "filters.steps.locate.LocateStep": 300,
    "filters.steps.rules.RulesStep": 450,
    "filters.steps.decide.DecideStep": 500,
    "filters.steps.mask.MaskStep": 550,         # after decide: only leads are masked
    "filters.steps.duplicates.DuplicatesStep": 600,
}
