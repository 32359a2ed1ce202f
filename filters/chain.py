"""FilterChain: the one path every post takes, in the crawler and in `civicwatch classify`.

    chain = FilterChain.from_config(load_config())
    decision = chain.decide(post)          # stateful: remembers leads for duplicate detection

The chain orders its steps (filters/defaults.py plus overrides), runs them on a PostContext,
counts the posts each step ruled out per reason, and builds the Decision; what a step does is
the step's own business (filters/steps/).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from civicwatch.components import build_component_list, load_object
from civicwatch.config import Config
from civicwatch.exceptions import ConfigError
from civicwatch.models import Decision, Post
from filters.context import PostContext
from filters.defaults import CIVICWATCH_FILTERS_BASE
from filters.steps import Step

SETTING = "CIVICWATCH_FILTERS"
_UNSET = object()


@dataclass(frozen=True)
class StepTrace:
    """What one step did to a post's context: `changes` maps each field it set to its new value;
    `ran` is False for a step skipped because an earlier one screened the post out."""

    step: str
    ran: bool
    changes: dict[str, Any]


def _fields(ctx: PostContext) -> dict[str, Any]:
    """The context's fields as they read now (class defaults included), copied so that a step
    appending to a list shows as a change."""
    names = [n for n in vars(PostContext) if not n.startswith("_") and not callable(getattr(PostContext, n))
             and not isinstance(getattr(PostContext, n), property)]
    out = {n: getattr(ctx, n) for n in names}
    out.update({n: v for n, v in vars(ctx).items() if n != "post"})
    return {k: list(v) if isinstance(v, list | tuple) else v for k, v in out.items()}


def build_steps(config: Config, overrides: Mapping[str, int | None] | None = None) -> list[Step]:
    """The steps CIVICWATCH_FILTERS_BASE and `overrides` enable, in order, each built from `config`."""
    steps = []
    for path in build_component_list(CIVICWATCH_FILTERS_BASE, overrides, setting=SETTING):
        cls = load_object(path)
        if not (isinstance(cls, type) and issubclass(cls, Step)):
            raise ConfigError("not a filter step (a subclass of filters.steps.Step)", path=SETTING, field=path)
        steps.append(cls.from_config(config))
    return steps


class FilterChain:
    """Runs each post through its steps, in order; remembers leads (through the steps) between posts."""

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = list(steps)
        self._process = [step.process for step in self.steps]
        # After the step that screened a post out, only the steps that serve such posts run.
        self._for_screened = [[s.process for s in self.steps[i + 1:] if s.serves_screened]
                              for i in range(len(self.steps))]
        self._dropped: dict[tuple[str, str], int] = {}

    @classmethod
    def from_config(cls, config: Config, overrides: Mapping[str, int | None] | None = None) -> FilterChain:
        """The chain of CIVICWATCH_FILTERS_BASE merged with `overrides` (default: the
        CIVICWATCH_FILTERS setting)."""
        return cls(build_steps(config, config.settings.filters if overrides is None else overrides))

    @property
    def dropped(self) -> dict[str, dict[str, int]]:
        """Posts ruled out since the start (or reset), per step and reason code:
        {"screen": {"no_item": 812, "not_shenzhen": 40}, "decide": {"below_threshold": 9}}."""
        out: dict[str, dict[str, int]] = {}
        for (step, reason), count in self._dropped.items():
            out.setdefault(step, {})[reason] = count
        return out

    def reset(self) -> None:
        """Start afresh: forget remembered posts (a fresh duplicate index) and the counts."""
        for step in self.steps:
            step.reset()
        self._dropped.clear()

    def decide(self, post: Post) -> Decision:
        ctx = PostContext(post)
        for i, process in enumerate(self._process):
            process(ctx)
            if ctx.screened:
                for rest in self._for_screened[i]:
                    rest(ctx)
                break
        if not ctx.is_lead:
            key = (ctx.dropped_by, ctx.drop_reason)
            self._dropped[key] = self._dropped.get(key, 0) + 1
        return self._decision(ctx)

    def trace(self, post: Post) -> tuple[Decision, list[StepTrace]]:
        """Decide one post as `decide` does, noting after each step the context fields it
        changed: the evidence behind the decision, step by step (`civicwatch explain`). The
        chain's memory and counts are left as they were."""
        ctx = PostContext(post)
        traces: list[StepTrace] = []
        for step in self.steps:
            if ctx.screened and not step.serves_screened:
                traces.append(StepTrace(step.name, ran=False, changes={}))
                continue
            before = _fields(ctx)
            step.process(ctx)
            after = _fields(ctx)
            traces.append(StepTrace(step.name, ran=True,
                                    changes={k: v for k, v in after.items() if before.get(k, _UNSET) != v}))
        return self._decision(ctx), traces

    def decide_batch(self, posts: Iterable[Post]) -> list[Decision]:
        """Decisions in input order; duplicates point at the earliest post by published_at."""
        indexed = list(enumerate(posts))
        out: list[Any] = [None] * len(indexed)
        for i, post in sorted(indexed, key=lambda ip: ip[1].published_at):
            out[i] = self.decide(post)
        return out

    def remember(self, post: Post, decision: Decision) -> None:
        """Seed the steps' memory (duplicate detection) with a lead stored earlier."""
        ctx = PostContext(post)
        for step in self.steps:
            step.remember(ctx, decision)

    @staticmethod
    def _decision(ctx: PostContext) -> Decision:
        post = ctx.post
        if ctx.screened:  # most posts: nothing but why, and a duplicate link
            return Decision(platform=post.platform, post_id=post.post_id, is_lead=False, dup_of=ctx.dup_of,
                            reasons=ctx.reasons, drop_reason=ctx.drop_reason, model_version=ctx.model_version)
        place, item, lead = ctx.place, ctx.item, ctx.is_lead
        placed = place is not None and (place.is_shenzhen or lead)
        return Decision(
            platform=post.platform, post_id=post.post_id, is_lead=lead, score=ctx.score,
            district=place.district if placed else None,  # type: ignore[union-attr]
            street=place.street if placed else None,  # type: ignore[union-attr]
            category=item.category if item else None, item=item.code if item else None,
            department=item.department if item else None, urgency=ctx.urgency if item else None,  # type: ignore[arg-type]
            dup_of=ctx.dup_of, text_masked=ctx.text_masked,
            matched=sorted(set(ctx.matched)), reasons=ctx.reasons,
            drop_reason=None if lead else ctx.drop_reason, title_masked=ctx.title_masked,
            author_hash=ctx.author_hash, model_version=ctx.model_version,
            model_evidence=list(ctx.model_evidence),
        )
