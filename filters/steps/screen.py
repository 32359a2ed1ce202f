"""Screen: the first pass over every post; one lacking an item word or a Shenzhen name cannot be
a lead, and skips to the steps that serve screened posts (filters/screen.py)."""

from __future__ import annotations

from typing import Self

from civicwatch.config import Config
from filters.classify import item_words
from filters.context import PostContext
from filters.places import shenzhen_names
from filters.screen import ITEM_WORD, SHENZHEN_NAME, CandidateScreen
from filters.steps import Step


class ScreenStep(Step):
    name = "screen"

    def __init__(self, screen: CandidateScreen) -> None:
        self.screen = screen

    @classmethod
    def from_config(cls, config: Config) -> Self:
        # Widened by the learned model's words, when there is one (recall-first).
        learned = config.model.arrays["screen_words"].tolist() if config.model is not None else []
        return cls(CandidateScreen(item_words(config.classifier) | set(learned), shenzhen_names(config.gazetteer)))

    def process(self, ctx: PostContext) -> None:
        if ctx.norm is None:
            return
        ctx.found = found = self.screen.scan(ctx.norm.full)
        if not found & ITEM_WORD:
            ctx.screened = True
            self.rule_out(ctx, "no_item", "无可办事项")
        elif not found & SHENZHEN_NAME:
            ctx.screened = True
            self.rule_out(ctx, "not_shenzhen", "未确定在深圳")
