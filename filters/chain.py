"""FilterChain: the one path every post takes, in the crawler and in `civicwatch classify`.

    chain = FilterChain.from_config(load_config())
    decision = chain.decide(post)          # stateful: remembers leads for duplicate detection
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from scrapy.utils.misc import load_object

from civicwatch.config import Catalogue, Config
from civicwatch.models import Decision, Post
from filters.classify import Classifier
from filters.dedup import DuplicateIndex
from filters.normalise import normalise
from filters.places import PlaceResolver
from filters.rules import RuleSet
from filters.screen import CandidateScreen
from filters.steps import FILTERS_BASE, LEAD_THRESHOLD, PostContext

Step = Callable[[PostContext, "FilterChain"], None]


def build_steps(overrides: dict[str, int | None] | None = None) -> list[Step]:
    merged = {**FILTERS_BASE, **(overrides or {})}
    ordered = sorted(((order, path) for path, order in merged.items() if order is not None))
    return [load_object(path) for _, path in ordered]


class FilterChain:
    def __init__(self, catalogue: Catalogue, places: PlaceResolver, classifier: Classifier,
                 rules: RuleSet | None = None, steps: list[Step] | None = None) -> None:
        self.catalogue = catalogue
        self.places = places
        self.classifier = classifier
        self.rules = rules
        self.steps = steps or build_steps()
        # After the step that screened a post out, only the steps marked to serve such posts run.
        self._for_screened = [[s for s in self.steps[i + 1:] if getattr(s, "serves_screened", False)]
                              for i in range(len(self.steps))]
        self.screen = CandidateScreen(classifier.item_words, places.shenzhen_names)
        self.dups = DuplicateIndex()
        self.lead_threshold = LEAD_THRESHOLD

    def reset(self) -> None:
        """Forget remembered posts (a fresh duplicate index)."""
        self.dups = DuplicateIndex()

    @classmethod
    def from_config(cls, config: Config, overrides: dict[str, int | None] | None = None) -> FilterChain:
        d = config.settings.config_dir
        rules_path = d / "rules.yaml"
        return cls(
            catalogue=config.catalogue,
            places=PlaceResolver(config.gazetteer),
            classifier=Classifier.from_file(d / "classifier.yaml", config.catalogue),
            rules=RuleSet.from_file(rules_path) if rules_path.exists() else None,
            steps=build_steps(overrides),
        )

    def rule_kinds(self, names: list[str]) -> set[str]:
        return self.rules.kinds(names) if self.rules else set()

    def decide(self, post: Post) -> Decision:
        ctx = PostContext(post=post)
        for i, step in enumerate(self.steps):
            step(ctx, self)
            if ctx.screened is not None:
                for rest in self._for_screened[i]:
                    rest(ctx, self)
                break
        return self._decision(ctx)

    def decide_batch(self, posts: Iterable[Post]) -> list[Decision]:
        """Decisions in input order; duplicates point at the earliest post by published_at."""
        indexed = list(enumerate(posts))
        out: list[Any] = [None] * len(indexed)
        for i, post in sorted(indexed, key=lambda ip: ip[1].published_at):
            out[i] = self.decide(post)
        return out

    def remember(self, post: Post, decision: Decision) -> None:
        """Seed duplicate detection with a lead stored earlier (its text already masked)."""
        norm = normalise(post.text, post.title)
        spots = self.places.resolve(norm.full, post.ip_region).landmarks
        self.dups.add(post.key, own=norm.own, reposted=norm.reposted, street=decision.street,
                      item=decision.item, published_at=post.published_at, incident_key=decision.dup_of,
                      district=decision.district, spots=spots)

    def _decision(self, ctx: PostContext) -> Decision:
        if ctx.screened is not None:  # most posts: nothing but why, and a duplicate link
            return Decision(platform=ctx.post.platform, post_id=ctx.post.post_id, is_lead=False,
                            dup_of=ctx.dup_of, reasons=ctx.reasons)
        place, cls = ctx.place, ctx.cls
        item = self.catalogue.items.get(cls.item) if (ctx.is_lead and cls and cls.item) else None
        return Decision(
            platform=ctx.post.platform, post_id=ctx.post.post_id, is_lead=ctx.is_lead, score=ctx.score,
            district=place.district if place and (place.is_shenzhen or ctx.is_lead) else None,
            street=place.street if place and (place.is_shenzhen or ctx.is_lead) else None,
            category=item.category if item else None, item=item.code if item else None,
            department=item.department if item else None, urgency=ctx.urgency if item else None,
            dup_of=ctx.dup_of, text_masked=ctx.text_masked,
            matched=sorted(set(ctx.matched)), reasons=ctx.reasons,
        )
