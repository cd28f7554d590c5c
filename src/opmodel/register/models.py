"""What a support case holds, validated before anything is written (methodology §1.6, §5).

A case is one organisation's time in a support programme: why it started (the
segment and quarter of an oversight run), who leads, and the plan. Its parts
are typed items so the API, the forms and the CLI validate them the same way.

Every text field and list has a documented maximum (:data:`LIMITS`, the user
guide's table), dates lie between :data:`EARLIEST_DATE` and :data:`LATEST_DATE`,
and no text may hold a NUL character (PostgreSQL cannot store one): what the
register cannot store is refused with the field named, never half-written
(issue 23, item 3).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator

from opmodel.register.ladder import ENFORCEMENT_LADDER

__all__ = [
    "EARLIEST_DATE",
    "ITEM_MODELS",
    "LATEST_DATE",
    "LIMITS",
    "MAX_CASE_ID",
    "ActionItem",
    "CaseCreate",
    "CaseUpdate",
    "CaseView",
    "EnforcementItem",
    "EvidenceText",
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


#: Dates a case may carry: nothing before the NHS England era of segmentation, nothing absurd ahead.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
#: The largest id the register's integer keys hold (INTEGER on PostgreSQL is 32-bit); anything
#: larger (or below 1) is no case or item at all, so it is 404, never an overflow.
MAX_CASE_ID = 2**31 - 1

#: The documented maxima (characters for text, entries for lists); the user guide prints this table.
LIMITS: dict[str, int] = {
    "org_code": 16, "lead_org": 16, "lead_name": 120, "trigger_run": 64, "summary": 4000, "exit_evidence": 8000,
    "finding.text": 4000, "finding.area": 120,
    "action.title": 400, "action.owner": 120, "action.evidence": 100, "action.evidence[]": 2000,
    "support_offer.offer": 400, "support_offer.provider": 120,
    "enforcement.step": 64, "enforcement.note": 4000, "enforcement.statutory_basis": 400,
    "exit_criterion.criterion": 400,
    "review.attendees": 50, "review.attendees[]": 120, "review.decision": 4000,
    "evidence": 2000, "items per case": 500, "request body (bytes)": 64 * 1024,
}


def _dated(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"expected a date from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}, "
                         f"got {value.isoformat()}")
    return value


def _textual(value: Any) -> Any:
    """Dates arrive as text (YYYY-MM-DD) or dates, never as numbers read as Unix time."""
    if isinstance(value, int | float):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


#: A date inside the register's range, written YYYY-MM-DD.
CaseDate = Annotated[dt.date, BeforeValidator(_textual), AfterValidator(_dated)]
#: An ODS code: letters and digits only (it is looked up, never stored as free text).
Code = Annotated[str, StringConstraints(min_length=3, max_length=16, pattern=r"^[A-Za-z0-9]+$")]


Name = Annotated[str, StringConstraints(max_length=120)]
RunRef = Annotated[str, StringConstraints(max_length=64)]
LongText = Annotated[str, StringConstraints(max_length=4000)]
ExitEvidence = Annotated[str, StringConstraints(max_length=8000)]
#: Required text: at least one character that is not white space (the value is stripped first).
Said = r"\S"
#: One piece of evidence on an action (also the body of ``POST .../evidence``).
EvidenceText = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=Said)]
Attendee = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=Said)]


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain a NUL character")
    if isinstance(value, list) and any(isinstance(v, str) and "\x00" in v for v in value):
        raise ValueError("must not contain a NUL character")
    return value


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

    _nul = field_validator("*", mode="after")(_no_nul)


class CaseCreate(_Strict):
    """The body of a new case; the lead body defaults to the opening user's organisation."""

    org_code: Code
    programme: Programme
    opened_on: CaseDate | None = None
    lead_org: Code | None = None
    lead_name: Name | None = None
    trigger_segment: int | None = Field(default=None, ge=1, le=5)
    trigger_period: str | None = Field(default=None, pattern=r"^[0-9]{4}-[0-9]{2}-Q[1-4]$")
    trigger_run: RunRef | None = None
    summary: LongText | None = None
    next_review_on: CaseDate | None = None

    @field_validator("org_code", "lead_org")
    @classmethod
    def _upper(cls, v: str | None) -> str | None:
        return v.upper() if v else v


class CaseUpdate(_Strict):
    """A change to a case's own fields; closing needs exit evidence."""

    programme: Programme | None = None
    lead_name: Name | None = None
    summary: LongText | None = None
    next_review_on: CaseDate | None = None
    status: Literal["open", "closed"] | None = None
    closed_on: CaseDate | None = None
    exit_evidence: ExitEvidence | None = None


class FindingItem(_Strict):
    """A diagnostic stocktake finding."""

    text: str = Field(min_length=1, max_length=4000, pattern=Said)
    area: str | None = Field(default=None, max_length=120)


class ActionItem(_Strict):
    """An improvement action or milestone; ``contract`` marks an ICB's contract action."""

    title: str = Field(min_length=1, max_length=400, pattern=Said)
    owner: str = Field(min_length=1, max_length=120, pattern=Said)
    due_on: CaseDate
    status: Literal["not_started", "in_progress", "done", "missed"] = "not_started"
    evidence: list[EvidenceText] = Field(default_factory=list, max_length=100)
    contract: bool = False


class SupportOfferItem(_Strict):
    offer: str = Field(min_length=1, max_length=400, pattern=Said)
    provider: str | None = Field(default=None, max_length=120)


class EnforcementItem(_Strict):
    """A step on the enforcement ladder; its statutory basis comes from :mod:`.ladder`."""

    step: str = Field(min_length=1, max_length=64, json_schema_extra={"enum": [s.code for s in ENFORCEMENT_LADDER]})
    decided_on: CaseDate
    note: str | None = Field(default=None, max_length=4000)
    statutory_basis: str | None = Field(default=None, max_length=400)


class ExitCriterionItem(_Strict):
    criterion: str = Field(min_length=1, max_length=400, pattern=Said)
    status: Literal["not_met", "partly_met", "met"] = "not_met"


class ReviewItem(_Strict):
    held_on: CaseDate
    attendees: list[Attendee] = Field(default_factory=list, max_length=50)
    decision: str = Field(min_length=1, max_length=4000, pattern=Said)


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


def _utc_or_none(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _utc(value)


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
    """One accepted change: who, when, and (from issue 23) the date and model access was decided under.

    ``change`` holds what changed: ``before``/``after`` for fields, ``added``/``removed`` for list
    entries (evidence, attendees), so an event's size does not grow with the list.
    """

    seq: int
    actor: str
    actor_org: str
    at: dt.datetime
    action: str
    item_id: int | None = None
    change: dict[str, Any]
    decided_on: dt.date | None = None
    model: str | None = None

    _tz = field_validator("at")(_utc)


class UserView(BaseModel):
    """A register user; ``expires_at`` None only for a trusted local caller that holds no token."""

    id: int
    name: str
    org_code: str
    role: Role
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None

    _tz = field_validator("expires_at", "revoked_at")(_utc_or_none)
