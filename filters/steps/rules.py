"""Rules: the keyword rules of rules.yaml, for posts about a catalogue problem in Shenzhen.

Rules can veto a lead (exclude) or add to its score (include), never make one.
"""

from __future__ import annotations

from typing import Self

from civicwatch.config import Config
from filters.context import PostContext
from filters.learned import raised
from filters.rules import RuleSet
from filters.steps import Step


class RulesStep(Step):
    name = "rules"

    def __init__(self, rules: RuleSet | None, include_bonus: float) -> None:
        self.rules = rules
        self.include_bonus = include_bonus

    @classmethod
    def from_config(cls, config: Config) -> Self:
        rules = RuleSet(config.rules) if config.rules.rules else None
        return cls(rules, config.classifier.scoring.include_bonus)

    def process(self, ctx: PostContext) -> None:
        if self.rules is None or ctx.no_problem or not (ctx.place and ctx.place.is_shenzhen):
            return  # (an out-of-reach post is not placed, so not in Shenzhen either)
        hits = self.rules.evaluate(ctx.post, ctx.norm)
        if not hits:
            return
        included = False
        for hit in hits:
            if hit.kind == "exclude" and ctx.vetoed_by is None:
                ctx.vetoed_by = hit.name
            included = included or hit.kind == "include"
        if included:
            ctx.score += self.include_bonus
            if ctx.lead_prob is not None:
                ctx.lead_prob = raised(ctx.lead_prob, ctx.keyword_weight * self.include_bonus)
        ctx.reasons.append("规则：" + "、".join(h.name for h in hits))
