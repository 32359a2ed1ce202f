"""Domain models: the contracts between spiders, filters, sinks and the console.

Field names follow docs/architecture.md (Contracts). A change here is a change of contract:
update README's "Schemas" section and docs/workorder.schema.json too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

from civicwatch.text import valid_text

Urgency = Literal["urgent", "general"]


class Post(BaseModel):
    """The normalised post every spider yields (contract 1)."""

    # Labelled files carry a `label` (and maybe more); unknown fields are ignored.
    model_config = ConfigDict(extra="ignore")

    platform: str
    post_id: str
    url: str
    author: str = ""
    title: str | None = None
    text: str = ""
    published_at: AwareDatetime
    ip_region: str | None = None
    fetched_at: AwareDatetime | None = None
    keyword: str | None = None

    @field_validator("post_id", mode="before")
    @classmethod
    def _id_as_string(cls, value: Any) -> Any:
        # Platforms send ids past 2**53 as numbers sometimes; keep them as text.
        return str(value) if isinstance(value, int) else value

    @field_validator("platform", "post_id", "url", "author", "title", "text", "ip_region", "keyword")
    @classmethod
    def _valid_text(cls, value: str | None) -> str | None:
        # Outside text is made valid before anything touches it: a lone surrogate would raise
        # wherever it is encoded (hashing, Mongo, JSON) and stop the post on every round.
        return None if value is None else valid_text(value)

    @property
    def key(self) -> str:
        """`platform:post_id`, the id used for dedup, storage and `dup_of`."""
        return f"{self.platform}:{self.post_id}"


@dataclass(slots=True)
class Decision:
    """What the filter chain decided about one post (contract 2).

    A plain dataclass, not a pydantic model: the chain makes one for every post it reads
    (about a sixth of its time went into validating its own values), and most are dropped at
    once. It is validated where it leaves the chain for good: inside a Lead or DecidedPost
    (revalidated there, see the config below) and through DECISIONS for JSON and Mongo.
    """

    __pydantic_config__ = ConfigDict(revalidate_instances="always")

    platform: str
    post_id: str
    is_lead: bool
    score: float = 0.0
    district: str | None = None
    street: str | None = None
    category: str | None = None
    item: str | None = None
    department: str | None = None
    urgency: Urgency | None = None
    dup_of: str | None = None
    text_masked: str = ""
    matched: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    # Not in `civicwatch classify`'s output (contract 2 lists the fields above):
    drop_reason: str | None = None  # why a post is not a lead, one of DROP_REASONS; None for leads
    title_masked: str | None = None  # a lead's title, masked like text_masked
    author_hash: str = ""  # a lead's author as a salted hash ("" for other posts)
    model_version: str | None = None  # the learned model that decided ("keywords-only" without one)
    model_evidence: list[str] = field(default_factory=list)  # its n-grams that weighed most towards "lead"

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.post_id}"


# Decision.drop_reason codes (the crawl counts civicwatch/dropped/<code>), in the order the chain
# rules on them.
DROP_REASONS: dict[str, str] = {
    "no_item": "no catalogue problem in the post",
    "not_shenzhen": "not established to be in Shenzhen",
    "out_of_reach": "scores too low to be a lead wherever it is (so not placed)",
    "excluded_by_rule": "an exclude rule of rules.yaml vetoed it",
    "below_threshold": "in Shenzhen, about a catalogue problem, but scored below the lead threshold",
    "undecided": "no step ruled on it (the decide step is switched off)",
}


# Validation and (de)serialisation of decisions: DECISIONS.validate_python(doc),
# DECISIONS.dump_python(decision), DECISIONS.dump_json(decision).
DECISIONS: TypeAdapter[Decision] = TypeAdapter(Decision)


class LeadState(StrEnum):
    """Where a lead is in its lifecycle (civicwatch.lifecycle.TRANSITIONS).

    Every state is one that sinks/leads.py writes: a lead is born pending_review, and verifying
    and dispatching are one atomic write, so there is no separate "new" or "verified" state.
    """

    PENDING_REVIEW = "pending_review"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    MERGED = "merged"
    RETURNED = "returned"


class HistoryEntry(BaseModel):
    """One recorded step of a lead: who moved it, when, why."""

    at: AwareDatetime
    actor: str
    action: str
    from_state: LeadState | None = None
    to_state: LeadState
    reason: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class Source(BaseModel):
    """One post that belongs to a lead's incident."""

    key: str
    platform: str
    url: str
    published_at: AwareDatetime
    fetched_at: AwareDatetime | None = None


