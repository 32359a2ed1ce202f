"""Normalise: the post's title, own words and quoted repost in matching form (filters/normalise.py)."""

from __future__ import annotations

from civicwatch.models import Decision
from filters.context import PostContext
from filters.normalise import normalise
from filters.steps import Step


class NormaliseStep(Step):
    name = "normalise"

    def process(self, ctx: PostContext) -> None:
        ctx.norm = normalise(ctx.post.text, ctx.post.title)

    def remember(self, ctx: PostContext, decision: Decision) -> None:
        self.process(ctx)
