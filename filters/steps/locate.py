"""Locate: where the post is (filters/places.py); skipped when no place could make it a lead."""

from __future__ import annotations

from typing import Self

from civicwatch.config import Config
from civicwatch.models import Decision
from filters.context import PostContext
from filters.dedup import FOLLOW_UP
from filters.learned import raised
from filters.places import PlaceResolver, PlaceResult
from filters.steps import Step


class LocateStep(Step):
    name = "locate"

    def __init__(self, places: PlaceResolver, lead_threshold: float, include_bonus: float) -> None:
        self.places = places
        self.lead_threshold = lead_threshold
        self.include_bonus = include_bonus

    @classmethod
    def from_config(cls, config: Config) -> Self:
        scoring = config.classifier.scoring
        return cls(PlaceResolver(config.gazetteer), scoring.lead_threshold, scoring.include_bonus)

    def _out_of_reach(self, ctx: PostContext) -> bool:
        """Below the lead threshold even with an include rule's bonus: where the post is cannot
        change that, so it is not placed (a follow-up still is: duplicates match it by place)."""
        assert ctx.norm is not None
        if ctx.lead_prob is not None:
            best = raised(ctx.lead_prob, ctx.keyword_weight * self.include_bonus)
            return best < ctx.lead_threshold and not FOLLOW_UP.match(ctx.norm.own)
        return ctx.score + self.include_bonus < self.lead_threshold and not FOLLOW_UP.match(ctx.norm.own)

    def process(self, ctx: PostContext) -> None:
        assert ctx.norm is not None
        no_problem = ctx.no_problem
        ctx.out_of_reach = not no_problem and self._out_of_reach(ctx)
        if no_problem or ctx.out_of_reach:
            ctx.place = PlaceResult(is_shenzhen=False, score=0.0, district=None, street=None)
            return
        ctx.place = place = self.places.resolve(ctx.norm.full, ctx.post.ip_region)
        if place.evidence:
            ctx.reasons.append("地点：" + "、".join(place.evidence[:4]))
        if place.foreign:
            ctx.reasons.append("外地：" + "、".join(place.foreign[:3]))

    def remember(self, ctx: PostContext, decision: Decision) -> None:
        # A stored lead's named spots are duplicate keys.
        if ctx.norm is not None:
            ctx.place = self.places.resolve(ctx.norm.full, ctx.post.ip_region)