class Outbox(BaseModel):
    """A dispatched work order waiting for (or past) its relay to the stream.

    Written in the same update as the dispatch itself, so the state change and the hand-off are
    one atomic write; `dispatch_no` counts re-dispatches after 退单, so each is relayed once.
    """

    state: Literal["pending", "delivered"] = "pending"
    kind: Literal["workorder", "withdrawn"] = "workorder"  # a withdrawal is relayed like an order
    dispatch_no: int = 1
    created_at: AwareDatetime
    document: dict[str, Any]
    delivered_at: AwareDatetime | None = None
    entry_id: str | None = None


class Lead(BaseModel):
    """A post the filter chain kept, through review and dispatch to resolution."""

    id: str = Field(alias="_id")
    state: LeadState = LeadState.PENDING_REVIEW
    version: int = 0  # optimistic locking: every lifecycle step (and a new source) bumps it
    decision: Decision
    sources: list[Source] = Field(default_factory=list)
    discovered_at: AwareDatetime
    deadline: AwareDatetime
    history: list[HistoryEntry] = Field(default_factory=list)
    merged_into: str | None = None
    work_order_id: str | None = None
    return_reason: str | None = None
    outbox: Outbox | None = None
    applied_events: list[str] = Field(default_factory=list)  # status event ids, each applied once
    co_departments: list[str] = Field(default_factory=list)  # 协办 departments of its work order

    model_config = ConfigDict(populate_by_name=True)


WORK_ORDER_SCHEMA_VERSION = "1.0"


class WorkOrder(BaseModel):
    """The document on the work-order stream (contract 4): Open311 GeoReport v2 names + ours."""

    service_request_id: str
    service_code: str
    service_name: str
    description: str
    address_string: str
    agency_responsible: str
    requested_datetime: AwareDatetime
    expected_datetime: AwareDatetime
    status: Literal["open", "closed"] = "open"
    lead_id: str
    category: str
    department: str
    urgency: Urgency
    district: str | None = None
    street: str | None = None
    co_departments: list[str] = Field(
        default_factory=list, description="departments that co-handle the order (协办), by code")
    co_agencies: list[str] = Field(default_factory=list, description="their names, in the same order")
    sources: list[str] = Field(default_factory=list)
    duplicates: list[str] = Field(default_factory=list)
    verified_by: str
    verified_at: AwareDatetime
    schema_version: str = WORK_ORDER_SCHEMA_VERSION


class Withdrawal(BaseModel):
    """The message on the work-order stream (entry field `type` = withdrawn) that takes back a
    work order dispatched minutes ago; consumers drop the order with this id."""

    service_request_id: str
    lead_id: str
    status: Literal["withdrawn"] = "withdrawn"
    withdrawn_by: str
    withdrawn_at: AwareDatetime
    reason: str | None = None
    schema_version: str = WORK_ORDER_SCHEMA_VERSION


StatusKind = Literal["签收", "退单", "办结"]
# The dispatch system may also say it in English; an event is stored with the Chinese word.
STATUS_ALIASES: dict[str, str] = {"accepted": "签收", "returned": "退单", "resolved": "办结"}
MAX_STATUS_ID_CHARS = 200
MAX_STATUS_TEXT_CHARS = 2000


class StatusEvent(BaseModel):
    """One event on the status back-channel (contract 5; docs/status-event.schema.json)."""

    # Strings with a lone surrogate ("\ud800" in JSON) are refused by pydantic itself.
    event_id: str = Field(min_length=1, max_length=MAX_STATUS_ID_CHARS,
                          description="unique per event: an event id is applied once")
    service_request_id: str = Field(min_length=1, max_length=MAX_STATUS_ID_CHARS,
                                    description="the work order's id (WorkOrder.service_request_id)")
    status: Annotated[Literal["签收", "退单", "办结", "accepted", "returned", "resolved"],
                      AfterValidator(lambda s: STATUS_ALIASES.get(s, s))] = Field(
        description="签收 (accepted), 退单 (returned, with a reason) or 办结 (resolved); "
                    "the English words are accepted and stored as the Chinese ones")
    at: AwareDatetime = Field(description="when it happened, with its UTC offset")
    reason: str | None = Field(None, max_length=MAX_STATUS_TEXT_CHARS, description="why (for 退单)")
    operator: str | None = Field(None, max_length=MAX_STATUS_ID_CHARS, description="who, at the dispatch system")


