"""PostContext: one post on its way through the filter chain's steps, and what they found."""

from __future__ import annotations

from typing import TYPE_CHECKING

from civicwatch.models import Post
from filters.screen import ITEM_WORD, SHENZHEN_NAME

if TYPE_CHECKING:
    from civicwatch.config import Item
    from filters.classify import Classification
    from filters.normalise import Normalised
    from filters.places import PlaceResult


class PostContext:
    """Steps read and write these fields; FilterChain turns them into the Decision. A field no
    step has set yet reads as the class's default: only the post and its reasons are set per post
    (every post makes one, and most leave after the screen)."""

    norm: Normalised | None = None
    screened: bool = False        # ruled out by the first pass: only steps that serve such posts run
    found: int = ITEM_WORD | SHENZHEN_NAME  # what the screen found (everything, when it did not run)
    classification: Classification | None = None
    danger: list[str] | None = None  # the classification's danger words that raise urgency
    score: float = 0.0
    out_of_reach: bool = False    # scored too low to be a lead wherever it is: not placed
    place: PlaceResult | None = None
    vetoed_by: str | None = None  # the first exclude rule that hit
    is_lead: bool = False
    item: Item | None = None      # a lead's catalogue item
    urgency: str | None = None
    # Why a post is not a lead (a short code, Decision.drop_reason) and which step said so; a post
    # no step ruled on (the decide step switched off) is "undecided".
    drop_reason: str = "undecided"
    dropped_by: str = "chain"
    text_masked: str = ""
    title_masked: str | None = None
    author_hash: str = ""
    dup_of: str | None = None
    matched: list[str] | tuple[str, ...] = ()  # the words that made the item (set by classify)
    # Set by the learned step (filters/steps/learned.py) when a model is loaded:
    model_version: str | None = None
    lead_prob: float | None = None    # calibrated lead probability; later steps read it, not `score`
    lead_threshold: float = 0.5
    keyword_weight: float = 0.0   # log-odds per point of keyword score (an include rule's bonus)
    model_evidence: list[str] | tuple[str, ...] = ()  # the n-grams that weighed most towards "lead"
    danger_prob: float | None = None
    urgent_by_model: bool = False

    def __init__(self, post: Post) -> None:
        self.post = post
        self.reasons: list[str] = []

    @property
    def no_problem(self) -> bool:
        """Classified, and no catalogue problem found: place and rules cannot make it a lead."""
        return self.classification is not None and self.classification.item is None
