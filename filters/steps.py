"""The filter chain's steps, in the order FILTERS_BASE gives them; each is a plain function.

A step reads and writes one PostContext. Disable a step by mapping its path to None in the
`overrides` passed to FilterChain (Scrapy-style component dicts, STYLE.md §2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from civicwatch.models import Post
from filters.classify import Classification
from filters.dedup import FOLLOW_UP
from filters.normalise import Normalised
from filters.normalise import normalise as normalise_text
from filters.pii import mask_pii
from filters.places import PlaceResult
from filters.screen import ITEM_WORD, SHENZHEN_NAME

if TYPE_CHECKING:
    from filters.chain import FilterChain, Step

FILTERS_BASE: dict[str, int | None] = {
    "filters.steps.normalise": 100,
    "filters.steps.screen": 150,
    "filters.steps.classify": 250,
    "filters.steps.locate": 300,
    "filters.steps.apply_rules": 450,
    "filters.steps.decide": 500,
    "filters.steps.mask": 550,
    "filters.steps.duplicates": 600,
}

# Lead score needed to keep a post (tuned on the labelled dev set; see `civicwatch evaluate --folds`).
LEAD_THRESHOLD = 1.0
INCLUDE_BONUS = 0.5  # added to the score of a post an `include` rule hits
# Danger words that also turn up in ordinary complaints ("很危险", "差点撞到"): they add to the
# lead score but never raise urgency on their own; the rest (被困, 煤气味, 起火…) do.
GENERIC_DANGER = {"老人", "小孩", "孩子", "婴儿", "随时", "随时会", "安全隐患", "危险", "太危险", "吓人",
                  "太吓人", "差点", "救命", "生命安全", "被困", "裂缝", "掉下来", "冒烟"}


class PostContext:
    """One post on its way through the steps. A field no step has set yet reads as the class's
    default: only the post and the three lists are set per post (every post makes one)."""

    norm: Normalised | None = None
    screened: str | None = None   # why the first pass ruled the post out (then later steps skip it)
    out_of_reach: bool = False    # scored too low to be a lead wherever it is: not placed
    found: int = ITEM_WORD | SHENZHEN_NAME
    text_masked: str = ""
    place: PlaceResult | None = None
    cls: Classification | None = None
    danger: list[str] | None = None  # the classifier's danger words that raise urgency
    vetoed_by: str | None = None
    is_lead: bool = False
    score: float = 0.0
    urgency: str | None = None
    dup_of: str | None = None

    def __init__(self, post: Post) -> None:
        self.post = post
        self.rule_hits: list[str] = []
        self.matched: list[str] = []
        self.reasons: list[str] = []


def serves_screened(step: Step) -> Step:
    """Mark a step that also runs for posts the screen ruled out (FilterChain.decide skips the
    others for them)."""
    step.serves_screened = True  # type: ignore[attr-defined]
    return step


def normalise(ctx: PostContext, chain: FilterChain) -> None:
    ctx.norm = normalise_text(ctx.post.text, ctx.post.title)


def screen(ctx: PostContext, chain: FilterChain) -> None:
    if ctx.norm is None:
        return
    ctx.found = chain.screen.scan(ctx.norm.full)
    if not ctx.found & ITEM_WORD:
        ctx.screened = "无可办事项"
    elif not ctx.found & SHENZHEN_NAME:
        ctx.screened = "未确定在深圳"


def mask(ctx: PostContext, chain: FilterChain) -> None:
    # Only leads are stored or dispatched; other posts are dropped without keeping their text.
    if ctx.is_lead:
        ctx.text_masked = mask_pii(ctx.post.text)


def _no_problem(ctx: PostContext) -> bool:
    """No catalogue problem in the post: place and rules cannot make it a lead, so they are
    skipped."""
    return ctx.cls is not None and ctx.cls.item is None


def _danger(cls: Classification) -> list[str]:
    return [d for d in cls.danger if d not in GENERIC_DANGER]


def _out_of_reach(ctx: PostContext, chain: FilterChain) -> bool:
    """Below the lead threshold even with an include rule's bonus: where the post is cannot
    change that, so it is not placed (a follow-up still is: duplicates match it by place)."""
    assert ctx.norm is not None
    return ctx.score + INCLUDE_BONUS < chain.lead_threshold and not FOLLOW_UP.match(ctx.norm.own)


def locate(ctx: PostContext, chain: FilterChain) -> None:
    assert ctx.norm is not None
    no_problem = _no_problem(ctx)
    ctx.out_of_reach = not no_problem and _out_of_reach(ctx, chain)
    if no_problem or ctx.out_of_reach:
        ctx.place = PlaceResult(is_shenzhen=False, score=0.0, district=None, street=None)
        return
    ctx.place = chain.places.resolve(ctx.norm.full, ctx.post.ip_region)
    if ctx.place.evidence:
        ctx.reasons.append("地点：" + "、".join(ctx.place.evidence[:4]))
    if ctx.place.foreign:
        ctx.reasons.append("外地：" + "、".join(ctx.place.foreign[:3]))


def classify(ctx: PostContext, chain: FilterChain) -> None:
    assert ctx.norm is not None
    ctx.cls = cls = chain.classifier.classify(ctx.norm.full)
    ctx.danger = _danger(cls)
    # The score before rules: item words, complaint cues and danger, less noise words.
    ctx.score = (cls.item_score + 0.6 * min(len(cls.complaint), 4) + 0.5 * min(len(ctx.danger), 2)
                 - 1.2 * min(len(cls.noise), 3))
    if cls.item:
        ctx.matched.extend(cls.item_terms)
        ctx.reasons.append(f"事项 {cls.item}：" + "、".join(cls.item_terms[:4]))


def apply_rules(ctx: PostContext, chain: FilterChain) -> None:
    # Rules can veto a lead or add to its score, never make one: skipped outside Shenzhen.
    if chain.rules is None or _no_problem(ctx) or not (ctx.place and ctx.place.is_shenzhen):
        return  # (an out-of-reach post is not placed, so not in Shenzhen either)
    hits = chain.rules.evaluate(ctx.post, ctx.norm)
    for hit in hits:
        ctx.rule_hits.append(hit.name)
        if hit.kind == "exclude" and ctx.vetoed_by is None:
            ctx.vetoed_by = hit.name
    if hits:
        ctx.reasons.append("规则：" + "、".join(h.name for h in hits))


@serves_screened
def decide(ctx: PostContext, chain: FilterChain) -> None:
    if ctx.screened:
        ctx.reasons.append(ctx.screened)
        return
    assert ctx.place is not None and ctx.cls is not None
    cls = ctx.cls
    if ctx.rule_hits and "include" in chain.rule_kinds(ctx.rule_hits):
        ctx.score += INCLUDE_BONUS
    ctx.score = round(ctx.score, 2)
    if cls.noise:
        ctx.reasons.append("噪声词：" + "、".join(cls.noise[:3]))
    if cls.item is None:
        ctx.reasons.append("无可办事项")
    elif ctx.out_of_reach:
        ctx.reasons.append(f"线索分 {ctx.score} < {chain.lead_threshold}（未定位）")
    elif not ctx.place.is_shenzhen:
        ctx.reasons.append("未确定在深圳")
    elif ctx.vetoed_by:
        ctx.reasons.append(f"排除规则 {ctx.vetoed_by}")
    else:
        threshold = chain.lead_threshold
        ctx.is_lead = ctx.score >= threshold
        ctx.reasons.append(f"线索分 {ctx.score}" + ("" if ctx.is_lead else f" < {threshold}"))
    if ctx.is_lead and cls.item:
        item = chain.catalogue.items[cls.item]
        ctx.urgency = item.sla
        if item.sla != "urgent" and ctx.danger:
            ctx.urgency = "urgent"
            ctx.reasons.append("危及人身：" + "、".join(cls.danger[:3]))


@serves_screened
def duplicates(ctx: PostContext, chain: FilterChain) -> None:
    # A non-lead about a catalogue problem (a follow-up, a news rewrite; or, screened out, a copy
    # of a lead's words with its place left out) may still belong to a known incident: it is
    # looked up, but only leads are added, so dup_of always names a lead.
    if ctx.norm is None or not (ctx.is_lead or (ctx.cls and ctx.cls.item)
                                or (ctx.screened and ctx.found & ITEM_WORD)):
        return
    place, norm, when = ctx.place, ctx.norm, ctx.post.published_at
    street = place.street if place else None
    district = place.district if place else None
    if ctx.is_lead:
        item = ctx.cls.item if ctx.cls else None
        spots = place.landmarks if place else []
        dup_of, why = chain.dups.find(own=norm.own, reposted=norm.reposted, street=street, item=item,
                                      published_at=when, district=district, spots=spots)
    else:  # only the cheap wording keys and follow-up cues (its item is not trusted)
        dup_of, why = chain.dups.find_wording(norm.own, norm.reposted, street or district, when)
    if dup_of and dup_of != ctx.post.key:
        ctx.dup_of = dup_of
        ctx.reasons.append(f"重复：{why}")
    if ctx.is_lead:
        chain.dups.add(ctx.post.key, own=norm.own, reposted=norm.reposted, street=street, item=item,
                       published_at=when, incident_key=ctx.dup_of, district=district, spots=spots)
