"""Registry models: organisations, their kinds and dated parent relationships."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["NATIONAL_CODE", "OrgKind", "Organisation", "RelKind", "Relationship", "StructureChange"]

#: ODS code of NHS England, the root of the hierarchy.
NATIONAL_CODE = "X24"


class OrgKind(StrEnum):
    NATIONAL = "national"
    REGION = "region"
    ICB = "icb"
    SUB_ICB = "sub_icb"
    TRUST = "trust"
    OTHER_PROVIDER = "other_provider"


class RelKind(StrEnum):
    TRUST_ICB = "trust_icb"
    SUB_ICB_ICB = "sub_icb_icb"
    ICB_REGION = "icb_region"
    REGION_NATIONAL = "region_national"


class Organisation(BaseModel):
    """One organisation as recorded in the registry (latest name and dates)."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(min_length=1)
    name: str
    kind: OrgKind
    subtype: str | None = None
    open_date: dt.date | None = None
    close_date: dt.date | None = None
    ons_code: str | None = None
    postcode: str | None = None

    def active_on(self, day: dt.date) -> bool:
        """True if the organisation existed on ``day`` (dates inclusive)."""
        if self.open_date is not None and day < self.open_date:
            return False
        return not (self.close_date is not None and day > self.close_date)


class Relationship(BaseModel):
    """A child → parent link valid on [valid_from, valid_to] (inclusive; None = open-ended)."""

    model_config = ConfigDict(frozen=True)

    child: str
    parent: str
    rel: RelKind
    valid_from: dt.date
    valid_to: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class StructureChange(BaseModel):
    """An organisation opened, closed or moved to another parent between two dates."""

    code: str
    name: str
    kind: OrgKind
    change: str  # opened | closed | parent_changed
    date: dt.date
    old_parent: str | None = None
    new_parent: str | None = None