class DecidedPost(BaseModel):
    """A post with the filter chain's decision, handed from the decide pipeline to the store."""

    post: Post
    decision: Decision


def status_event_json_schema() -> dict[str, Any]:
    """The published JSON Schema of a status event (docs/status-event.schema.json)."""
    schema = StatusEvent.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://civicwatch.example/schema/status-event.json"
    return schema


def work_order_json_schema() -> dict[str, Any]:
    """The published JSON Schema of the work-order document (docs/workorder.schema.json)."""
    schema = WorkOrder.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://civicwatch.example/schema/workorder.json"
    return schema


# --- governance suggestions (治理建议), contract 6 ------------------------------------------

SUGGESTION_SCHEMA_VERSION = "1.0"
SuggestionState = Literal["raised", "received", "adopted", "declined", "rectified"]
SuggestionReplyKind = Literal["received", "adopted", "declined", "rectified"]


class GovernanceSuggestion(BaseModel):
    """A governance suggestion from a class case to a department (contract 6).

    On the work-order stream as an entry with `type` = "suggestion", `id` (= suggestion_id) and
    `document` (this model's JSON); work-order entries carry no `type`. Its JSON Schema is
    docs/suggestion.schema.json.
    """

    type: Literal["suggestion"] = "suggestion"
    suggestion_id: str
    case_key: str = Field(description="the class case, e.g. item:AQ02:福田区:沙头街道 (street * = district-wide)")
    title: str
    problem: str = Field(min_length=1, description="the recurring problem, with its numbers")
    requested_action: str = Field(min_length=1)
    department: str = Field(description="catalogue department code")
    agency_responsible: str
    deadline: date = Field(description="the date by which the department is asked to act (Beijing time)")
    evidence: list[str] = Field(min_length=1, description="lead ids of the class case")
    evidence_total: int = Field(ge=1, description="leads in the class case when the suggestion was raised")
    category: str | None = None
    item: str | None = None
    district: str
    street: str | None = None
    raised_by: str
    raised_at: AwareDatetime
    schema_version: str = SUGGESTION_SCHEMA_VERSION


class SuggestionReply(BaseModel):
    """A department's reply on the status stream: an entry with `type` = "suggestion" and `event`
    (this model's JSON); applied once per `event_id`. Schema: docs/suggestion-reply.schema.json."""

    type: Literal["suggestion"] = "suggestion"
    event_id: str
    suggestion_id: str
    status: SuggestionReplyKind = Field(
        description="received 已收到 · adopted 采纳 · declined 不采纳 · rectified 已整改")
    at: AwareDatetime
    reason: str | None = Field(None, description="required when declined")
    rectified_on: date | None = Field(None, description="required when rectified")
    operator: str | None = None

    # The validator below, for JSON Schema readers.
    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"if": {"properties": {"status": {"const": "declined"}}},
         "then": {"required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1}}}},
        {"if": {"properties": {"status": {"const": "rectified"}}},
         "then": {"required": ["rectified_on"], "properties": {"rectified_on": {"type": "string", "format": "date"}}}},
    ]})

    @model_validator(mode="after")
    def _required_details(self) -> SuggestionReply:
        if self.status == "declined" and not (self.reason or "").strip():
            raise ValueError("a declined suggestion needs a reason")
        if self.status == "rectified" and self.rectified_on is None:
            raise ValueError("a rectified suggestion needs rectified_on (the date of rectification)")
        return self


def suggestion_json_schema(model: type[BaseModel] = GovernanceSuggestion) -> dict[str, Any]:
    """The published JSON Schema of a suggestion (docs/suggestion.schema.json) or of a reply
    (SuggestionReply: docs/suggestion-reply.schema.json)."""
    schema = model.model_json_schema()
    name = "suggestion" if model is GovernanceSuggestion else "suggestion-reply"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://civicwatch.example/schema/{name}.json"
    return schema
