"""The operating-model file format: pydantic models for one YAML model.

A model states who does what at each tier of the NHS in England for a period,
with a citation for every statement, so it can be checked and compared rather
than argued about (methodology §5 and §6: the 2022 and 2025 arrangements).
Field names are the YAML keys; the JSON Schema in docs/schema is exported from
:class:`OperatingModel`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

__all__ = [
    "ALL_FUNCTIONS",
    "BodyDef",
    "BodyRole",
    "CaseRule",
    "Citation",
    "Delegation",
    "Evidence",
    "FunctionDef",
    "LineKind",
    "ModelOrigin",
    "ModelStatus",
    "OperatingModel",
    "OversightFramework",
    "OversightLine",
    "Period",
    "RegistryMatch",
    "Role",
    "RoleEntry",
    "Source",
    "SupportLadder",
    "SupportStep",
    "TierDef",
    "Transition",
    "UndelegatedRole",
    "Unknown",
]

#: The value of ``functions`` on an oversight line that covers every function of the model.
ALL_FUNCTIONS = "all"

_ID = r"^[a-z][a-z0-9_\-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Evidence(StrEnum):
    """How firmly a statement is sourced (the labels of the methodology's preamble)."""

    VERIFIED = "V"
    DERIVED = "D"
    SECONDARY = "S"
    INFERRED = "R"


class Role(StrEnum):
    """What a tier does for a function. Exactly one tier per function is ``accountable``.

    ``none`` says the tier has no part; ``unknown`` says the sources are silent (a note is then required).
    """

    ACCOUNTABLE = "accountable"
    RESPONSIBLE = "responsible"
    OVERSEES = "oversees"
    COMMISSIONS = "commissions"
    SUPPORTS = "supports"
    CONSULTED = "consulted"
    NONE = "none"
    UNKNOWN = "unknown"


class LineKind(StrEnum):
    """First line = performance management; escalation = where issues go next; contract = contract levers."""

    FIRST_LINE = "first_line"
    ESCALATION = "escalation"
    CONTRACT = "contract"


class ModelStatus(StrEnum):
    """Whether a model is enacted, a transition between two models, or announced but not enacted (§6.5)."""

    IN_FORCE = "in_force"
    TRANSITION = "transition"
    PROPOSED = "proposed"


class Citation(_Strict):
    """Where a statement comes from: a source id of the model and the section that records it."""

    source: str = Field(min_length=1, description="Id of an entry in the model's `sources`.")
    section: str = Field(min_length=1, description="Part of the source, or the methodology section recording it.")
    evidence: Evidence | None = Field(None, description="Overrides the source's evidence label for this statement.")
    note: str | None = None


class Source(_Strict):
    """A source in the citation registry (``accountability/sources.yaml``) or, for a user's file, in the model."""

    title: str = Field(min_length=1)
    publisher: str | None = Field(None, description="Who published it (NHS England, HSJ, HTN, ...).")
    url: str | None = None
    evidence: Evidence = Field(description="V verified primary text, S secondary, D derived, R inference.")
    published: str | None = None
    supports: str | None = Field(None, description="What the source is cited for.")
    note: str | None = None


class Period(_Strict):
    """Inclusive effective dates; ``to`` empty means open-ended."""

    from_: dt.date = Field(alias="from")
    to: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.to is not None and self.to < self.from_:
            raise ValueError(f"'to' ({self.to}) is before 'from' ({self.from_})")
        return self

    def covers(self, day: dt.date) -> bool:
        return self.from_ <= day and (self.to is None or day <= self.to)


class RegistryMatch(_Strict):
    """Which registry organisations belong to a tier (kind, optionally restricted to subtypes)."""

    kind: Literal["national", "region", "icb", "sub_icb", "trust", "other_provider"]
    subtypes: list[str] | None = Field(None, description="Only these subtypes; empty means any subtype.")


class TierDef(_Strict):
    name: str = Field(min_length=1)
    description: str | None = None
    registry: list[RegistryMatch] = Field(
        default_factory=list, description="Registry organisations in this tier; none for a tier outside the registry.")
    overseen: bool = Field(True, description="False for the top tier, which answers outside the model.")
    cite: list[Citation] = Field(min_length=1)
    note: str | None = None


class FunctionDef(_Strict):
    name: str = Field(min_length=1)
    description: str | None = None
    involves: list[str] = Field(default_factory=list, description="Ids of `bodies` that take part in the function.")
    cite: list[Citation] = Field(default_factory=list)
    note: str | None = None


class BodyRole(_Strict):
    """What a body outside the tiers does, for which functions (issue 13: every body with a role)."""

    functions: list[str] | Literal["all"]
    role: str = Field(min_length=1, description="e.g. 'registers and inspects providers'.")
    dormant: bool = Field(False, description="A power held in law but not in use (e.g. CQC ICS assessment).")
    carried_over: str | None = Field(
        None, description="In a proposed model: the model this statement is carried over from (not announced).")
    cite: list[Citation] = Field(min_length=1)
    note: str | None = None


class BodyDef(_Strict):
    """A body that holds a role but is not an overseen tier: DHSC, CQC, ICPs, HWBs, councils, collaboratives."""

    name: str = Field(min_length=1)
    kind: Literal["department", "regulator", "partnership", "local_government", "collaborative", "office"]
    description: str | None = None
    ods_code: str | None = Field(None, description="Registry code, when the body is in the registry.")
    roles: list[BodyRole] = Field(min_length=1)
    note: str | None = None


class Delegation(_Strict):
    """The accountable tier delegates a function to another tier, which becomes ``responsible`` (§6.5).

    Accountability stays with the delegator; a delegate is never ``accountable`` (checked). A delegation
    is dated and may be limited to some regions or some named ICBs, so the delegate's role and who
    commissions are read from the delegation in force on the date where the organisation is.
    """

    function: str = Field(min_length=1)
    delegator: str = Field(min_length=1, description="Tier that keeps accountability.")
    delegate: str = Field(min_length=1, description="Tier that becomes responsible.")
    start: dt.date = Field(description="Date the delegation took effect.")
    end: dt.date | None = None
    regions: list[str] | None = Field(None, description="Only delegates in these regions (registry codes).")
    icbs: list[str] | None = Field(None, description="Only these ICBs (registry codes), e.g. early adopters.")
    scope: str | None = Field(None, description="What is delegated, e.g. '59 specialised services'.")
    services: int | None = Field(None, ge=1, description="How many services the delegation covers, where stated.")
    carried_over: str | None = Field(
        None, description="In a proposed model: the model this statement is carried over from (not announced).")
    cite: list[Citation] = Field(min_length=1)
    note: str | None = None

    def in_effect(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def applies_to(self, region: str | None, icb: str | None) -> bool:
        """Whether the delegation reaches an organisation in ``region`` under ``icb`` (whatever the date)."""
        return (self.regions is None or region in self.regions) and (self.icbs is None or icb in self.icbs)


class Transition(_Strict):
    """A transition model names the model it replaces, so answers inside it can give both lines (§6.5)."""

    replaces: str = Field(min_length=1, description="Name of the model whose lines are being handed over.")
    toward: str | None = Field(None, description="Name of the end-state model, when one is published or proposed.")
    summary: str = Field(min_length=1)
    cite: list[Citation] = Field(min_length=1)


def _sourced_role(role: Role, cite: list[Citation], note: str | None) -> None:
    if not cite and not (role in (Role.NONE, Role.UNKNOWN) and note):
        raise ValueError("a role needs 'cite' (or, for role none/unknown, a 'note' saying the sources are silent)")
    if role is Role.UNKNOWN and not note:
        raise ValueError("role 'unknown' needs a 'note' saying what the sources leave open")


class UndelegatedRole(_Strict):
    """A delegate tier's role where or when no delegation of the function to it is in force (§6.5)."""

    role: Role
    capacity: str | None = None
    cite: list[Citation] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> UndelegatedRole:
        _sourced_role(self.role, self.cite, self.note)
        if self.role in (Role.ACCOUNTABLE, Role.RESPONSIBLE):
            raise ValueError("without a delegation the tier cannot be 'accountable' or 'responsible' for the function")
        return self


class RoleEntry(_Strict):
    """The role one tier plays for one function, with its citation (or a note where sources are silent).

    For a delegate tier, ``role`` is its role under a delegation in force and ``undelegated`` its role
    before, after or outside the delegation (another region, a later start), so an answer never shows
    a delegate before or outside its delegation (checked by :func:`check_delegations`).
    """

    role: Role
    capacity: str | None = Field(None, description="Short label shown in chains, e.g. 'strategic commissioner'.")
    cite: list[Citation] = Field(default_factory=list)
    note: str | None = None
    undelegated: UndelegatedRole | None = Field(
        None, description="For a delegate: its role where and when no delegation of the function is in force.")
    carried_over: str | None = Field(
        None, description="In a proposed model: the model this statement is carried over from (not announced).")

    @model_validator(mode="after")
    def _sourced(self) -> RoleEntry:
        _sourced_role(self.role, self.cite, self.note)
        return self


class OversightLine(_Strict):
    """One line of oversight: overseer tier → subject tier, for some functions."""

    overseer: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    functions: list[str] | Literal["all"] = Field(description="Function ids, or 'all'.")
    except_: list[str] = Field(default_factory=list, alias="except", description="Functions excluded from 'all'.")
    line: LineKind
    escalates_to: str | None = Field(None, description="Tier that issues go to next (an escalation line there).")
    powers: list[str] = Field(default_factory=list, description="Support and intervention powers the overseer holds.")
    carried_over: str | None = Field(
        None, description="In a proposed model: the model this line is carried over from (not announced).")
    cite: list[Citation] = Field(min_length=1)
    note: str | None = None

    def covers(self, function: str) -> bool:
        if function in self.except_:
            return False
        return self.functions == ALL_FUNCTIONS or function in self.functions


class SupportStep(_Strict):
    """What one oversight segment brings and which tier delivers it."""

    segment: int = Field(ge=0, le=9)
    meaning: str = Field(min_length=1)
    support: str = Field(min_length=1)
    delivered_by: str | None = Field(None, description="Tier that delivers the support or intervention.")
    involving: list[str] = Field(default_factory=list, description="Other tiers taking part.")
    programme: str | None = Field(None, description="Named programme, e.g. RSP or PIP.")
    mandated: bool = False
    cite: list[Citation] = Field(min_length=1)
    note: str | None = None


class SupportLadder(_Strict):
    framework: str = Field(min_length=1, description="The oversight framework whose segments these are.")
    segments: list[SupportStep] = Field(min_length=1)
    note: str | None = None


class CaseRule(_Strict):
    """Which tiers open and change one kind of support case for a provider (the register's programmes).

    Keyed in the model by the register's programme id (``other`` for local support,
    ``segment_3_support``, ``rsp``, ``pip``); a programme the model does not list is led by nobody
    below NHS England national under that model (methodology §5, §6.4).
    """

    name: str = Field(min_length=1)
    led_by: list[str] = Field(min_length=1, description="Tiers whose body for the provider opens and changes them.")
    segments: list[int] = Field(default_factory=list, description="Ladder segments these cases belong to.")
    carried_over: str | None = Field(
        None, description="In a proposed model: the model this rule is carried over from (not announced).")
    cite: list[Citation] = Field(min_length=1)
    note: str | None = None


class OversightFramework(_Strict):
    """The oversight framework in force for part of a model's period: how segments are set and for whom."""

    name: str = Field(min_length=1, description="e.g. NHS Oversight Framework 2026/27.")
    effective: Period
    segmentation: Literal["judgement", "quartiles", "thresholds"] = Field(
        description="judgement by the regional team, quartiles of the average score, or fixed thresholds.")
    segments: list[int] = Field(min_length=1, description="Segment numbers the framework uses.")
    providers_segmented: bool = True
    icbs_segmented: bool
    programme: str | None = Field(None, description="Intensive support programme (RSP, PIP); None when not stated.")
    metrics: Literal["published", "unknown"] = Field(
        description="'unknown' until the framework's metric list is published (or held).")
    carried_over: str | None = Field(
        None, description="In a proposed model: the model this framework is carried over from.")
    cite: list[Citation] = Field(min_length=1)
    note: str | None = None


class Unknown(_Strict):
    """A point the sources leave open, kept in the model so nobody fills it in by accident."""

    topic: str = Field(min_length=1)
    note: str = Field(min_length=1)
    cite: list[Citation] = Field(default_factory=list)


class ModelOrigin(BaseModel):
    """Where a loaded model came from and the YAML line of every element (for findings)."""

    file: str
    lines: dict[str, int] = Field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        """Line of ``path`` or of its nearest ancestor present in the file."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None


class OperatingModel(_Strict):
    """One operating model: tiers, functions, roles, oversight lines and the support ladder."""

    name: str = Field(pattern=_ID, description="Short id, e.g. nhs-2025.")
    title: str = Field(min_length=1)
    version: str = Field(min_length=1)
    effective: Period
    status: ModelStatus = Field(ModelStatus.IN_FORCE, description="in_force, transition or proposed.")
    status_note: str | None = Field(None, description="For a proposed model: what is announced and not enacted.")
    announcements: list[str] = Field(
        default_factory=list, description="For a proposed model: the source ids that are announcements; a "
        "statement citing none of them must be marked carried_over (checked).")
    transition: Transition | None = None
    description: str | None = None
    sources: dict[str, Source] = Field(
        default_factory=dict, description="Sources of this file only; the shipped registry supplies the rest.")
    tiers: dict[str, TierDef] = Field(min_length=1)
    functions: dict[str, FunctionDef] = Field(min_length=1)
    roles: dict[str, dict[str, RoleEntry]] = Field(description="function id → tier id → role.")
    oversight: dict[str, OversightLine] = Field(description="Oversight lines by id.")
    delegations: dict[str, Delegation] = Field(default_factory=dict, description="Delegations by id.")
    bodies: dict[str, BodyDef] = Field(default_factory=dict, description="Bodies with a role outside the tiers.")
    support_ladder: SupportLadder
    frameworks: list[OversightFramework] = Field(
        default_factory=list, description="Oversight frameworks in force during the model, in date order.")
    support_cases: dict[str, CaseRule] = Field(
        default_factory=dict, description="Register programme id -> who opens and changes those cases.")
    unknowns: list[Unknown] = Field(default_factory=list)

    _origin: ModelOrigin = PrivateAttr(default_factory=lambda: ModelOrigin(file="<memory>"))

    @model_validator(mode="after")
    def _transition(self) -> OperatingModel:
        if (self.status is ModelStatus.TRANSITION) != (self.transition is not None):
            raise ValueError("a model has a 'transition' block exactly when its status is 'transition'")
        if self.status is ModelStatus.PROPOSED and not (self.status_note and self.announcements):
            raise ValueError("a proposed model needs 'status_note' saying what is announced and not enacted, and "
                             "'announcements' listing the source ids that announce it")
        return self

    @field_validator("sources", "tiers", "functions", "oversight", "delegations", "bodies", "support_cases")
    @classmethod
    def _ids(cls, value: dict[str, Any]) -> dict[str, Any]:
        import re

        bad = [k for k in value if not re.match(_ID, str(k))]
        if bad:
            raise ValueError(f"ids must be lower-case letters, digits, '_' or '-', got {bad}")
        return value

    @property
    def origin(self) -> ModelOrigin:
        return self._origin

    def with_origin(self, origin: ModelOrigin) -> OperatingModel:
        self._origin = origin
        return self

    def functions_of(self, line: OversightLine) -> list[str]:
        """The model's functions a line covers (unknown ids are left to the checks)."""
        return [f for f in self.functions if line.covers(f)]

    def role(self, function: str, tier: str) -> RoleEntry | None:
        return self.roles.get(function, {}).get(tier)
