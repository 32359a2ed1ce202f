"""Learned: the n-gram models' view of a post that passed the screen (filters/learned.py), joined
with the keyword evidence into a calibrated lead probability, the item and urgency.

Runs after classify, before locate: locate, rules and decide then read `ctx.lead_prob` instead
of the keyword score. Without a model file the chain stays keyword-only (said once, in the log).
Every decision records the model's version, screened posts too.
"""

from __future__ import annotations

import logging
from typing import Self

from civicwatch.config import Config
from filters.context import PostContext
from filters.learned import KeywordEvidence, LearnedModel
from filters.steps import Step

log = logging.getLogger(__name__)
KEYWORDS_ONLY = "keywords-only"
_warned: set[str] = set()


class LearnedStep(Step):
    name = "learned"
    serves_screened = True  # only to stamp the model version

    def __init__(self, model: LearnedModel | None) -> None:
        self.model = model
        self.version = model.version if model else KEYWORDS_ONLY

    @classmethod
    def from_config(cls, config: Config) -> Self:
        found = config.model
        if found is None:
            path = str(config.settings.model_path)
            if path not in _warned and not config.settings.model_path.exists():  # not when switched off
                _warned.add(path)
                log.warning("no learned model at %s: decisions are keyword-only (civicwatch train builds it)", path)
            return cls(None)
        return cls(LearnedModel(found.arrays))

    def process(self, ctx: PostContext) -> None:
        ctx.model_version = self.version
        model, found = self.model, ctx.classification
        if model is None or ctx.screened or ctx.norm is None or found is None:
            return
        pred = model.predict([ctx.norm.full])[0]
        keywords = KeywordEvidence(score=ctx.score, has_item=found.item is not None, complaint=len(found.complaint),
                                   noise=len(found.noise), danger=len(ctx.danger or ()))
        ctx.lead_prob = prob = model.lead_probability(pred.lead, keywords)
        ctx.lead_threshold = model.lead_threshold
        ctx.keyword_weight = model.keyword_weight
        ctx.model_evidence = pred.evidence
        if found.item is None or (pred.item != found.item and pred.item_prob >= model.item_override):
            found.item = pred.item  # the keywords found none, or the model is surer
            found.item_terms = []
            ctx.matched = pred.evidence
        ctx.danger_prob = pred.urgent
        ctx.urgent_by_model = pred.urgent >= model.urgent_threshold
        ctx.reasons.append(f"模型 {prob:.2f}（n元 {pred.lead:.2f}，事项 {pred.item} {pred.item_prob:.2f}）："
                           + "、".join(pred.evidence))
