"""Classify: the post's catalogue item and its lead score before rules (filters/classify.py,
the weights in classifier.yaml's `scoring`)."""

from __future__ import annotations

from typing import Self

from civicwatch.config import Config, Scoring
from filters.classify import Classifier
from filters.context import PostContext
from filters.steps import Step


class ClassifyStep(Step):
    name = "classify"

    def __init__(self, classifier: Classifier, scoring: Scoring) -> None:
        self.classifier = classifier
        self.generic_danger = frozenset(scoring.generic_danger)
        # As plain numbers: read for every post that passes the screen.
        self.complaint = (scoring.complaint.weight, scoring.complaint.max_words)
        self.danger = (scoring.danger.weight, scoring.danger.max_words)
        self.noise = (scoring.noise.weight, scoring.noise.max_words)

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(Classifier(config.classifier), config.classifier.scoring)

    def process(self, ctx: PostContext) -> None:
        assert ctx.norm is not None
        ctx.classification = found = self.classifier.classify(ctx.norm.full)
        ctx.danger = danger = [d for d in found.danger if d not in self.generic_danger]
        (cw, cmax), (dw, dmax), (nw, nmax) = self.complaint, self.danger, self.noise
        # Item words, complaint cues and danger, less noise words.
        ctx.score = (found.item_score + cw * min(len(found.complaint), cmax) + dw * min(len(danger), dmax)
                     - nw * min(len(found.noise), nmax))
        if found.item:
            ctx.matched = found.item_terms
            ctx.reasons.append(f"事项 {found.item}：" + "、".join(found.item_terms[:4]))
