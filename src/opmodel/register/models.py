"""What a support case holds, validated before anything is written (methodology §1.6, §5).

A case is one organisation's time in a support programme: why it started (the
segment and quarter of an oversight run), who leads, and the plan. Its parts
are typed items so the API, the forms and the CLI validate them the same way.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "ITEM_MODELS",
    "ActionItem",
    "CaseCreate",
    "CaseUpdate",
    "CaseView",
    "EnforcementItem",
    "ExitCriterionItem",
    "FindingItem",
    "HistoryEvent",
    "ItemKind",
    "ItemView",
    "Programme",
    "ReviewItem",
    "Role",
    "SupportOfferItem",
    "UserView",
]


class Programme(StrEnum):
    """Support programmes: segment-3 mandated support, the RSP (to 2025), the PIP (from 2025), other."""

    SEGMENT_3_SUPPORT = "segment_3_support"
    RSP = "rsp"
    PIP = "pip"
    OTHER = "other"


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"


class ItemKind(StrEnum):
    FINDING = "finding"
    ACTION = "action"
    SUPPORT_OFFER = "support_offer"
    ENFORCEMENT = "enforcement"
    EXIT_CRITERION = "exit_criterion"
    REVIEW = "review"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CaseCreate(_Strict):
    """The body of a new case; the lead body defaults to the opening user's organisation."""

    org_code: str = Field(min_length=3, max_length=16)
    programme: Programme
    opened_on: dt.date | None = None
    lead_org: str | None = Field(default=None, max_length=16)
    lead_name: str | None = Field(default=None, max_length=120)
    trigger_segment: int | None = Field(default=None, ge=1, le=5)
    trigger_period: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-Q[1-4]$")
    trigger_run: str | None = Field(default=None, max_length=64)
    summary: str | None = Field(default=None, max_length=4000)
    next_review_on: dt.date | None = None

    @field_validator("org_code", "lead_org")
    @classmethod
    def _upper(cls, v: str | None) -> str | None:
        return v.upper() if v else v


class CaseUpdate(_Strict):
    """A change to a case's own fields; closing needs exit evidence."""

    programme: Programme | None = None
    lead_name: str | None = Field(default=None, max_length=120)
    summary: str | None = Field(default=None, max_length=4000)
    next_review_on: dt.date | None = None
    status: Literal["open", "closed"] | None = None
    closed_on: dt.date | None = None
    exit_evidence: str | None = Field(default=None, max_length=8000)


class FindingItem(_Strict):
    """A diagnostic stocktake finding."""

    text: str = Field(min_length=1, max_length=4000)
    area: str | None = Field(default=None, max_length=120)


class ActionItem(_Strict):
    """An improvement action or milestone; ``contract`` marks an ICB's contract action."""

    title: str = Field(min_length=1, max_length=400)
    owner: str = Field(min_length=1, max_length=120)
    due_on: dt.date
    status: Literal["not_started", "in_progress", "done", "missed"] = "not_started"
    evidence: list[str] = Field(default_factory=list)
    contract: bool = False


class SupportOfferItem(_Strict):
    offer: str = Field(min_length=1, max_length=400)
    provider: str | None = Field(default=None, max_length=120)


class EnforcementItem(_Strict):
    """A step on the enforcement ladder; its statutory basis comes from :mod:`.ladder`."""

    step: str
    decided_on: dt.date
    note: str | None = Field(default=None, max_length=4000)
    statutory_basis: str | None = None


class ExitCriterionItem(_Strict):
    criterion: str = Field(min_length=1, max_length=400)
    status: Literal["not_met", "partly_met", "met"] = "not_met"


class ReviewItem(_Strict):
    held_on: dt.date
    attendees: list[str] = Field(default_factory=list)
    decision: str = Field(min_length=1, max_length=4000)


ITEM_MODELS: dict[ItemKind, type[_Strict]] = {
    ItemKind.FINDING: FindingItem,
    ItemKind.ACTION: ActionItem,
    ItemKind.SUPPORT_OFFER: SupportOfferItem,
    ItemKind.ENFORCEMENT: EnforcementItem,
    ItemKind.EXIT_CRITERION: ExitCriterionItem,
    ItemKind.REVIEW: ReviewItem,
}


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive timestamps; they were written in UTC, so say so (as PostgreSQL does)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


class ItemView(BaseModel):
    id: int
    kind: ItemKind
    data: dict[str, Any]
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime

    _tz = field_validator("created_at", "updated_at")(_utc)


class CaseView(BaseModel):
    """A case as the API returns it (the JSON contract's fields first)."""

    id: int
    version: int
    org_code: str
    programme: Programme
    status: str
    opened_on: dt.date
    lead_org: str
    closed_on: dt.date | None = None
    lead_name: str | None = None
    trigger_segment: int | None = None
    trigger_period: str | None = None
    trigger_run: str | None = None
    summary: str | None = None
    next_review_on: dt.date | None = None
    exit_evidence: str | None = None
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    items: list[ItemView] = Field(default_factory=list)

    _tz = field_validator("created_at", "updated_at")(_utc)


class HistoryEvent(BaseModel):
    seq: int
    actor: str
    actor_org: str
    at: dt.datetime
    action: str
    item_id: int | None = None
    change: dict[str, Any]

    _tz = field_validator("at")(_utc)


class UserView(BaseModel):
    id: int
    name: str
    org_code: str
    role: Role
