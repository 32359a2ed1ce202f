"""The filter chain's steps: one module per step, each a Step subclass built `from_config`.

The chain runs them in the order of CIVICWATCH_FILTERS_BASE (filters/defaults.py) merged with
the overrides given to FilterChain.from_config (dotted path -> order, None switches a step
off). A step reads and writes one PostContext; everything it needs (automata, resolvers, the
duplicate index) it builds from the loaded Config, never from the chain. Adding a step is a
module here and an entry in the settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from typing import Self

    from civicwatch.config import Config
    from civicwatch.models import Decision
    from filters.context import PostContext


class Step:
    """One step of the filter chain."""

    name: ClassVar[str]  # short, for counts and logs: "screen", "decide"
    # Also run for posts the screen ruled out (the chain skips every other step for them).
    serves_screened: ClassVar[bool] = False

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls()

    def process(self, ctx: PostContext) -> None:
        raise NotImplementedError

    def remember(self, ctx: PostContext, decision: Decision) -> None:
        """Learn from a lead decided earlier, e.g. in another process (FilterChain.remember);
        steps run in chain order, so a step finds what earlier ones set. Most learn nothing."""

    def reset(self) -> None:
        """Forget what earlier posts taught (FilterChain.reset)."""

    def rule_out(self, ctx: PostContext, code: str, why: str) -> None:
        """Record that this step ruled the post out: a reason code and the reason in words."""
        ctx.drop_reason = code
        ctx.dropped_by = self.name
        ctx.reasons.append(why)
