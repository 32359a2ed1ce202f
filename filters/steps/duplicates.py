"""Duplicates: the earliest lead of the same incident (filters/dedup.py); leads are remembered.

A non-lead about a catalogue problem (a follow-up, a news rewrite; or, screened out, a copy of a
lead's words with its place left out) may still belong to a known incident: it is looked up,
but only leads are added, so dup_of always names a lead.
"""

from __future__ import annotations

from civicwatch.models import Decision
from filters.context import PostContext
from filters.dedup import DuplicateIndex
from filters.screen import ITEM_WORD
from filters.steps import Step


class DuplicatesStep(Step):
    name = "duplicates"
    serves_screened = True

    def __init__(self) -> None:
        self.dups = DuplicateIndex()

    def reset(self) -> None:
        self.dups = DuplicateIndex()

    def process(self, ctx: PostContext) -> None:
        found = ctx.classification
        if ctx.norm is None or not (ctx.is_lead or (found and found.item)
                                    or (ctx.screened and ctx.found & ITEM_WORD)):
            return
        place, norm, when = ctx.place, ctx.norm, ctx.post.published_at
        street = place.street if place else None
        district = place.district if place else None
        if ctx.is_lead:
            item = found.item if found else None
            spots = place.landmarks if place else []
            dup_of, why = self.dups.find(own=norm.own, reposted=norm.reposted, street=street, item=item,
                                         published_at=when, district=district, spots=spots)
        else:  # only the cheap wording keys and follow-up cues (its item only picks among those)
            dup_of, why = self.dups.find_wording(norm.own, norm.reposted, street or district, when,
                                                 found.item if found else None)
        if dup_of and dup_of != ctx.post.key:
            ctx.dup_of = dup_of
            ctx.reasons.append(f"重复：{why}")
        if ctx.is_lead:
            self.dups.add(ctx.post.key, own=norm.own, reposted=norm.reposted, street=street, item=item,
                          published_at=when, incident_key=ctx.dup_of, district=district, spots=spots)

    def remember(self, ctx: PostContext, decision: Decision) -> None:
        """Seed the index with a lead stored earlier (its text already masked)."""
        assert ctx.norm is not None
        spots = ctx.place.landmarks if ctx.place else []
        self.dups.add(ctx.post.key, own=ctx.norm.own, reposted=ctx.norm.reposted, street=decision.street,
                      item=decision.item, published_at=ctx.post.published_at, incident_key=decision.dup_of,
                      district=decision.district, spots=spots)
